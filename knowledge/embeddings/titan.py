"""Amazon Titan Text Embeddings V2 through a `bedrock-runtime` client."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from knowledge.embeddings.base import EmbeddingError

TITAN_V2_MODEL_ID = "amazon.titan-embed-text-v2:0"
TITAN_V2_DIMENSIONS = (256, 512, 1024)


class TitanEmbedder:
    """Embeds each text with one `InvokeModel` call; rows come back unit length (float32).

    The caller owns the boto3 client (region, credentials, retries); boto3 clients are
    thread-safe, so one embedder may serve concurrent callers.
    """

    def __init__(
        self,
        client: Any,
        *,
        model_id: str = TITAN_V2_MODEL_ID,
        dimensions: int = 1024,
    ) -> None:
        if dimensions not in TITAN_V2_DIMENSIONS:
            raise ValueError(f"Titan V2 dimensions must be one of {TITAN_V2_DIMENSIONS}")
        self._client = client
        self.model_id = model_id
        self.name = model_id
        self.dimension = dimensions

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` in order; raises `EmbeddingError` if Bedrock refuses or is unreachable."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not a single string")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._embed_one(text)
        # Titan already normalises; renormalising in float32 keeps the contract exact.
        if len(out):
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def _embed_one(self, text: str) -> np.ndarray:
        from botocore.exceptions import BotoCoreError, ClientError

        body = json.dumps({"inputText": text, "dimensions": self.dimension, "normalize": True})
        try:
            response = self._client.invoke_model(
                modelId=self.model_id,
                body=body,
                contentType="application/json",
                accept="application/json",
            )
            payload = json.loads(response["body"].read())
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise EmbeddingError(
                f"Bedrock refused to embed with {self.model_id}: "
                f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
            ) from exc
        except BotoCoreError as exc:
            # e.g. EndpointConnectionError, NoCredentialsError; their messages carry no secrets.
            raise EmbeddingError(f"Could not call Bedrock for {self.model_id}: {exc}") from exc
        except ValueError as exc:
            raise EmbeddingError(f"Bedrock returned a non-JSON body for {self.model_id}") from exc

        vector = payload.get("embedding")
        if not isinstance(vector, list) or len(vector) != self.dimension:
            got = len(vector) if isinstance(vector, list) else type(vector).__name__
            raise EmbeddingError(
                f"{self.model_id} returned an embedding of {got}, expected {self.dimension} values"
            )
        return np.asarray(vector, dtype=np.float32)
