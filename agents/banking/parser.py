"""The offline banking agent's understanding: intent and slots from plain text, no model."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

Intent = Literal["status", "documents", "resubmit", "faq", "cancel", "unknown"]

_ACCOUNT_ID = re.compile(r"(?<![\w-])\d{4,12}(?![\w-])")
_LONG_DIGITS = re.compile(r"\d{13,}")
_MALFORMED_ID = re.compile(
    r"\b(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{4,14}\b|\b\d{1,3}(?: \d{1,4}){2,}\b", re.I
)
_NAME = re.compile(
    r"\b(?:i am|i'm|im|my name is|name is|this is|it's|name:)\s+"
    r"([A-Za-z][A-Za-z'\-]{1,30}(?: [A-Za-z][A-Za-z'\-]{1,30})?)",
    re.I,
)
_BARE_NAME = re.compile(r"^\s*([A-Za-z][A-Za-z'\-]{1,30}(?: [A-Za-z][A-Za-z'\-]{1,30})?)\s*[.!]?\s*$")
_NOT_NAMES = {
    "yes",
    "no",
    "ok",
    "okay",
    "thanks",
    "hi",
    "hello",
    "hey",
    "status",
    "help",
    "bonus",
    "why",
    "what",
}
_INTENTS: list[tuple[Intent, re.Pattern[str]]] = [
    ("cancel", re.compile(r"^\s*(cancel|stop|quit|exit|never ?mind|nvm|forget it)\b", re.I)),
    (
        "resubmit",
        re.compile(
            r"\b(re-?submit|send (it|them|my \w+) again|upload|submit (a |my |the )?(new|updated|another))\b",
            re.I,
        ),
    ),
    (
        "documents",
        re.compile(
            r"\b(documents?|docs?|paperwork|what do i need|which (papers|proof)|how (do|can) i fix)\b", re.I
        ),
    ),
    (
        "faq",
        re.compile(
            r"\b(bonus|\$ ?500|how long|fees?|interest|open(ing)? an account|branch|hours|contact)\b",
            re.I,
        ),
    ),
    (
        "status",
        re.compile(
            r"\b(status|pending|active|activated|not active|open yet|why|check|look ?up|stuck|approved)\b",
            re.I,
        ),
    ),
]


class Parsed(BaseModel):
    intent: Intent = "unknown"
    account_ids: list[str] = []
    name: str | None = None
    malformed_id: bool = False


def parse(text: str, expecting_name: bool = False) -> Parsed:
    intent: Intent = next((i for i, p in _INTENTS if p.search(text)), "unknown")
    ids = list(dict.fromkeys(_ACCOUNT_ID.findall(text)))
    malformed = bool(_LONG_DIGITS.search(text)) or (not ids and bool(_MALFORMED_ID.search(text)))
    name = None
    match = _NAME.search(text) or (_BARE_NAME.match(text) if expecting_name else None)
    if match:
        name = match.group(1)
    if name and name.split()[0].lower() in _NOT_NAMES:
        name = None
    return Parsed(intent=intent, account_ids=ids, name=name, malformed_id=malformed)
