"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by reciprocal rank fusion,
then collapsed to one passage per section so the top k cite k different sections."""

from __future__ import annotations

import logging

import numpy as np
from pydantic import BaseModel, Field

from knowledge.index import KnowledgeIndex

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
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
    similarity: float = Field(0.0, description="Cosine similarity of the dense match, 0 if none.")
    domain: int = 0
    task: str = ""


class SearchResult(BaseModel):
    query: str
    truncated: bool = Field(False, description="The query was cut to MAX_QUERY_CHARS.")
    passages: list[Passage] = Field(default_factory=list)


class HybridRetriever:
    """Search the knowledge index by meaning and by words at once."""

    def __init__(self, index: KnowledgeIndex, dense_weight: float = 1.0, lexical_weight: float = 1.0):
        self.index = index
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight

    def search(self, query: str, k: int = 5, domain: int | None = None) -> SearchResult:
        query = " ".join(query.split())
        truncated = len(query) > MAX_QUERY_CHARS
        query = query[:MAX_QUERY_CHARS]
        result = SearchResult(query=query, truncated=truncated)
        chunks = self.index.chunks
        if not query or not chunks or k <= 0:
            return result

        position = {c.id: i for i, c in enumerate(chunks)}
        allowed = None if domain is None else np.array([c.domain == domain for c in chunks])
        fused: dict[int, float] = {}
        similarity: dict[int, float] = {}

        dense = self.index.collection.query(
            query_texts=[query],
            n_results=min(CANDIDATES, len(chunks)),
            where={"domain": domain} if domain is not None else None,
            include=["distances"],
        )
        for rank, (cid, distance) in enumerate(
            zip(dense["ids"][0], dense["distances"][0], strict=True)
        ):
            i = position.get(cid)
            if i is None:  # written by another process since we loaded; picked up on reload
                continue
            similarity[i] = 1.0 - float(distance)
            fused[i] = fused.get(i, 0.0) + self.dense_weight / (RRF_K + rank + 1)

        scores = self.index.lexical.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:CANDIDATES]
        for rank, i in enumerate(int(j) for j in top if scores[j] > 0):
            fused[i] = fused.get(i, 0.0) + self.lexical_weight / (RRF_K + rank + 1)

        best_per_section: dict[str, Passage] = {}
        for i, score in sorted(fused.items(), key=lambda item: -item[1]):
            chunk = chunks[i]
            if chunk.section in best_per_section:
                continue
            best_per_section[chunk.section] = Passage(
                id=chunk.id,
                source=chunk.source,
                section=chunk.section,
                title=chunk.title,
                text=chunk.text,
                score=round(score, 6),
                similarity=round(similarity.get(i, 0.0), 4),
                domain=chunk.domain,
                task=chunk.task,
            )
            if len(best_per_section) == k:
                break
        result.passages = list(best_per_section.values())
        return result
