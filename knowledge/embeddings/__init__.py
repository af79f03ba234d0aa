"""Text embedders (local all-MiniLM-L6-v2 on ONNX Runtime, Amazon Titan V2) and a Chroma adapter.

Importing this package is cheap: onnx, onnxruntime, tokenizers, chromadb and botocore are imported
only when an embedder or adapter is constructed.
"""

from __future__ import annotations

from knowledge.embeddings.base import ChromaEmbeddingFunction, Embedder, EmbeddingError
from knowledge.embeddings.minilm import MiniLMEmbedder, ModelIntegrityError
from knowledge.embeddings.titan import TitanEmbedder

__all__ = [
    "ChromaEmbeddingFunction",
    "Embedder",
    "EmbeddingError",
    "MiniLMEmbedder",
    "ModelIntegrityError",
    "TitanEmbedder",
]
