"""Thread manners, shared by the adapters: which messages in a thread the bot joined are for it.

In a thread it answers the person it is talking to, anyone's answer to its own open quiz question,
and messages that mention it; it stays out of messages addressed to someone else and of chit-chat
between people. A channel can be set to "only when mentioned" (`admin mentions here on`)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field


class ThreadView(BaseModel):
    """What the bot knows of a thread before it decides to answer a message in it."""

    known: bool = Field(False, description="The bot has a conversation in this thread.")
    owner: str | None = Field(None, description="Who the bot is talking to there (platform user id).")
    quiz_open: bool = Field(False, description="A practice question of the bot's waits for an answer.")
    flow_open: bool = Field(
        False, description="Another flow (banking, mock exam, approval) waits for its owner."
    )
    mentions_only: bool = Field(False, description="The channel asked for answers only when mentioned.")


class ThreadMessage(BaseModel):
    """A person's message in a thread, already read from its platform."""

    author: str
    text: str = Field(description="The text, the bot's own mention removed.")
    mentions_bot: bool = False
    mentions_others: bool = Field(False, description="It names another person or a role (@someone).")


# "B", "a and c", "my answer is D", "B, D", "C A B D", "A-2 B-1 C-3": an answer to a quiz question
_ANSWER_LEAD = re.compile(
    r"^(?:(?:i\s+think|i'?d\s+say|i\s+guess|my\s+answer(?:\s+is)?|answer(?:\s+is)?|it'?s|it\s+is|"
    r"option|options|maybe|probably)\s*[:\-]?\s*)+",
    re.I,
)
_ANSWER = re.compile(
    r"^\(?[A-Fa-f]\)?(?:\s*(?:-|:|=|->|→|to)\s*\d)?"
    r"(?:\s*(?:,|and|&|/|\+|then|>|->|\s)\s*\(?[A-Fa-f]\)?(?:\s*(?:-|:|=|->|→|to)\s*\d)?)*\s*[.!?]*$"
)
# a learner steering the quiz rather than answering it
_QUIZ_CONTROL = re.compile(
    r"^(?:next|skip|stop|quit|end|cancel|done|hint|explain|why|another|more|repeat|again|"
    r"stop\s+the\s+quiz|end\s+quiz|give\s+me\s+a\s+hint)\b",
    re.I,
)
# words of small talk between people ("lol same", "thanks, that helps!", "ok cool")
_SOCIAL = frozenset(
    {
        "thanks",
        "thank",
        "thx",
        "ty",
        "tysm",
        "cheers",
        "lol",
        "lmao",
        "rofl",
        "haha",
        "hahaha",
        "hehe",
        "same",
        "ok",
        "okay",
        "k",
        "kk",
        "cool",
        "nice",
        "great",
        "awesome",
        "perfect",
        "gotcha",
        "got",
        "it",
        "makes",
        "sense",
        "that",
        "this",
        "helps",
        "helped",
        "helpful",
        "very",
        "much",
        "so",
        "a",
        "lot",
        "you",
        "yep",
        "yeah",
        "yup",
        "nope",
        "wow",
        "oh",
        "ah",
        "right",
        "sure",
        "np",
        "no",
        "problem",
        "welcome",
        "agreed",
        "true",
        "indeed",
        "good",
        "job",
        "well",
        "done",
        "love",
        "congrats",
        "gg",
        "+1",
        "me",
        "too",
    }
)
_WORD = re.compile(r"[\w+']+")


def looks_like_answer(text: str) -> bool:
    """Letters (and numbers, for matching) the way people answer a multiple-choice question."""
    body = _ANSWER_LEAD.sub("", text.strip())
    return bool(body) and len(body) <= 60 and bool(_ANSWER.match(body))


def is_chitchat(text: str) -> bool:
    """Short small talk: every word social, or no words at all (emoji, "+1")."""
    words = [w.lower() for w in _WORD.findall(text)]
    return len(words) <= 6 and all(w in _SOCIAL for w in words)


def for_the_bot(message: ThreadMessage, view: ThreadView) -> bool:
    """Whether the bot should answer this message of a thread."""
    if message.mentions_bot:
        return True
    if not view.known or view.mentions_only or message.mentions_others:
        return False
    if view.quiz_open:  # a quiz in a thread takes answers from anyone; the rest is talk
        if looks_like_answer(message.text):
            return True
        return message.author == view.owner and bool(_QUIZ_CONTROL.match(message.text.strip()))
    if message.author != view.owner:
        return False
    if view.flow_open:  # an account number, "yes", "cancel": the flow's to read
        return True
    return not is_chitchat(message.text)
