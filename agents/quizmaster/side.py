"""Side questions asked while a quiz question is open ("wait, what is Kiro?").

They are answered by the tutor (same retrieval, same citations) and the open question is shown
again. If answering would give the open question away (the side question names something an option
names, or its best note section is one the question is built on) the answer waits until the open
question is answered.
"""

from __future__ import annotations

import logging
import re

from langgraph.runtime import Runtime

from agents.context import AgentContext
from agents.quizmaster.explain import cited_lines
from agents.state import State
from knowledge.question_bank import Question

log = logging.getLogger(__name__)

_ASKING = re.compile(
    r"\?\s*$|^\s*(?:(?:wait|hm+|btw|by the way|quick question|sorry|oh|ok(?:ay)?)[,.!\s]+)*"
    r"(?:what|what'?s|whats|how|why|who|when|where|which|is|are|does|do|can|could|explain|define|"
    r"tell me|describe|difference)\b",
    re.I,
)
_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
_NOT_CONTENT = set(
    """what whats how why who when where which the and are does can could explain define tell
    describe difference between is this that these those it its one answer option options question
    right wrong correct think mean means meant about wait btw way quick sorry okay you your for with
    from did was were has have had not any all some there here their them they then than also just
    really stand""".split()  # noqa: SIM905 - a word list reads better as text
)
NOW_VALUE = "quiz:side:now"


def _terms(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _NOT_CONTENT}


def is_side_question(text: str) -> bool:
    """A question about something, not an answer: asking words and at least one content word."""
    return bool(_ASKING.search(text)) and bool(_terms(text))


def looks_like_a_topic(text: str) -> bool:
    """Not an answer and not a question, but about something: three or more content words."""
    return len(_terms(text)) >= 3


def gives_away(text: str, question: Question, top_sections: list[str]) -> bool:
    asked = _terms(text)
    named = set().union(*(_terms(o) for o in question.options.values()))
    named |= set().union(*(_terms(t) for t in question.targets.values())) if question.targets else set()
    return bool(asked & named) or bool(top_sections[:1] and top_sections[0] in question.sources)


async def answer(text: str, state: State, runtime: Runtime[AgentContext]) -> tuple[str, dict]:
    """The tutor's answer to `text` with its citations inline, and the tutor's memory updates."""
    from agents.tutor.node import tutor  # the tutor answers; imported late to keep start-up light

    try:
        update = await tutor({**state, "text": text}, runtime)  # type: ignore[typeddict-item]
    except Exception as exc:  # the quiz must survive a tutor failure
        log.warning("side question failed: %s", type(exc).__name__)
        return "I couldn't look that up just now; ask me again after the quiz.", {}
    draft = update.get("draft")
    if draft is None:
        return "I couldn't find that in the notes.", {}
    body = "\n".join([draft.text, *cited_lines(draft.citations)])
    keep = {k: update[k] for k in ("topic", "last_query", "tutor_memory") if k in update}
    return body, keep


def top_sections(text: str, context: AgentContext) -> list[str]:
    try:
        return [p.section for p in context.retriever.search(text, k=3).passages]
    except Exception:  # retrieval trouble: fall back to the option-word check alone
        return []
