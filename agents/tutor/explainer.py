"""Explain a pasted multiple-choice question: the pick(s), an honest confidence, and one line of
evidence from the notes for every option.

Offline each option is scored against the notes in the context of the stem (see `Scorer`); with a
chat model the model gets the question and the per-option evidence and writes the answer, which the
output guard then checks against that evidence."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process

from agents.context import AgentContext
from agents.guards.mention import as_data
from agents.reply import Citation, Reply
from agents.state import State
from agents.tutor import explainer_prompts as say
from agents.tutor.mcq import PastedQuestion, parse_pasted_question
from agents.tutor.option_scoring import Confidence, Scorer, confidence_of, evidence_line, normal_words

if TYPE_CHECKING:
    from agents.tutor.library import Library
    from knowledge.index import KnowledgeIndex
    from knowledge.question_bank import Question

log = logging.getLogger(__name__)

BANK_MATCH = 88  # rapidfuzz ratio of normalised stems that counts as the same question


class OptionVerdict(BaseModel):
    letter: str
    text: str
    fits: bool = Field(description="Among the picks.")
    evidence: str = Field(description="One line from the notes on this option.")
    source: str = Field(description="Where the evidence is from: 'file › section' or a bank id.")
    score: float = Field(0.0, exclude=True, description="The option's standardised score.")
    section: str = Field("", exclude=True, description="Section id of the evidence.")


class Explanation(BaseModel):
    """`aifbot explain --json` (DESIGN.md)."""

    question: str | None = Field(description="The question as parsed; None when there is none.")
    picks: list[str] = Field(default_factory=list)
    confidence: Confidence = "unsure"
    options: list[OptionVerdict] = Field(default_factory=list)
    reply: str = ""
    bank_id: str | None = Field(None, exclude=True)
    task: str | None = Field(None, exclude=True)
    topic: str | None = Field(None, exclude=True)
    citations: list[Citation] = Field(default_factory=list, exclude=True)
    evidence: list[str] = Field(default_factory=list, exclude=True, description="For the grounding check.")


# -- a question from our own bank -------------------------------------------------------------------

_stems_cache: dict[int, tuple[list, list[str]]] = {}


def _bank_stems(candidates: list[Question]) -> list[str]:
    """Normalised stems, computed once per bank (a bank's questions don't change while loaded)."""
    key = id(candidates[0]), len(candidates)
    cached = _stems_cache.get(hash(key))
    if cached is None or cached[0] is not candidates[0]:
        cached = (candidates[0], [normal_words(q.stem) for q in candidates])  # type: ignore[assignment]
        _stems_cache.clear()
        _stems_cache[hash(key)] = cached
    return cached[1]


def find_in_bank(question: PastedQuestion, bank: list[Question]) -> tuple[Question, dict[str, str]] | None:
    """The bank question this paste is (fuzzy stem match, options matched by text), with a map from
    the pasted letters to the bank's."""
    candidates = [q for q in bank if q.type in ("single", "multiple")]
    if not question.stem or not candidates:
        return None
    stems = _bank_stems(candidates)
    found = process.extractOne(normal_words(question.stem), stems, scorer=fuzz.ratio, score_cutoff=BANK_MATCH)
    if found is None:
        return None
    match = candidates[found[2]]
    bank_texts = {k: normal_words(v) for k, v in match.options.items()}
    mapping: dict[str, str] = {}
    for letter, text in question.options.items():
        best = process.extractOne(normal_words(text), bank_texts, scorer=fuzz.ratio, score_cutoff=80)
        if best is None:
            return None  # same stem, different options: not our question
        mapping[letter] = best[2]
    if len(set(mapping.values())) != len(mapping):
        return None
    return match, mapping


def explain_from_bank(question: PastedQuestion, match: Question, mapping: dict[str, str]) -> Explanation:
    right = set(match.answer_letters)
    picks = [k for k, v in mapping.items() if v in right]
    options = []
    for letter, text in question.options.items():
        bank_letter = mapping[letter]
        why = (
            match.explanation.correct
            if bank_letter in right
            else match.explanation.wrong.get(bank_letter, "")
        )
        options.append(
            OptionVerdict(
                letter=letter, text=text, fits=bank_letter in right, evidence=why, source=f"bank {match.id}"
            )
        )
    lines = [f"**{', '.join(picks)}** — {say.FROM_BANK.format(id=match.id)}", ""]
    lines += [f"{o.letter}. {o.text} — {'fits' if o.fits else 'does not fit'}: {o.evidence}" for o in options]
    return Explanation(
        question=question.text,
        picks=picks,
        confidence="confident",
        options=options,
        reply="\n".join(lines),
        bank_id=match.id,
        task=match.task,
    )


