"""Routes whose agents have not landed yet say so plainly instead of pretending to work."""

from __future__ import annotations

from agents.reply import Reply
from agents.state import State

QUIZ_SOON = (
    "Practice quizzes and mock exams are coming soon. Until then, ask me about any exam topic"
    "{topic} and I'll answer from the course notes."
)
BANKING_SOON = (
    "The Bank of Chicago demo agent is coming soon. Until then, ask me how Amazon Bedrock Agents "
    "call tools and I'll explain it from the course notes."
)


async def quizmaster(state: State) -> dict:
    topic = state.get("topic")
    text = QUIZ_SOON.format(topic=f" (for example {topic})" if topic else "")
    return {"draft": Reply(text=text, route="quizmaster")}
