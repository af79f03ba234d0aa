"""The tutor node: take the question apart, find the sections, answer with numbered citations.

Offline the answer is composed from whole parts of the notes (agents/tutor/composer.py); with a chat
model the model gets the same structured evidence and writes the answer."""

from __future__ import annotations

import asyncio
import logging
import re

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agents.context import AgentContext
from agents.guards.mention import as_data
from agents.reply import Citation, Reply
from agents.state import State
from agents.tutor.answer import Memory, Outcome, Tutor
from agents.tutor.composer import MORE_OFFER, Composed, remaining
from agents.tutor.explainer import explain_turn
from agents.tutor.intents import Question, classify
from agents.tutor.library import Library, SectionInfo, library_for
from agents.tutor.mcq import parse_pasted_question
from agents.tutor.prompts import (
    CORRECTED,
    EXCERPTS_NOTICE,
    INTENT_TASKS,
    LONG_PASTE,
    MODEL_FAILED_NOTICE,
    NEAREST_TOPICS,
    NOT_IN_NOTES,
    OTHER_LANGUAGE,
    TUTOR_SYSTEM,
)
from agents.tutor.spelling import Speller

log = logging.getLogger(__name__)

HISTORY_MESSAGES = 6
MEMORY_SECTIONS = 20  # sections whose shown parts the tutor remembers per conversation
LONG_QUESTION_CHARS = 600  # beyond this, a paste: the question is looked for at its end
_MASK = re.compile(r"\{[A-Z_]+\}")
_FENCE = re.compile(r"```.*?(```|$)", re.S)
_MARKUP = re.compile(r"(^|\s)[#>|*_`~-]+|[*_`|]+(\s|$)", re.M)
_FOLLOW_UP = re.compile(
    r"^\s*(and|also|but|so|what about|how about|why|then)\b"
    r"|\b(it|its|it's|they|them|their|that|this|those|these)\b",
    re.I,
)
_FOREIGN = re.compile(
    r"\b(qu[eé]|c[oó]mo|es el|es la|el|los|las|por qu[eé]|cu[aá]l|was ist|wie|warum|der|die|das|ist|"
    r"qu'est-ce|c'est|comment|pourquoi|o que [eé]|como funciona|che cos'?[eè]|cos'?[eè]|perch[eé])\b",
    re.I,
)
_EXPLAIN_THEN_QUIZ = re.compile(
    r"^\s*(?:can you |could you |please )?(?:explain|teach me"
    r"|tell me about|describe|go over|review|what is|what are)"
    r"\s+(?P<topic>.+?)[\s,;.]+(?:and\s+)?(?:then\s+)?(?:quiz|test|drill|question)\s+me\b",
    re.I,
)
_spellers: dict[int, Speller] = {}


def contextual_query(text: str, last_query: str | None) -> str:
    """A short follow-up ('and how is it priced?') is searched together with the last question."""
    if last_query and len(text.split()) <= 10 and _FOLLOW_UP.search(text):
        return f"{last_query} {text}"
    return text


def speller_for(library: Library) -> Speller:
    key = id(library)
    if key not in _spellers:
        _spellers.clear()  # one library at a time; a rebuilt one replaces it
        _spellers[key] = Speller(library)
    return _spellers[key]


def explain_then_quiz(text: str) -> str | None:
    """'explain RAG and then quiz me on it' → 'RAG': answer first, then start a quiz on it."""
    match = _EXPLAIN_THEN_QUIZ.match(text)
    return match.group("topic").strip(" ,.") if match else None


def question_of_paste(raw: str) -> str:
    """The question a long paste ends with: its last sentence with a question mark, else its end."""
    tail = raw[-LONG_QUESTION_CHARS:]
    asked = re.findall(r"[^.?!\n]{3,300}\?", tail)
    return asked[-1].strip() if asked else " ".join(tail.split()[-40:])