# -- the offline explanation ------------------------------------------------------------------------
def _problem_notes(question: PastedQuestion) -> list[str]:
    notes = []
    if "duplicate letters" in question.problems:
        notes.append(say.DUPLICATE_LETTERS)
    if "skipped letters" in question.problems:
        letters = "ABCDEFGH"[: "ABCDEFGH".index(list(question.options)[-1]) + 1]
        missing = ", ".join(x for x in letters if x not in question.options)
        notes.append(say.SKIPPED_LETTERS.format(letters=missing))
    if "more than six options" in question.problems:
        notes.append(say.TOO_MANY.format(n=len(question.options)))
    if question.missing_figure:
        notes.append(say.MISSING_FIGURE)
    return notes


def explain_offline(
    question: PastedQuestion, index: KnowledgeIndex, bank: list[Question] | None = None
) -> Explanation:
    """Pick(s), confidence and per-option evidence from the notes alone."""
    if not question.stem:
        return Explanation(question=None, reply=say.NO_STEM)
    if bank and (found := find_in_bank(question, bank)):
        explained = explain_from_bank(question, *found)
        from agents.tutor.library import library_for

        home = library_for(index).sections.get(found[0].sources[0])
        explained.topic = home.title if home else None
        return _with_key(explained, question, prefix=_problem_notes(question))
    from agents.tutor.library import library_for

    library = library_for(index)
    scores, evidence = Scorer(index).score(question)
    signed = -scores if question.qualifier == "negative" else scores
    letters = list(question.options)
    order = np.argsort(-signed, kind="stable")
    picks = sorted(letters[i] for i in order[: question.pick])
    confidence = confidence_of(signed[order], question.pick)
    if question.missing_figure and confidence == "confident":
        confidence = "likely"

    cited: dict[str, int] = {}
    options: list[OptionVerdict] = []
    passages: list[str] = []
    for i, letter in enumerate(letters):
        chunk = index.chunks[evidence[i]]
        section = library.sections.get(chunk.section)
        n = cited.setdefault(chunk.section, len(cited) + 1)
        line = evidence_line(chunk.text, question.options[letter], question.stem)
        title = section.title if section else chunk.title
        options.append(
            OptionVerdict(
                letter=letter,
                text=question.options[letter],
                fits=letter in picks,
                evidence=line,
                source=f"{chunk.source} › {title}",
                score=round(float(signed[i]), 3),
                section=chunk.section,
            )
        )
        passages.append(f"[{n}] {title}: {line}")
    citations = []
    for section_id, n in cited.items():
        info = library.sections.get(section_id)
        first = index.chunks[index.section_first_chunk[section_id]]
        citations.append(
            Citation(n=n, section=section_id, title=info.title if info else first.title, source=first.source)
        )
    # the topic is what the question is about: its best-supported option (for NOT, a true one)
    top = options[int(np.argmax(scores))]
    home = library.sections.get(top.section)
    explanation = Explanation(
        question=question.text,
        picks=picks,
        confidence=confidence,
        options=options,
        task=home.task if home else None,
        topic=home.title if home else None,
        citations=citations,
        evidence=[_evidence_block(index, library, s, n) for s, n in cited.items()],
    )
    explanation.reply = _reply_text(explanation, question, cited, passages)
    return _with_key(explanation, question, prefix=_problem_notes(question))


def _evidence_block(index: KnowledgeIndex, library: Library, section_id: str, n: int) -> str:
    info = library.sections.get(section_id)
    if info is None:
        return f"[{n}]"
    return f"[{n}] {info.title}\n{info.body}"


def _reply_text(
    explanation: Explanation, question: PastedQuestion, cited: dict[str, int], passages: list[str]
) -> str:
    picks = ", ".join(explanation.picks)
    named = "; ".join(question.options[p] for p in explanation.picks)
    head = f"**{picks}** — {named} (confidence: {say.CONFIDENCE_WORDS[explanation.confidence]})"
    lines = [head]
    if question.qualifier in say.QUALIFIER_NOTES:
        lines.append(say.QUALIFIER_NOTES[question.qualifier])
    lines.append("")
    for option in explanation.options:
        n = cited[option.section]
        if question.qualifier == "negative":
            verdict = "the exception" if option.fits else "applies"
        else:
            verdict = "fits" if option.fits else "doesn't fit"
        lines.append(f"{option.letter}. {option.text} — {verdict}: {option.evidence} [{n}]")
    if explanation.task and explanation.topic:
        lines += ["", say.FOLLOW_UP.format(task=explanation.task, topic=explanation.topic)]
    return "\n".join(lines)


