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
PER_TASK_IN_DOMAIN = 3  # sections with a line each; the rest are named
NAMED = 6  # titles named after them; beyond, a count
PER_TASK = 8
_ABOUT_EXAM = re.compile(r"\bexam (?:format|overview)\b", re.I)
_CLAUSE = re.compile(r"[,;:–(]| - ")


def gist(info: SectionInfo, limit: int = 22) -> str:
    """The lead's first sentence, or its first clause when the sentence is long; no emphasis marks,
    so nothing can be cut inside them."""
    lead = info.parts.lead
    if lead is None:
        return ""
    sentence = first_sentence(lead.text).replace("**", "").replace("`", "")
    if len(sentence.split()) <= limit:
        return sentence
    clause = _CLAUSE.split(sentence, maxsplit=1)[0].strip()
    if len(clause.split()) < 6:  # "Artificial intelligence (AI) is …" would say only its name
        return " ".join(sentence.split()[:limit]).rstrip(",;:") + "…"
    return clause + "…" if len(clause.split()) <= limit + 6 else " ".join(clause.split()[:limit]) + "…"


def outline(sections: list[SectionInfo], lines: int) -> tuple[list[SectionInfo], list[SectionInfo]]:
    """The sections to give a line, in the notes' order, and the rest to name. Each note file's
    first section is its main topic ("ML development lifecycle", not "Accuracy"), so every file
    gets a line before any file gets a second; sections about the exam itself come last."""
    order = {section_id: n for n, section_id in enumerate(_notes_bodies())}
    ordered = sorted(sections, key=lambda s: order.get(s.id, len(order)))
    mains: list[SectionInfo] = []
    files: set[str] = set()
    for info in ordered:
        if info.source not in files and not _ABOUT_EXAM.search(info.title):
            mains.append(info)
            files.add(info.source)
    picked = set(id(s) for s in (mains + [s for s in ordered if s not in mains])[:lines])
    shown = [s for s in ordered if id(s) in picked]
    rest = [s for s in mains if id(s) not in picked] + [
        s for s in ordered if id(s) not in picked and s not in mains
    ]
    return shown, rest


def summary_answer(library: Library, domain: int | None, task: str | None, answer: Composed) -> str:
    by_task = library.by_task()
    if task:
        sections = by_task.get(task, [])
        if not sections:
            return f"The notes have no sections for task statement {task}."
        lines = [f"**Task {task}: {TASKS.get(task, '')}**".replace(": **", "**")]
        shown, rest_sections = outline(sections, PER_TASK)
        for info in shown:
            lines.append(f"- **{info.title}**: {gist(info, 16)} [{answer.cite(info.id)}]")
        rest = [s.title for s in rest_sections]
        if rest:
            more = f" and {len(rest) - 2 * NAMED} more" if len(rest) > 2 * NAMED else ""
            lines.append(f"\nAlso in {task}: {', '.join(rest[: 2 * NAMED])}{more}.")
        return "\n".join(lines)
    assert domain is not None
    lines = [f"**Domain {domain}: {DOMAINS[domain]}**"]
    for key in sorted(t for t in by_task if t.startswith(f"{domain}.")):
        lines.append(f"\n**{key} {TASKS.get(key, '')}**".rstrip())
        shown, rest_sections = outline(by_task[key], PER_TASK_IN_DOMAIN)
        for info in shown:
            lines.append(f"- **{info.title}**: {gist(info, 10)} [{answer.cite(info.id)}]")
        rest = [s.title for s in rest_sections]
        if rest:
            more = f" and {len(rest) - NAMED} more" if len(rest) > NAMED else ""
            lines.append(f"- Also: {', '.join(rest[:NAMED])}{more}")
    lines.append(f'\nAsk about any of these, or say "what\'s in task {domain}.1" for one task statement.')
    return "\n".join(lines)
