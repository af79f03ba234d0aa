"""The tutor: hybrid retrieval, then a grounded answer with numbered citations."""

from __future__ import annotations

import asyncio
import logging
import re

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agents.context import AgentContext
from agents.reply import Citation, Reply
from agents.state import State
from agents.tutor.extractive import extractive_answer
from agents.tutor.prompts import (
    EXCERPTS_NOTICE,
    MODEL_FAILED_NOTICE,
    NOT_IN_NOTES,
    TUTOR_SYSTEM,
)
from knowledge.retriever import Passage

log = logging.getLogger(__name__)

MIN_SIMILARITY = 0.30  # below this the best passage is about something else
MAX_SOURCES = 3
HISTORY_MESSAGES = 6
_MASK = re.compile(r"\{[A-Z_]+\}")
_FOLLOW_UP = re.compile(
    r"^\s*(and|also|but|so|what about|how about|why|then)\b"
    r"|\b(it|its|it's|they|them|their|that|this|those|these)\b",
    re.I,
)


def contextual_query(text: str, last_query: str | None) -> str:
    """A short follow-up ('and how is it priced?') is searched together with the last question."""
    if last_query and len(text.split()) <= 10 and _FOLLOW_UP.search(text):
        return f"{last_query} {text}"
    return text


def relevant(passages: list[Passage]) -> list[Passage]:
    if not passages or passages[0].similarity < MIN_SIMILARITY:
        return []
    floor = max(MIN_SIMILARITY, passages[0].similarity - 0.15)
    return [p for p in passages[:MAX_SOURCES] if p.similarity >= floor or p is passages[0]]


def citations(passages: list[Passage]) -> list[Citation]:
    return [
        Citation(n=n, section=p.section, title=p.title, source=p.source)
        for n, p in enumerate(passages, start=1)
    ]


async def model_answer(context: AgentContext, state: State, question: str, passages: list[Passage]) -> str:
    sources = "\n\n".join(f"[{n}] {p.text}" for n, p in enumerate(passages, start=1))
    history = [m for m in state.get("messages", [])[:-1] if isinstance(m, HumanMessage | AIMessage)][
        -HISTORY_MESSAGES:
    ]
    messages = [
        SystemMessage(TUTOR_SYSTEM.format(sources=sources)),
        *history,
        HumanMessage(question),
    ]
    assert context.chat_model is not None
    response = await context.chat_model.ainvoke(messages)
    return response.text if hasattr(response, "text") else str(response.content)


async def tutor(state: State, runtime: Runtime[AgentContext]) -> dict:
    context = runtime.context
    question = state["text"]
    # masked personal data ("{EMAIL}") says nothing about the topic
    query = contextual_query(_MASK.sub(" ", question), state.get("last_query"))
    result = await asyncio.to_thread(context.retriever.search, query, MAX_SOURCES + 2)
    passages = relevant(result.passages)
    if not passages:
        return {"draft": Reply(text=NOT_IN_NOTES, route="tutor"), "sources": []}

    notice = None
    text = ""
    if context.chat_model is not None:
        try:
            text = await model_answer(context, state, question, passages)
        except Exception as exc:  # throttling, timeouts, outages: answer offline instead
            log.warning("tutor model failed: %s", type(exc).__name__)
            notice = MODEL_FAILED_NOTICE
    evidence = [p.text for p in passages]  # a written answer is checked against its sources
    if not text.strip():
        text = extractive_answer(query, passages) or NOT_IN_NOTES
        notice = notice or EXCERPTS_NOTICE
        evidence = []  # excerpts are the sources' own sentences
    cited = citations(passages)
    return {
        "draft": Reply(text=text, route="tutor", citations=cited, notice=notice),
        "sources": cited,
        "evidence": evidence,
        "topic": passages[0].title,
        "last_query": query,
    }
