"""The router node: sticky while a flow is pending, otherwise classifies the message."""

from __future__ import annotations

import re

from langgraph.runtime import Runtime
from langgraph.types import Command

from agents.context import AgentContext
from agents.reply import Route
from agents.router.classifier import RouteDecision
from agents.state import State

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


def is_exit(text: str) -> bool:
    return bool(_EXIT.match(text))


def stays_in_flow(text: str, active: Route, decision: RouteDecision) -> bool:
    """Inside a flow, a message stays with the active agent unless it clearly asks for another."""
    if is_exit(text) or (_ANSWER_SHAPED.match(text) and "?" not in text):
        return True
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
    decision = await runtime.context.classifier.classify(text)
    update: dict = {"route": decision.route, "confidence": decision.confidence}
    if pending and active:
        if stays_in_flow(text, active, decision):
            return Command(goto=active, update={"route": active, "confidence": 1.0})
        update |= {"pending": None, "active": None}  # a clearly different request leaves the flow
    return Command(goto=decision.route, update=update)