def _with_key(explanation: Explanation, question: PastedQuestion, prefix: list[str]) -> Explanation:
    notes = list(prefix)
    if question.key:
        key, picks = ", ".join(question.key), ", ".join(explanation.picks)
        agree = sorted(question.key) == sorted(explanation.picks)
        notes.append(
            say.KEY_AGREES.format(key=key) if agree else say.KEY_DIFFERS.format(key=key, picks=picks)
        )
    if notes:
        explanation.reply = "\n\n".join(
            [explanation.reply.split("\n\n", 1)[0], *notes, *explanation.reply.split("\n\n")[1:]]
        )
    return explanation


# -- with a chat model ------------------------------------------------------------------------------
_ANSWER_LINE = re.compile(r"answers?\s*[:\-]\s*\**\s*([A-H](?:\s*(?:,|and|&)\s*[A-H])*)\b", re.I)


async def explain_with_model(
    question: PastedQuestion, offline: Explanation, context: AgentContext
) -> Explanation:
    """The model reads the question and the per-option evidence and writes the answer."""
    assert context.chat_model is not None
    hint = f"{', '.join(offline.picks)} ({offline.confidence})"
    system = say.EXPLAIN_SYSTEM.format(
        pick=question.pick,
        qualifier=say.QUALIFIER_RULES[question.qualifier],
        evidence="\n\n".join(offline.evidence),
        hint=hint,
    )
    response = await context.chat_model.ainvoke([SystemMessage(system), HumanMessage(as_data(question.text))])
    written = response.text if hasattr(response, "text") else str(response.content)
    if not written.strip():
        raise ValueError("empty model answer")
    match = _ANSWER_LINE.search(written)
    picks = offline.picks
    if match:
        said = sorted({x.upper() for x in re.findall(r"[A-Ha-h]", match.group(1))} & set(question.options))
        if len(said) == question.pick:
            picks = said
    agree = picks == offline.picks
    confidence: Confidence = offline.confidence if agree else "unsure"
    options = [o.model_copy(update={"fits": o.letter in picks}) for o in offline.options]
    return offline.model_copy(
        update={"picks": picks, "confidence": confidence, "options": options, "reply": written.strip()}
    )


# -- the graph node ---------------------------------------------------------------------------------
def _bank(context: AgentContext) -> list[Question]:
    if context.quiz is not None:
        return context.quiz.questions
    from knowledge.question_bank import load_questions

    return load_questions()


async def explain(text: str, context: AgentContext) -> tuple[Explanation, str | None]:
    """Explain the question in `text`; the second value is a notice for the reply."""
    question = parse_pasted_question(text)
    if question is None:
        return Explanation(
            question=None,
            reply="I found no multiple-choice question (a stem and 3–6 lettered options) in that.",
        ), None
    offline = await asyncio.to_thread(explain_offline, question, context.retriever.index, _bank(context))
    if context.chat_model is None or offline.question is None or offline.bank_id:
        return offline, (say.OFFLINE_NOTICE if offline.question and not offline.bank_id else None)
    try:
        return await explain_with_model(question, offline, context), None
    except Exception as exc:  # throttling, timeouts, outages: the offline scoring instead
        log.warning("explainer model failed: %s", type(exc).__name__)
        return offline, say.MODEL_FAILED_NOTICE


async def explain_turn(state: State, runtime: Runtime[AgentContext]) -> dict:
    """The tutor's answer to a pasted multiple-choice question, as a partial state update."""
    explained, notice = await explain(state["text"], runtime.context)
    update: dict = {
        "draft": Reply(text=explained.reply, route="tutor", citations=explained.citations, notice=notice),
        "sources": explained.citations,
        # a written answer is checked against the evidence; the offline one quotes the notes
        "evidence": explained.evidence if notice is None and not explained.bank_id else [],
    }
    if explained.topic:
        update["topic"] = explained.topic
        update["last_query"] = explained.topic
    if explained.task:
        update["task"] = explained.task
    return update
