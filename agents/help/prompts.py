"""What the help agent says."""

CAPABILITIES = """I'm aifbot, a study companion for the AWS Certified AI Practitioner (AIF-C01) exam.
• Ask me anything from the course: "what is RAG?", "Comprehend vs Textract", "how does top-p work?"
• Practise: "quiz me on domain 3", "mock exam", "my stats"
• Try the banking demo agent: "why is my account 6666 not active?"
In the terminal: /new starts a fresh conversation, /quit leaves."""

GREETING = "Hi{name}! "
THANKS = "You're welcome! "
OFF_TOPIC = "That's outside what I can help with. "
