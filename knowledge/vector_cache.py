"""Content-addressed embeddings, so unchanged text is never embedded twice.

Vectors are keyed by the model name and the exact text. A read-only file bundled with aifbot holds
the vectors of the shipped notes (a first ingest then only writes to Chroma); a file in the data
dir collects everything else. A text that is in neither is embedded, so a stale bundle only costs
time. Refresh the bundle after editing the notes: `uv run python -m knowledge.vector_cache`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embeddings.base import Embedder

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "vectors"


def text_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:24]


def bundled_path(model: str) -> Path:
    return BUNDLED_DIR / f"{model}.npz"


def _load(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path) as data:
            return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    except (OSError, ValueError, KeyError) as exc:  # a damaged cache is only a slower start
        log.warning("ignoring unreadable vector cache %s: %s", path, exc)
        return {}


def _save(path: Path, vectors: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(vectors)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, keys=np.array(keys), vectors=np.stack([vectors[k] for k in keys]))
    tmp.replace(path)


class CachedEmbedder:
    """An Embedder that looks texts up before embedding them."""

    def __init__(self, embedder: Embedder, local_file: Path | None = None) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.local_file = local_file
        self._lock = threading.Lock()
        self._vectors = _load(bundled_path(self.name))
        if local_file:
            self._vectors.update(_load(local_file))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.name, t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
        if missing:
            computed = self.embedder.embed([t for _, t in missing])
            with self._lock:
                self._vectors.update({k: v for (k, _), v in zip(missing, computed, strict=True)})
                if self.local_file:
                    _save(self.local_file, self._vectors)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32, copy=False)

    def coverage(self, texts: Sequence[str]) -> float:
        return sum(text_key(self.name, t) in self._vectors for t in texts) / max(len(texts), 1)


def refresh_bundle(embedder: Embedder, texts: Sequence[str]) -> Path:
    """Write the bundled file with exactly the vectors of these texts."""
    cached = CachedEmbedder(embedder)
    vectors = cached.embed(texts)
    path = bundled_path(embedder.name)
    _save(path, {text_key(embedder.name, t): v for t, v in zip(texts, vectors, strict=True)})
    return path


def notes_chunk_texts() -> list[str]:
    from knowledge.chunking import chunk_section
    from knowledge.documents import load_notes

    return [c.text for s in load_notes() for c in chunk_section(s)]


if __name__ == "__main__":
    from knowledge.embeddings.minilm import MiniLMEmbedder

    texts = notes_chunk_texts()
    print(f"wrote {refresh_bundle(MiniLMEmbedder(), texts)} ({len(texts)} chunks)")
