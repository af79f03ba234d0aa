"""What the guards say to the user."""

EMPTY_REPLY = (
    "I didn't catch a question there. Ask me anything about the AIF-C01 exam, or say *quiz me* to practise."
)
BINARY_REPLY = (
    "That looks like a file or binary data rather than a message, so I left it alone. "
    "Paste the text you want me to look at, or ask a question."
)


def truncated_notice(length: int, limit: int) -> str:
    return f"Your message was {length:,} characters long; I read the first {limit:,}."
