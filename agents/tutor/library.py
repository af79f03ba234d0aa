"""The whole sections behind the index, parsed into parts, and the notes' own vocabulary.

Retrieval returns a section's best chunk; an answer quotes whole parts of the section, so the tutor
needs the full section. The bundled notes are read from their files (a long list split across two
chunks comes back whole); material a study group ingested is rebuilt from its chunks."""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from agents.tutor.structure import SectionParts, cached_parts
from knowledge.chunking import split_keywords
from knowledge.documents import load_notes

if TYPE_CHECKING:
    from knowledge.index import KnowledgeIndex

_WORD = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]|[a-z]")
_ACRONYM = re.compile(r"\b([A-Z][\w-]*(?:\s+[\w-]+){0,6}?)\s+\(([A-Z][A-Za-z0-9-]{1,9})\)")


def spelled_out(phrase: str, acronym: str) -> str | None:
    """The words of `phrase` that the acronym abbreviates ("... retrieval-augmented generation" for
    RAG), or None when its letters don't fit: "Amazon Polly is a managed text-to-speech (TTS)"."""
    letters = acronym.lower().rstrip("s") if len(acronym) > 2 else acronym.lower()
    words = phrase.lower().split()
    for start in range(len(words) - 1, -1, -1):
        tail = words[start:]
        initials = "".join(p[0] for w in tail for p in w.split("-") if p)
        if initials == letters or "".join(w[0] for w in tail) == letters:
            return " ".join(tail)
        if len(initials) > len(letters):
            break
    return None


@dataclass
class SectionInfo:
    id: str
    title: str
    source: str
    domain: int
    task: str
    body: str  # markdown without the heading and the Keywords line
    keywords: str = ""
    terms: set[str] | None = None  # stemmed words, filled on first use

    @property
    def parts(self) -> SectionParts:
        """Parsed on first use: a turn reads a handful of the ~300 sections."""
        return cached_parts(self.id, self.title, self.body)


@dataclass
class Library:
    sections: dict[str, SectionInfo]
    vocabulary: Counter[str]
    acronyms: dict[str, str] = field(default_factory=dict)  # "rag" → "retrieval-augmented generation"
    titles: dict[frozenset[str], str] | None = None  # a heading's words → its section, filled on first use
    rarity: dict[str, float] | None = None  # stemmed word → how telling it is, filled on first use
    keyword_only: frozenset[str] = frozenset()  # words only in Keywords lines: listed misspellings too

    def by_task(self) -> dict[str, list[SectionInfo]]:
        grouped: dict[str, list[SectionInfo]] = defaultdict(list)
        for info in self.sections.values():
            if info.task:
                grouped[info.task].append(info)
        return dict(grouped)


@lru_cache(maxsize=1)
def _notes_bodies() -> dict[str, str]:
    return {s.id: s.text for s in load_notes()}


def build_library(index: KnowledgeIndex) -> Library:
    notes = _notes_bodies()
    bodies: dict[str, list[str]] = defaultdict(list)
    first: dict[str, object] = {}
    for chunk in index.chunks:
        first.setdefault(chunk.section, chunk)
        if chunk.section not in notes:
            bodies[chunk.section].append(chunk.text.split("\n", 1)[-1])
    sections: dict[str, SectionInfo] = {}
    vocabulary: Counter[str] = Counter()
    in_prose: set[str] = set()
    in_keywords: set[str] = set()
    acronyms: dict[str, str] = {}
    for section_id, chunk in first.items():
        raw = notes.get(section_id) or "\n\n".join(split_keywords(b)[0] for b in bodies[section_id])
        prose, keywords = split_keywords(raw)
        title = chunk.title  # type: ignore[attr-defined]
        sections[section_id] = SectionInfo(
            id=section_id,
            title=title,
            source=chunk.source,  # type: ignore[attr-defined]
            domain=chunk.domain,  # type: ignore[attr-defined]
            task=chunk.task,  # type: ignore[attr-defined]
            body=prose,
            keywords=keywords,
        )
        vocabulary.update(_WORD.findall(f"{title} {prose} {keywords}".lower()))
        in_prose.update(_WORD.findall(f"{title} {prose}".lower()))
        in_keywords.update(_WORD.findall(keywords.lower()))
        for long, short in _ACRONYM.findall(f"{title}. {prose}"):
            expansion = spelled_out(long, short)
            if expansion:
                acronyms.setdefault(short.lower(), expansion)
    return Library(
        sections=sections,
        vocabulary=vocabulary,
        acronyms=acronyms,
        keyword_only=frozenset(in_keywords - in_prose),
    )


_lock = threading.Lock()
_cache: dict[int, tuple[int, Library]] = {}


def library_for(index: KnowledgeIndex) -> Library:
    """The library of an index, rebuilt when the index reloads its chunks (after an ingest)."""
    key, version = id(index), id(index.chunks)
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != version:
            cached = (version, build_library(index))
            _cache[key] = cached
        return cached[1]
