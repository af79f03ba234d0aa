"""The router node: sticky while a flow is pending, otherwise classifies the message."""

from __future__ import annotations

import logging
import re

from langgraph.runtime import Runtime
from langgraph.types import Command

from agents.context import AgentContext
from agents.reply import Route
from agents.router.classifier import RouteDecision, rule_route
from agents.state import State
from agents.tutor.mcq import parse_pasted_question

log = logging.getLogger(__name__)

_EXIT = re.compile(
    r"^\s*(stop|cancel|quit|exit|end|abort|never ?mind|nvm|enough)\b[\s\w]{0,20}[.!]*\s*$", re.I
)
# Replies that only make sense inside a flow: letters, orderings, matchings, ids, yes/no, names.
_ANSWER_SHAPED = re.compile(
    r"^\s*([a-h](\s*(,|and|&|-\s*\d)?\s*[a-h1-9])*|\d{1,12}|yes|no|y|n|ok|next|skip|hint|approve|"
    r"[\w'.-]+( [\w'.-]+){0,2})\s*[.!]?\s*$",
    re.I,
)
LEAVE_FLOW_CONFIDENCE = 0.7
# After a tutor answer these only make sense as follow-ups to it ("more", "give me an example").
_TUTOR_FOLLOW_UP = re.compile(
    r"^\s*(?:ok(?:ay)?[, ]+|and |so |but |also )?(?:more|tell me more"
    r"|go on|continue|keep going|what else|anything else|"
    r"more details?|the rest|elaborate|expand on (?:that|it|this)|go deeper|"
    r"(?:can you |could you |please )?(?:give|show) me (?:an?"
    r"|another|one more) (?:example|use case)|an example|example\??|"
    r"(?:can you )?explain (?:it|that|this) (?:simpler|more simply"
    r"|in plain english|like i'?m (?:five|5))|simpler|eli5|"
    r"(?:and )?how is (?:it|that|this) (?:priced|billed|charged|different from .+)|"
    r"(?:and |what about |how about )(?:its|the) (?:limits"
    r"|limitations|pricing|cost|drawbacks)|what are its limits)"
    r"\s*[.!?]*\s*$",
    re.I,
)
# Short questions that point back at the last answer ("when should I use it?", "compare them",
# "which one needs no code?") belong to the tutor that gave it, unless a rule says otherwise.
_REFERS_BACK = re.compile(
    r"^\s*(?:and|also|but|so|what about|how about|which one|which of (?:them|these|those|the two))\b"
    r"|\b(?:it|its|it's|they|them|their|theirs|that one|this one|the two|both|each)\b",
    re.I,
)
FOLLOW_UP_WORDS = 12


def tutor_follow_up(text: str, state: State) -> bool:
    """After a tutor answer, with no flow open: is this a follow-up to it?"""
    if state.get("pending") or state.get("route") != "tutor" or not state.get("topic"):
        return False
    if _TUTOR_FOLLOW_UP.match(text):
        return True
    short = len(text.split()) <= FOLLOW_UP_WORDS
    return short and bool(_REFERS_BACK.search(text)) and rule_route(text) is None


def pasted_question(text: str) -> bool:
    """A pasted multiple-choice question (the explainer's parser decides)."""
    try:
        return parse_pasted_question(text) is not None
    except Exception:  # a parser bug must not stop routing
        log.warning("pasted-question parser failed", exc_info=True)
        return False


def is_exit(text: str) -> bool:
    return bool(_EXIT.match(text))


def stays_in_flow(text: str, active: Route, decision: RouteDecision) -> bool:
    """Inside a flow, a message stays with the active agent unless it clearly asks for another."""
    if is_exit(text) or (_ANSWER_SHAPED.match(text) and "?" not in text):
        return True
    if active == "quizmaster" and decision.route == "tutor":
        return True  # a side question mid-quiz: the quizmaster answers it through the tutor, keeps the quiz
    return decision.route == active or decision.confidence < LEAVE_FLOW_CONFIDENCE


async def router(state: State, runtime: Runtime[AgentContext]) -> Command:
    text = state["text"]
    active, pending = state.get("active"), state.get("pending")
    requested = state.get("requested")
    if requested:  # a slash command names its agent; a different one leaves the open flow
        update = {"route": requested, "confidence": 1.0}
        if active and active != requested:
            update |= {"pending": None, "active": None}
        return Command(goto=requested, update=update)
    if not (pending and active and _ANSWER_SHAPED.match(text)) and pasted_question(text):
        return Command(
            goto="tutor", update={"route": "tutor", "confidence": 1.0, "pending": None, "active": None}
        )
    if tutor_follow_up(text, state):
        return Command(goto="tutor", update={"route": "tutor", "confidence": 1.0})
    decision = await runtime.context.classifier.classify(text)
    update: dict = {"route": decision.route, "confidence": decision.confidence}
    if pending and active:
        if stays_in_flow(text, active, decision):
            return Command(goto=active, update={"route": active, "confidence": 1.0})
        update |= {"pending": None, "active": None}  # a clearly different request leaves the flow
    return Command(goto=decision.route, update=update)
