"""The trained message classifier: benign, prompt attack, abuse (threats, harassment), self-harm.

A softmax regression over two views of the normalised text: its MiniLM sentence vector (what it
means, in English) and hashed character and word n-grams (how it is written, in any language or
script). Trained offline by `agents/guards/corpus/train.py` on the project's own corpus; the
weights ship as `classifier.npz` with the hash of the corpus they came from."""

from __future__ import annotations

import re
import zlib
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from knowledge.embeddings.base import Embedder

WEIGHTS_FILE = Path(__file__).with_name("classifier.npz")
LABELS = ("benign", "attack", "abuse", "self_harm")
HASH_DIM = 1 << 14
CHAR_NGRAMS = (2, 3, 4)
MAX_CHARS = 1200  # n-grams of a window; longer text is judged window by window upstream
_MASK = (1 << 61) - 1
_WORDS = re.compile(r"\w+")


class Scores(BaseModel):
    """Class probabilities of one message (the highest over its windows and hidden payloads)."""

    attack: float = Field(0.0, ge=0, le=1)
    abuse: float = Field(0.0, ge=0, le=1)
    self_harm: float = Field(0.0, ge=0, le=1)


def ngram_features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Hashed character 2–4-grams and word 1–2-grams: (indices, values), log-scaled, unit length."""
    text = text[:MAX_CHARS]
    codes = np.frombuffer(f" {text} ".encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    buckets = []
    for n in CHAR_NGRAMS:
        if len(codes) < n:
            continue
        h = np.full(len(codes) - n + 1, n, dtype=np.uint64)
        for k in range(n):
            h = (h * np.uint64(1_000_003) + codes[k : len(codes) - n + 1 + k]) & np.uint64(_MASK)
        buckets.append((h % np.uint64(HASH_DIM)).astype(np.int64))
    words = _WORDS.findall(text)
    grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    if grams:
        buckets.append(np.array([zlib.crc32(f"w:{g}".encode()) % HASH_DIM for g in grams], dtype=np.int64))
    if not buckets:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    indices, counts = np.unique(np.concatenate(buckets), return_counts=True)
    values = np.log1p(counts).astype(np.float32)
    values /= np.linalg.norm(values)
    return indices, values


def design_matrix(texts: list[str], vectors: np.ndarray) -> np.ndarray:
    """Dense features for a few texts: n-grams, then the sentence vector, then a bias column."""
    x = np.zeros((len(texts), HASH_DIM + vectors.shape[1] + 1), dtype=np.float32)
    for row, text in enumerate(texts):
        indices, values = ngram_features(text)
        x[row, indices] = values
    x[:, HASH_DIM:-1] = vectors
    x[:, -1] = 1.0
    return x


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class GuardClassifier:
    """Loads the shipped weights once; `scores` is pure numpy (~0.1 ms per window)."""

    def __init__(self, weights: np.ndarray, meta: dict[str, str]) -> None:
        self.weights = weights.astype(np.float32)
        self.meta = meta

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> GuardClassifier:
        with np.load(path, allow_pickle=False) as data:
            meta = {k[5:]: str(data[k]) for k in data.files if k.startswith("meta_")}
            return cls(data["weights"], meta)

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        return softmax(design_matrix(texts, vectors) @ self.weights)

    def scores(self, texts: list[str], vectors: np.ndarray) -> Scores:
        if not texts:
            return Scores()
        top = self.probabilities(texts, vectors).max(axis=0)
        return Scores(
            attack=float(top[LABELS.index("attack")]),
            abuse=float(top[LABELS.index("abuse")]),
            self_harm=float(top[LABELS.index("self_harm")]),
        )

    def embed_and_score(self, embedder: Embedder, texts: list[str]) -> Scores:
        return self.scores(texts, embedder.embed(texts)) if texts else Scores()


@cache
def shipped() -> GuardClassifier:
    """The weights in the repository, read once per process."""
    return GuardClassifier.load()