def searchable(text: str) -> str:
    """Pasted code and markdown: the question around them, plus the code's names when the
    question is about the code ("what does this client do?")."""
    code = " ".join(m.group(0) for m in _FENCE.finditer(text))
    prose = " ".join(_MARKUP.sub(" ", _FENCE.sub(" ", text)).split())
    if not code:
        return prose
    names = re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", code.replace("```", " "))
    if not prose or len(prose.split()) < 12:
        prose = f"{prose} {' '.join(dict.fromkeys(names[:30]))}".strip()
    return prose


def citations(library: Library, composed: Composed) -> list[Citation]:
    cited = []
    for n, section in enumerate(composed.sections, start=1):
        info = library.sections[section]
        cited.append(Citation(n=n, section=section, title=info.title, source=info.source))
    return cited


def model_sources(library: Library, composed: Composed) -> list[str]:
    """The structured evidence of a composed answer, per cited section: the defining paragraph,
    then the parts chosen for this question, then the section's contrasts."""
    sources = []
    for n, section in enumerate(composed.sections, start=1):
        info = library.sections[section]
        lead = info.parts.lead
        shown = set(composed.shown.get(section, []))
        chosen = [p.text for p in info.parts.parts if p.index in shown and p is not lead]
        contrasts = [p.text for p in info.parts.of("contrast") if p.index not in shown]
        text = f"[{n}] {info.title}\nDefining paragraph: {lead.text if lead else ''}"
        if chosen:
            text += "\nFor this question:\n" + "\n\n".join(chosen)
        if contrasts:
            text += "\nContrasts:\n" + "\n\n".join(contrasts)
        sources.append(text)
    return sources


def offer_more(text: str, main: SectionInfo, shown: dict[str, list[int]]) -> str:
    """Offer "more" only while the conversation has not yet seen all of the main section."""
    text = text.removesuffix(f"\n\n{MORE_OFFER}")
    return f"{text}\n\n{MORE_OFFER}" if remaining(main, shown) else text


def load_memory(state: State) -> Memory:
    data = state.get("tutor_memory") or {}
    question = Question.model_validate(data["question"]) if data.get("question") else None
    last = next((m.text for m in reversed(state.get("messages", [])[:-1]) if isinstance(m, AIMessage)), "")
    return Memory(
        question=question,
        focus=list(data.get("focus", [])),
        shown={k: list(v) for k, v in (data.get("shown") or {}).items()},
        last_answer=last if data else "",
        last_query=state.get("last_query"),
        earlier=data.get("earlier"),
    )


async def model_answer(
    context: AgentContext, state: State, question: str, intent: str, sources: list[str]
) -> str:
    history = [m for m in state.get("messages", [])[:-1] if isinstance(m, HumanMessage | AIMessage)][
        -HISTORY_MESSAGES:
    ]
    system = TUTOR_SYSTEM.format(task=INTENT_TASKS.get(intent, ""), sources="\n\n".join(sources))
    messages = [SystemMessage(system), *history, HumanMessage(as_data(question))]
    assert context.chat_model is not None
    response = await context.chat_model.ainvoke(messages)
    return response.text if hasattr(response, "text") else str(response.content)


def _not_found(outcome: Outcome, prefix: list[str]) -> dict:
    text = NOT_IN_NOTES
    if outcome.nearest:
        text += " " + NEAREST_TOPICS.format(topics=", ".join(outcome.nearest))
    return {"draft": Reply(text="\n\n".join([*prefix, text]), route="tutor"), "sources": [], "evidence": []}


async def _explained(state: State, runtime: Runtime[AgentContext]) -> dict | None:
    """A pasted multiple-choice question goes to the explainer (issue 16)."""
    if parse_pasted_question(state["text"]) is None:
        return None
    return await explain_turn(state, runtime)


async def _then_quiz(update: dict, state: State, runtime: Runtime[AgentContext], topic: str) -> dict:
    """'explain X and then quiz me on it': the tutor's answer, then the quizmaster's first question
    on the same topic, in one reply."""
    from agents.quizmaster.node import quizmaster

    handed = {**state, "text": f"quiz me on {topic}", "topic": topic}
    quiz = await quizmaster(handed, runtime)  # type: ignore[arg-type]
    draft: Reply = update["draft"]
    asked: Reply | None = quiz.get("draft")
    if asked is None:
        return update
    merged = asked.model_copy(
        update={
            "text": f"{draft.text}\n\n---\n\n{asked.text}",
            "citations": draft.citations,
            "notice": draft.notice,
        }
    )
    return {**update, **quiz, "draft": merged, "topic": topic}


async def tutor(state: State, runtime: Runtime[AgentContext]) -> dict:
    explained = await _explained(state, runtime)
    if explained is not None:
        return explained
    context = runtime.context
    text = state["text"]
    prefix: list[str] = []
    messages = [m for m in state.get("messages", []) if isinstance(m, HumanMessage)]
    raw = messages[-1].text if messages else text
    if len(raw) > context.max_input_chars or len(text) > LONG_QUESTION_CHARS:
        text = question_of_paste(raw if len(raw) > len(text) else text)
        prefix.append(LONG_PASTE.format(length=len(raw), question=text))
    # masked personal data ("{EMAIL}") says nothing about the topic
    asked = searchable(_MASK.sub(" ", text)) or text
    quiz_topic = explain_then_quiz(asked)
    if quiz_topic:
        asked = quiz_topic
    library = await asyncio.to_thread(library_for, context.retriever.index)
    speller = speller_for(library)
    memory = load_memory(state)
    asked, corrections = speller.correct(asked)
    question = classify(asked, memory.question, memory.earlier)
    engine = Tutor(context.retriever, library, speller)
    outcome = await asyncio.to_thread(engine.answer, asked, question, memory)
    notice = EXCERPTS_NOTICE
    if _FOREIGN.search(asked) and not re.search(r"\b(what|how|why|which)\b", asked, re.I):
        notice = f"{OTHER_LANGUAGE} {notice}"
    composed = outcome.composed
    if composed is None or not composed.sections:
        return _not_found(outcome, prefix)
    if corrections:
        prefix.append(CORRECTED.format(words=", ".join(f"{b} (you typed {a})" for a, b in corrections)))

    answer_text = composed.text
    main = library.sections[composed.sections[0]]
    # what the conversation has seen, so "more" and follow-ups show what is left
    shown = {k: list(v) for k, v in memory.shown.items()}
    for section, seen in composed.shown.items():
        shown[section] = sorted(set(shown.pop(section, [])) | set(seen))  # moved to the end: newest
    shown = dict(list(shown.items())[-MEMORY_SECTIONS:])
    if question.intent != "summary":  # an outline is finished; its topics are asked for by name
        answer_text = offer_more(answer_text, main, shown)
    evidence: list[str] = []  # a composed answer quotes the notes; a written one is checked
    if context.chat_model is not None:
        sources = model_sources(library, composed)
        try:
            written = await model_answer(context, state, asked, question.intent, sources)
        except Exception as exc:  # throttling, timeouts, outages: answer offline instead
            log.warning("tutor model failed: %s", type(exc).__name__)
            notice = MODEL_FAILED_NOTICE
        else:
            if written.strip():
                answer_text, notice, evidence = written, None, sources
                prefix = [p for p in prefix if not p.startswith(CORRECTED[:8])]
    cited = citations(library, composed)
    previous_subject = memory.question.subject if memory.question else None
    earlier = (
        previous_subject if previous_subject and previous_subject != question.subject else memory.earlier
    )
    memory_out = {
        "question": question.model_dump(),
        "focus": composed.sections,
        "shown": shown,
        "earlier": earlier,
    }
    last_query = contextual_query(text, state.get("last_query")) if question.follow_up else text
    update = {
        "draft": Reply(
            text="\n\n".join([*prefix, answer_text]), route="tutor", citations=cited, notice=notice
        ),
        "sources": cited,
        "evidence": evidence,
        "topic": main.title,
        "task": None,  # an explained question's task statement no longer applies
        "last_query": last_query,
        "tutor_memory": memory_out,
    }
    if quiz_topic:
        return await _then_quiz(update, state, runtime, main.title)
    return update
