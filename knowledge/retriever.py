"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank fusion.

Both rankings are taken per section (a section ranks where its best chunk ranks), so the top k
cite k different sections, and the section's best chunk is the passage shown for it."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel, Field

from knowledge.chunking import Chunk, display_text
from knowledge.index import KnowledgeIndex

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
_WORDS = re.compile(r"[^a-z0-9]+")
TITLE_QUERY_WORDS = 4
RRF_K = 60
CANDIDATES = 40


class Passage(BaseModel):
    """A retrieved piece of the notes, with where it came from."""

    id: str = Field(description="Chunk id '<section>#<n>'.")
    source: str = Field(description="File the passage came from.")
    section: str = Field(description="Section id, for citations.")
    title: str = Field(description="Section heading.")
    text: str
    score: float = Field(description="Fused reciprocal-rank score (higher is better).")
    similarity: float = Field(0.0, description="Best cosine similarity of the section's chunks.")
    domain: int = 0
    task: str = ""


class SearchResult(BaseModel):
    query: str
    truncated: bool = Field(False, description="The query was cut to MAX_QUERY_CHARS.")
    passages: list[Passage] = Field(default_factory=list)


def sections_by_best_chunk(chunks: list[Chunk], order: Iterable[int]) -> list[tuple[str, int]]:
    """Sections in the order in which their first (best) chunk appears, with that chunk."""
    best: dict[str, int] = {}
    for i in order:
        best.setdefault(chunks[i].section, i)
    return list(best.items())


class HybridRetriever:
    """Search the knowledge index by meaning and by words at once."""

    def __init__(self, index: KnowledgeIndex, dense_weight: float = 1.0, lexical_weight: float = 1.5) -> None:
        self.index = index
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.title_weight = 1.0

    def _named_sections(self, query: str) -> list[str]:
        """Sections whose heading, or the abbreviation in its parentheses, a short query names
        ("what is RAG?"); in longer questions a heading's words are usually context, not the topic."""
        if len(query.split()) > TITLE_QUERY_WORDS:
            return []
        words = f" {_WORDS.sub(' ', query.lower())} "
        return [section for name, section in self.index.section_names.items() if f" {name} " in words]

    def _dense(self, query: str, domain: int | None) -> dict[int, float]:
        """Cosine similarity of the nearest chunks, by chunk position."""
        chunks = self.index.chunks
        position = self.index.chunk_position
        found = self.index.collection.query(
            query_texts=[query],
            n_results=min(CANDIDATES, len(chunks)),
            where={"domain": domain} if domain is not None else None,
            include=["distances"],
        )
        return {
            position[cid]: 1.0 - float(distance)
            for cid, distance in zip(found["ids"][0], found["distances"][0], strict=True)
            if cid in position  # else written by another process since we loaded
        }

    def _lexical(self, query: str, domain: int | None) -> list[int]:
        """Chunk positions with a BM25 match, best first."""
        scores = self.index.lexical.scores(query)
        if domain is not None:
            scores = np.where([c.domain == domain for c in self.index.chunks], scores, 0.0)
        return [int(i) for i in np.argsort(-scores, kind="stable")[:CANDIDATES] if scores[i] > 0]

    def search(self, query: str, k: int = 5, domain: int | None = None) -> SearchResult:
        query = " ".join(query.split())
        truncated = len(query) > MAX_QUERY_CHARS
        query = query[:MAX_QUERY_CHARS]
        result = SearchResult(query=query, truncated=truncated)
        chunks = self.index.chunks
        if not query or not chunks or k <= 0:
            return result

        similarity = self._dense(query, domain)
        dense_order = sorted(similarity, key=similarity.__getitem__, reverse=True)
        fused: dict[str, float] = defaultdict(float)
        best_chunk: dict[str, int] = {}
        for weight, order in (
            (self.dense_weight, dense_order),
            (self.lexical_weight, self._lexical(query, domain)),
        ):
            for rank, (section, i) in enumerate(sections_by_best_chunk(chunks, order)):
                fused[section] += weight / (RRF_K + rank + 1)
                best_chunk.setdefault(section, i)  # the dense side's choice wins

        for section in self._named_sections(query):
            fused[section] += self.title_weight / (RRF_K + 1)  # the query names this section
            best_chunk.setdefault(section, self.index.section_first_chunk[section])

        section_similarity: dict[str, float] = defaultdict(float)
        for i, value in similarity.items():
            section = chunks[i].section
            section_similarity[section] = max(section_similarity[section], value)
        for section, score in sorted(fused.items(), key=lambda item: -item[1])[:k]:
            chunk = chunks[best_chunk[section]]
            result.passages.append(
                Passage(
                    id=chunk.id,
                    source=chunk.source,
                    section=section,
                    title=chunk.title,
                    text=display_text(chunk.text),
                    score=round(score, 6),
                    similarity=round(section_similarity[section], 4),
                    domain=chunk.domain,
                    task=chunk.task,
                )
            )
        return result
