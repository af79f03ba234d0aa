"""Shared fixtures: the real embedder and a real Chroma index of the notes, built once per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.embeddings.minilm import MiniLMEmbedder
from knowledge.index import KnowledgeIndex, open_chroma
from knowledge.retriever import HybridRetriever


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or AWS settings, and data goes to a temp dir."""
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("AIFBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AIFBOT_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embedder(model_cache: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_dir=model_cache)


@pytest.fixture(scope="session")
def notes_index(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> KnowledgeIndex:
    client = open_chroma(tmp_path_factory.mktemp("index"))
    index = KnowledgeIndex(client, embedder).open()
    index.ingest()
    return index


@pytest.fixture(scope="session")
def retriever(notes_index: KnowledgeIndex) -> HybridRetriever:
    return HybridRetriever(notes_index)
