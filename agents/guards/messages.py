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


SELF_HARM_REPLY = (
    "I'm really sorry you're feeling this way. You don't have to go through it alone, and talking to "
    "someone can help right now. If you might act on these thoughts, call your local emergency number. "
    "In the US you can call or text 988 (Suicide & Crisis Lifeline); in the UK and Ireland call Samaritans "
    "on 116 123; elsewhere, findahelpline.com lists free, confidential lines in your country. "
    "If you'd like, tell a friend or someone you trust how you feel today. I'm here when you want to get "
    "back to studying, and the exam can wait."
)

_PII_NAMES = {
    "CREDIT_DEBIT_CARD_NUMBER": "a card number",
    "US_SOCIAL_SECURITY_NUMBER": "a social security number",
    "EMAIL": "an email address",
    "PHONE": "a phone number",
    "INTERNATIONAL_BANK_ACCOUNT_NUMBER": "a bank account number (IBAN)",
    "AWS_ACCESS_KEY": "an AWS access key",
    "AWS_SECRET_KEY": "an AWS secret key",
    "NAME": "a name",
    "ADDRESS": "a street address",
    "AWS_SESSION_TOKEN": "an AWS session token",
}


def masked_notice(types: list[str]) -> str | None:
    """Tells the person what was hidden from their message, so nothing disappears silently."""
    kinds = list(dict.fromkeys(_PII_NAMES.get(t, t.lower().replace("_", " ")) for t in types))
    if not kinds:
        return None
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return f"I masked {listed} in your message before reading it; personal data isn't stored or passed on."
