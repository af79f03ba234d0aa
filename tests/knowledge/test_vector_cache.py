from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embeddings.minilm import MiniLMEmbedder
from knowledge.vector_cache import CachedEmbedder, bundled_path, notes_chunk_texts


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, embedder: MiniLMEmbedder) -> None:
        self.embedder, self.name, self.dimension, self.count = embedder, embedder.name, embedder.dimension, 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.count += len(texts)
        return self.embedder.embed(texts)


def test_bundle_covers_the_notes(embedder: MiniLMEmbedder) -> None:
    cached = CachedEmbedder(embedder)
    coverage = cached.coverage(notes_chunk_texts())
    assert coverage == 1.0, (
        f"{bundled_path(embedder.name).name} covers {coverage:.0%} of the notes' chunks: "
        "refresh it with `uv run python -m knowledge.vector_cache`"
    )


def test_bundled_vectors_are_the_models(embedder: MiniLMEmbedder) -> None:
    sample = random.Random(7).sample(notes_chunk_texts(), 6)
    bundled = CachedEmbedder(embedder).embed(sample)
    fresh = embedder.embed(sample)
    assert np.min(np.sum(bundled * fresh, axis=1)) > 0.9999


def test_misses_are_embedded_once_and_kept(embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    local = tmp_path / "vectors.npz"
    counting = Counting(embedder)
    texts = ["our study group's own note on RAG", "a second new text", "our study group's own note on RAG"]
    first = CachedEmbedder(counting, local).embed(texts)
    assert counting.count == 2 and local.exists()
    again = CachedEmbedder(counting, local).embed(texts)  # a new process
    assert counting.count == 2
    np.testing.assert_allclose(first, again)
    np.testing.assert_allclose(first[0], embedder.embed([texts[0]])[0], atol=1e-6)


def test_a_damaged_cache_only_costs_time(embedder: MiniLMEmbedder, tmp_path: Path) -> None:
    local = tmp_path / "vectors.npz"
    local.write_bytes(b"not a numpy file")
    counting = Counting(embedder)
    assert CachedEmbedder(counting, local).embed(["fresh text"]).shape == (1, 384)
    assert counting.count == 1
