"""The offline answer: the sentences of the best sections that say most about the question."""

from __future__ import annotations

import re

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from knowledge.retriever import Passage

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\"'(])")
_WORD = re.compile(r"\w\w+")
_STOP = frozenset(STOPWORDS_EN) | {"aws", "amazon", "what", "explain", "difference", "use"}
_stemmer = Stemmer.Stemmer("english")


def _terms(text: str) -> set[str]:
    return set(_stemmer.stemWords([w for w in _WORD.findall(text.lower()) if w not in _STOP]))


def sentences(body: str) -> list[str]:
    """Prose sentences of a section body; table rows, headings and code are left out."""
    prose = [
        line.strip(" -*")
        for line in body.splitlines()
        if line.strip() and not line.lstrip().startswith(("|", "#", "```"))
    ]
    return [s.strip() for s in _SENTENCE.split(" ".join(prose)) if len(s.strip()) > 20]


def pick_sentences(query: str, passage: Passage, limit: int) -> list[str]:
    """The section's defining first sentence plus the sentences sharing most query terms."""
    body = passage.text.split("\n", 1)[-1]
    candidates = sentences(body)
    if not candidates:
        return []
    wanted = _terms(query)
    scored = [(len(wanted & _terms(s)) + (0.5 if i == 0 else 0.0), -i, s) for i, s in enumerate(candidates)]
    chosen = sorted(scored, reverse=True)[:limit]
    order = {s: i for i, s in enumerate(candidates)}
    return sorted((s for _, _, s in chosen), key=order.__getitem__)


def extractive_answer(query: str, passages: list[Passage]) -> str:
    """Bulleted excerpts, each followed by the number of the passage it comes from."""
    lines = []
    for n, passage in enumerate(passages, start=1):
        for sentence in pick_sentences(query, passage, limit=3 if n == 1 else 1):
            lines.append(f"• {sentence} [{n}]")
    return "From the course notes:\n" + "\n".join(lines) if lines else ""
