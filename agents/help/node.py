"""The help agent: greetings, what the bot can do, and a polite no to off-topic requests."""

from __future__ import annotations

import re

from agents.help.prompts import CAPABILITIES, GREETING, OFF_TOPIC, THANKS
from agents.reply import Reply
from agents.state import State

_GREETING = re.compile(r"^\s*(hi|hello|hey|hiya|yo|howdy|good (morning|afternoon|evening))\b", re.I)
_THANKS = re.compile(r"\b(thanks|thank you|thx|ty|cheers)\b", re.I)
_ASKS_HELP = re.compile(r"\b(help|what can you do|who are you|how do i use|commands?|features?)\b", re.I)


def help_text(text: str, name: str = "") -> str:
    if _GREETING.search(text):
        opener = GREETING.format(name=f" {name}" if name else "")
    elif _THANKS.search(text):
        opener = THANKS
    elif _ASKS_HELP.search(text):
        opener = ""
    else:
        opener = OFF_TOPIC
    return opener + CAPABILITIES


async def help_agent(state: State) -> dict:
    user = state.get("user")
    return {"draft": Reply(text=help_text(state["text"], user.name if user else ""), route="help")}
