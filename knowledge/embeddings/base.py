"""The embedder contract and its adapter to Chroma's embedding-function protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np


class EmbeddingError(RuntimeError):
    """An embedder could not produce vectors (remote error, unreachable endpoint, bad model)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors.

    `name` identifies the model (it is stored in a collection's metadata so an index is never
    queried with vectors from a different model); `dimension` is the vector length.
    """

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dimension) with unit-length rows."""
        ...


class ChromaEmbeddingFunction:
    """Adapts an `Embedder` to chromadb's `EmbeddingFunction` protocol (checked against 1.5.9).

    Chroma stores `{"name": "aifbot", "config": {"embedder": ..., "dimension": ...}}` with a
    collection and rebuilds it on reopen through `build_from_config`. That cannot load a model
    (Titan needs a client), so it yields an unbound function that refuses to embed: pass
    `ChromaEmbeddingFunction(embedder)` every time a collection is opened.

    Duck-typed rather than subclassing chromadb's class so importing this module stays cheap.
    """

    _CHROMA_NAME: ClassVar[str] = "aifbot"

    def __init__(self, embedder: Embedder | None, *, embedder_name: str | None = None) -> None:
        self._embedder = embedder
        self._embedder_name = embedder.name if embedder is not None else embedder_name
        if embedder is not None:
            _register_with_chroma(type(self))

    @property
    def embedder(self) -> Embedder | None:
        """The wrapped embedder, or None for a function rebuilt from a stored config."""
        return self._embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:
        """Embed documents; chroma calls this with a list of strings."""
        if self._embedder is None:
            raise EmbeddingError(
                f"This Chroma collection was built with embedder {self._embedder_name!r}; "
                "open it with embedding_function=ChromaEmbeddingFunction(embedder)."
            )
        return list(self._embedder.embed(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:
        """Embed queries; the models used here make no query/document distinction."""
        return self(input)

    @staticmethod
    def name() -> str:
        """Chroma's registry key (a class-level name: chroma calls `cls.name()`)."""
        return ChromaEmbeddingFunction._CHROMA_NAME

    def get_config(self) -> dict[str, Any]:
        """Serialisable description chroma stores with the collection; never a secret."""
        dimension = self._embedder.dimension if self._embedder is not None else None
        return {"embedder": self._embedder_name, "dimension": dimension}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        """Rebuild from a stored config: an unbound function that only remembers the name."""
        return ChromaEmbeddingFunction(None, embedder_name=config.get("embedder"))

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        # Rows are unit length, so cosine is the natural metric.
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "l2", "ip"]

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        return None

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        if old_config.get("embedder") != new_config.get("embedder"):
            raise ValueError(
                f"Cannot switch embedder from {old_config.get('embedder')!r} "
                f"to {new_config.get('embedder')!r} on an existing collection."
            )


def _register_with_chroma(cls: type) -> None:
    """Register the adapter so a reopened collection's stored config resolves without a warning."""
    from chromadb.utils.embedding_functions import known_embedding_functions

    if known_embedding_functions.get(ChromaEmbeddingFunction._CHROMA_NAME) is not cls:
        known_embedding_functions[ChromaEmbeddingFunction._CHROMA_NAME] = cls
