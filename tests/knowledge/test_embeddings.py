"""Embedders against real components: ONNX Runtime, tokenizers, chromadb, boto3 + Stubber."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import numpy as np
import onnx
import pytest
from botocore.config import Config
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from knowledge.embeddings import (
    ChromaEmbeddingFunction,
    Embedder,
    EmbeddingError,
    MiniLMEmbedder,
    ModelIntegrityError,
    TitanEmbedder,
)
from knowledge.embeddings.minilm import default_model_dir

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "data" / "minilm_reference.json").read_text(encoding="utf-8")
)
REF_TEXTS = [item["text"] for item in REFERENCE["items"]]
REF_VECTORS = np.array([item["vector"] for item in REFERENCE["items"]], dtype=np.float32)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def minilm(cache_dir: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_dir=cache_dir)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_reference_covers_truncation() -> None:
    assert len(REF_TEXTS) >= 12
    assert max(item["tokens_before_truncation"] for item in REFERENCE["items"]) > 256


def test_batched_matches_sentence_transformers(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(REF_TEXTS)

    assert vectors.shape == (len(REF_TEXTS), 384)
    assert _cosines(vectors, REF_VECTORS).min() >= 0.999
    np.testing.assert_allclose(vectors, REF_VECTORS, atol=1e-4)


def test_one_at_a_time_matches_reference_and_batch(minilm: MiniLMEmbedder) -> None:
    singles = np.vstack([minilm.embed([text]) for text in REF_TEXTS])

    assert _cosines(singles, REF_VECTORS).min() >= 0.999
    # Padding to a batch's longest sequence must not change any sentence's vector.
    np.testing.assert_allclose(singles, minilm.embed(REF_TEXTS), atol=1e-5)


def test_remembered_queries_match_the_model_and_ignore_case(minilm: MiniLMEmbedder) -> None:
    minilm.forget()
    runs = 0
    real_run = minilm._run

    def counting_run(encodings):  # type: ignore[no-untyped-def]
        nonlocal runs
        runs += len(encodings)
        return real_run(encodings)

    minilm._run = counting_run  # type: ignore[method-assign]
    try:
        first = minilm.embed(["What is RAG?", "How are tokens priced?"])
        again = minilm.embed(["what is rag?", "How does Bedrock bill?", "how are TOKENS priced?"])
    finally:
        del minilm._run
    assert runs == 3  # the uncased model sees the same tokens: only the new question ran
    np.testing.assert_array_equal(again[[0, 2]], first)
    again[0] = 0  # a caller changing its copy doesn't change what is remembered
    np.testing.assert_array_equal(minilm.embed(["what is rag?"])[0], first[0])
    minilm.forget()
    np.testing.assert_allclose(minilm.embed(["How does Bedrock bill?"])[0], again[1], atol=1e-6)


def test_rows_are_unit_length_float32(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["short", "a somewhat longer sentence about Amazon Bedrock", ""])

    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_order_preserved_across_batches_with_mixed_lengths(minilm: MiniLMEmbedder) -> None:
    rng = np.random.default_rng(3)
    words = ["guardrail", "prompt", "model", "token", "vector", "bedrock", "agent", "the", "of"]
    texts = [" ".join(rng.choice(words, size=int(n))) for n in rng.integers(1, 120, size=75)]

    batched = minilm.embed(texts)
    singles = np.vstack([minilm.embed([text]) for text in texts])

    np.testing.assert_allclose(batched, singles, atol=1e-5)


def test_empty_input_gives_empty_matrix(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed([])

    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_a_single_string_is_rejected(minilm: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError):
        minilm.embed("not a list")  # type: ignore[arg-type]


def test_concurrent_callers_get_the_same_vectors(minilm: MiniLMEmbedder) -> None:
    expected = minilm.embed(REF_TEXTS)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: minilm.embed(REF_TEXTS), range(8)))

    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_satisfies_the_embedder_protocol(minilm: MiniLMEmbedder) -> None:
    assert isinstance(minilm, Embedder)
    assert (minilm.name, minilm.dimension) == ("all-MiniLM-L6-v2", 384)


def test_cached_graph_is_valid_and_reused(minilm: MiniLMEmbedder, cache_dir: Path) -> None:
    (cached,) = cache_dir.glob("*.onnx")
    onnx.checker.check_model(str(cached))
    written_at = cached.stat().st_mtime_ns

    again = MiniLMEmbedder(cache_dir=cache_dir)

    assert cached.stat().st_mtime_ns == written_at
    np.testing.assert_allclose(again.embed(REF_TEXTS[:3]), minilm.embed(REF_TEXTS[:3]), atol=1e-6)


def test_unusable_cache_dir_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")

    embedder = MiniLMEmbedder(cache_dir=blocker / "cache")

    assert _cosines(embedder.embed(REF_TEXTS[:2]), REF_VECTORS[:2]).min() >= 0.999


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    source = default_model_dir()
    for item in source.iterdir():
        if item.name != "model.safetensors":
            (tmp_path / item.name).symlink_to(item)
    data = bytearray((source / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / "model.safetensors").write_bytes(data)

    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        MiniLMEmbedder(model_dir=tmp_path)


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, knowledge.embeddings\n"
        "heavy = {'onnx', 'onnxruntime', 'tokenizers', 'chromadb', 'botocore'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"


def test_chroma_collection_add_and_query(minilm: MiniLMEmbedder, tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings

    docs = {
        "bedrock": "Amazon Bedrock gives API access to foundation models from several providers.",
        "photosynthesis": "Plants turn sunlight, water and carbon dioxide into sugar and oxygen.",
        "football": "The striker scored twice in the second half of the cup final.",
    }
    settings = Settings(anonymized_telemetry=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=settings)
        collection = client.create_collection(
            "notes",
            embedding_function=ChromaEmbeddingFunction(minilm),
            metadata={"embedder": minilm.name},
        )
        collection.add(ids=list(docs), documents=list(docs.values()))

        reopened = client.get_collection("notes", embedding_function=ChromaEmbeddingFunction(minilm))
        result = reopened.query(query_texts=["Which AWS service hosts LLMs?"], n_results=1)

    assert result["ids"] == [["bedrock"]]
    assert reopened.metadata == {"embedder": "all-MiniLM-L6-v2"}


def test_chroma_collection_opened_without_the_function_says_what_to_do(
    minilm: MiniLMEmbedder, tmp_path: Path
) -> None:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
    client.create_collection("notes", embedding_function=ChromaEmbeddingFunction(minilm)).add(
        ids=["a"], documents=["a note"]
    )

    with pytest.raises(EmbeddingError, match="all-MiniLM-L6-v2"):
        client.get_collection("notes").query(query_texts=["a"], n_results=1)


FAKE_SECRET = "FAKEsecretThatMustNeverAppear"


def _bedrock_client(**kwargs: object):
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="AKIAFAKEFAKEFAKEFAKE",
        aws_secret_access_key=FAKE_SECRET,
        **kwargs,
    )


def _titan_response(vector: list[float]) -> dict[str, object]:
    raw = json.dumps({"embedding": vector, "inputTextTokenCount": 4}).encode()
    return {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"}


def test_titan_sends_one_request_per_text_and_parses_vectors() -> None:
    client = _bedrock_client()
    sent: list[dict[str, object]] = []
    client.meta.events.register(
        "before-parameter-build.bedrock-runtime.InvokeModel",
        lambda params, **_: sent.append(params),
    )
    rng = np.random.default_rng(0)
    vectors = [v / np.linalg.norm(v) for v in rng.normal(size=(2, 256))]
    expected = {
        "modelId": "amazon.titan-embed-text-v2:0",
        "body": ANY,
        "contentType": "application/json",
        "accept": "application/json",
    }
    with Stubber(client) as stubber:
        for vector in vectors:
            stubber.add_response("invoke_model", _titan_response(vector.tolist()), expected)

        result = TitanEmbedder(client, dimensions=256).embed(["first note", "second note"])
        stubber.assert_no_pending_responses()

    bodies = [json.loads(params["body"]) for params in sent]
    assert bodies == [
        {"inputText": "first note", "dimensions": 256, "normalize": True},
        {"inputText": "second note", "dimensions": 256, "normalize": True},
    ]
    assert result.shape == (2, 256) and result.dtype == np.float32
    np.testing.assert_allclose(result, np.array(vectors), atol=1e-6)


def test_titan_throttling_becomes_embedding_error() -> None:
    client = _bedrock_client()
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "invoke_model",
            service_error_code="ThrottlingException",
            service_message="Too many requests, please wait before trying again.",
            http_status_code=429,
        )

        with pytest.raises(EmbeddingError, match="ThrottlingException") as caught:
            TitanEmbedder(client).embed(["a note"])

    assert FAKE_SECRET not in str(caught.value)


def test_titan_unreachable_endpoint_becomes_embedding_error() -> None:
    # Port 9 (discard) on localhost refuses connections at once: a real EndpointConnectionError.
    client = _bedrock_client(
        endpoint_url="http://127.0.0.1:9",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2),
    )

    with pytest.raises(EmbeddingError, match="Could not call Bedrock") as caught:
        TitanEmbedder(client).embed(["a note"])

    assert FAKE_SECRET not in str(caught.value)


def test_titan_rejects_unsupported_dimensions() -> None:
    with pytest.raises(ValueError, match="256, 512, 1024"):
        TitanEmbedder(_bedrock_client(), dimensions=384)


def test_titan_empty_input_makes_no_calls() -> None:
    client = _bedrock_client()
    with Stubber(client):
        vectors = TitanEmbedder(client, dimensions=512).embed([])

    assert vectors.shape == (0, 512)
