"""Ingestion into a real Chroma collection: idempotent, incremental, and safe about models."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings.minilm import MiniLMEmbedder
from knowledge.index import EmbeddingModelMismatch, KnowledgeIndex, open_chroma
from knowledge.retriever import HybridRetriever


class Renamed:
    """The same vectors under another model name, as a model switch looks to the index."""

    name, dimension = "another-model", 384

    def __init__(self, embedder: MiniLMEmbedder) -> None:
        self.embedder = embedder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)


def test_user_files_incrementally(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    index = KnowledgeIndex(open_chroma(tmp_path / "index"), embedder, name="user-test").open()
    group = tmp_path / "group"
    group.mkdir()
    (group / "tips.md").write_text("## Flashcards\nOur group reviews flashcards about SageMaker Canvas.\n")
    (group / "log.txt").write_text("Meeting log: we compared Polly and Transcribe.")
    (group / "photo.png").write_bytes(b"\x89PNG")

    report = index.ingest([group])
    assert sorted(report.added) == ["user:log.txt", "user:tips.md"]
    assert report.skipped == {"user:photo.png": "unsupported file type .png"}
    assert index.ingest([group]).changed is False  # unchanged files are a no-op

    (group / "tips.md").write_text("## Flashcards\nNow about Amazon Kendra instead.\n")
    report = index.ingest([group])
    assert report.added == ["user:tips.md"] and report.unchanged == ["user:log.txt"]
    texts = [c.text for c in index.chunks]
    assert any("Kendra" in t for t in texts) and not any("Canvas" in t for t in texts)

    hits = HybridRetriever(index).search("flashcards kendra", k=1).passages
    assert hits[0].section == "tips-flashcards" and hits[0].source == "user:tips.md"


def test_switching_the_embedding_model_is_refused(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    client = open_chroma(tmp_path / "index")
    index = KnowledgeIndex(client, embedder, name="switch-test").open()
    (tmp_path / "a.txt").write_text("some text")
    index.ingest([tmp_path / "a.txt"])
    with pytest.raises(EmbeddingModelMismatch, match="--rebuild"):
        KnowledgeIndex(client, Renamed(embedder), name="switch-test").open()
    index.rebuild()
    assert KnowledgeIndex(client, Renamed(embedder), name="switch-test").open().is_empty()


def test_notes_index(notes_index: KnowledgeIndex) -> None:
    assert {c.domain for c in notes_index.chunks} == {1, 2, 3, 4, 5}
    assert notes_index.ingest().changed is False


def test_domain_filter_and_bad_queries(retriever: HybridRetriever) -> None:
    assert {p.domain for p in retriever.search("guardrails for harmful content", domain=4).passages} == {4}
    assert retriever.search("   ").passages == []
    long = retriever.search("bedrock " * 5000)
    assert long.truncated and long.passages
    assert retriever.search("\x00\x01 ☃️ 🤖").passages is not None


def test_a_damaged_index_is_rebuilt_in_the_same_process(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    from knowledge.index import IndexError_, reset_local_index

    folder = tmp_path / "index"
    index = KnowledgeIndex(open_chroma(folder), embedder, name="damage-test").open()
    (tmp_path / "a.txt").write_text("SageMaker Canvas is no-code ML.")
    index.ingest([tmp_path / "a.txt"])
    (folder / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    with pytest.raises(IndexError_, match="--rebuild"):
        KnowledgeIndex(open_chroma(folder), embedder, name="damage-test").open()
    reset_local_index(folder)
    rebuilt = KnowledgeIndex(open_chroma(folder), embedder, name="damage-test").open()
    assert rebuilt.ingest([tmp_path / "a.txt"]).added == ["user:a.txt"]
