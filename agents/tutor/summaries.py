"""Summaries of a domain, a task statement or a cheat sheet: an outline built from section leads."""

from __future__ import annotations

import re

from agents.tutor.composer import Composed
from agents.tutor.library import Library, SectionInfo, _notes_bodies
from agents.tutor.structure import first_sentence

DOMAINS = {
    1: "Fundamentals of AI and ML (20%)",
    2: "Fundamentals of Generative AI (24%)",
    3: "Applications of Foundation Models (28%)",
    4: "Guidelines for Responsible AI (14%)",
    5: "Security, Compliance, and Governance for AI Solutions (14%)",
}
TASKS = {
    "1.1": "basic AI concepts and terminology",
    "1.2": "practical use cases for AI",
    "1.3": "the ML development lifecycle",
    "2.1": "basic concepts of generative AI",
    "2.2": "capabilities and limitations of generative AI",
    "2.3": "AWS infrastructure and technologies for generative AI",
    "3.1": "design considerations for foundation model applications",
    "3.2": "effective prompt engineering techniques",
    "3.3": "the training and fine-tuning process for foundation models",
    "3.4": "methods to evaluate foundation model performance",
    "4.1": "development of responsible AI systems",
    "4.2": "transparent and explainable models",
    "5.1": "methods to secure AI systems",
    "5.2": "governance and compliance regulations for AI systems",
}
BUDGET = 225  # words of an outline, so the whole reply (notice, offer) stays within ~250
GIST_WORDS = 9  # one short line per section: what it is, in the notes' own first words
MIN_LINES = 2  # sections with a line per task statement of a domain; the rest are named
NAMED = 4  # titles named after them; beyond, a count
_PHRASE_STARTS = frozenset(
    {"that", "which", "where", "when", "who", "whose", "in", "on", "to", "for", "with", "from", "by", "so"}
    | {"because", "while", "using", "through", "as", "and", "or", "instead", "without"}
)
_ABOUT_EXAM = re.compile(r"\bexam (?:format|overview)\b", re.I)
_CLAUSE = re.compile(r"[,;:–(]| - ")
# "Retrieval-augmented generation (RAG) is a technique that …": the name is already on the line
_DEFINED_AS = re.compile(r"^.{0,90}?\b(?:is|are|refers to|means|describes)\s+(?:(?:a|an|the)\s+)?", re.I)


def gist(info: SectionInfo, limit: int = GIST_WORDS) -> str:
    """What a section is about in a few words: its lead's first sentence without the name it
    defines, cut at a clause when long; no emphasis marks, so nothing can be cut inside them."""
    lead = info.parts.lead
    if lead is None:
        return ""
    sentence = first_sentence(lead.text).replace("**", "").replace("`", "").rstrip(".")
    defined = _DEFINED_AS.match(sentence)
    if defined and len(sentence[defined.end() :].split()) >= 4:
        sentence = sentence[defined.end() :]
    words = sentence.split()
    if len(words) <= limit:
        return sentence
    clause = _CLAUSE.split(sentence, maxsplit=1)[0].strip()
    if 4 <= len(clause.split()) <= limit:
        return clause + "…"
    # cut before a word that starts a new phrase ("… lifecycle | where you …"), not inside one
    cut = next((i for i in range(limit, 3, -1) if words[i].lower() in _PHRASE_STARTS), limit)
    return " ".join(words[:cut]).rstrip(",;:–-") + "…"


def short_title(info: SectionInfo) -> str:
    """A heading without what follows its colon ("AWS AI and ML stack: AI services, …")."""
    return info.title.split(":")[0].strip()


def _position(info: SectionInfo) -> int:
    order = {section_id: n for n, section_id in enumerate(_notes_bodies())}
    return order.get(info.id, len(order))


def ranked(sections: list[SectionInfo]) -> tuple[list[SectionInfo], list[SectionInfo]]:
    """Each note file's first section (its main topic), then the rest, both in the notes' order;
    sections about the exam itself last."""
    ordered = sorted(sections, key=_position)
    mains: list[SectionInfo] = []
    files: set[str] = set()
    for info in ordered:
        if info.source not in files and not _ABOUT_EXAM.search(info.title):
            mains.append(info)
            files.add(info.source)
    others = [s for s in ordered if s not in mains]
    others.sort(key=lambda s: bool(_ABOUT_EXAM.search(s.title)))
    return mains, others


def _line(info: SectionInfo, answer: Composed) -> str:
    return f"- **{short_title(info)}**: {gist(info)} [{answer.cite(info.id)}]"


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def _also(titles: list[str], prefix: str) -> str:
    more = f" and {len(titles) - NAMED} more" if len(titles) > NAMED else ""
    return f"{prefix}{', '.join(titles[:NAMED])}{more}."


def summary_answer(library: Library, domain: int | None, task: str | None, answer: Composed) -> str:
    """An outline within BUDGET words: every section shown gets one short cited line, in the notes'
    order, each task statement's main topics first; the rest are named so they can be asked for."""
    by_task = library.by_task()
    if task:
        sections = by_task.get(task, [])
        if not sections:
            return f"The notes have no sections for task statement {task}."
        lines = [f"**Task {task}: {TASKS.get(task, '')}**".replace(": **", "**")]
        mains, others = ranked(sections)
        kept: list[SectionInfo] = []
        used = _words(lines)
        for info in mains + others:
            size = len(_line(info, Composed(text="")).split())
            if used + size > BUDGET - 25:  # room for "Also in …"
                break
            kept.append(info)
            used += size
        kept.sort(key=_position)
        lines += [_line(info, answer) for info in kept]
        rest = [s for s in mains + others if s not in kept]
        if rest:
            lines.append("\n" + _also([short_title(s) for s in rest], f"Also in {task}: "))
        return "\n".join(lines)
    assert domain is not None
    lines = [f"**Domain {domain}: {DOMAINS[domain]}**"]
    keys = sorted(t for t in by_task if t.startswith(f"{domain}."))
    per_task = (BUDGET - 20) // max(1, len(keys))  # header and closing line aside
    for key in keys:
        mains, others = ranked(by_task[key])
        block = [f"\n**{key} {TASKS.get(key, '')}**".rstrip()]
        lined: list[SectionInfo] = []
        used = _words(block)
        for info in mains + others:
            size = len(_line(info, Composed(text="")).split())
            if len(lined) >= MIN_LINES and used + size > per_task - 18:  # room for "Also"
                break
            lined.append(info)
            used += size
        lined.sort(key=_position)  # shown in the notes' order, cited in that order
        block += [_line(info, answer) for info in lined]
        rest = [s for s in mains + others if s not in lined]
        if rest:
            block.append(_also([short_title(s) for s in rest], "- Also: "))
        lines += block
    lines.append(f'\nAsk about any topic, or "what\'s in task {domain}.1".')
    return "\n".join(lines)
