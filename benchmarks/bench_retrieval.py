"""Retrieval speed: query latency (embed + hybrid search), full ingest, cold `aifbot search`.

Run: `uv run python benchmarks/bench_retrieval.py [--skip-uncached]`. Prints one JSON object.
Each query is used once, so the embedder's query cache never answers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bots.cli.benchmark import percentiles
from bots.cli.evaluation import load_retrieval_set
from knowledge.embeddings.minilm import MiniLMEmbedder
from knowledge.index import KnowledgeIndex, open_chroma
from knowledge.retriever import HybridRetriever
from knowledge.vector_cache import CachedEmbedder


def timed_ingest(embedder: MiniLMEmbedder, document_embedder, folder: Path) -> tuple[float, KnowledgeIndex]:
    start = time.perf_counter()
    index = KnowledgeIndex(open_chroma(folder), embedder, document_embedder=document_embedder).open()
    index.ingest()
    return time.perf_counter() - start, index


def cold_search(data_dir: Path, runs: int = 5) -> float:
    """Median wall time of a whole `aifbot search` process on a built index."""
    env = {**os.environ, "AIFBOT_DATA_DIR": str(data_dir)}
    aifbot = Path(sys.executable).with_name("aifbot")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [str(aifbot), "search", "how do I stop a chatbot inventing facts", "--json"],
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-uncached", action="store_true", help="skip the slow uncached ingest")
    args = parser.parse_args()
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        embedder = MiniLMEmbedder(cache_dir=data / "models")
        seconds, index = timed_ingest(embedder, CachedEmbedder(embedder), data / "index")
        report["ingest_with_bundled_vectors_s"] = round(seconds, 2)
        report["chunks"] = len(index.chunks)
        if not args.skip_uncached:
            seconds, _ = timed_ingest(embedder, embedder, Path(tmp) / "uncached")
            report["ingest_embedding_everything_s"] = round(seconds, 2)

        retriever = HybridRetriever(index)
        queries = list(dict.fromkeys(case.query for case in load_retrieval_set(None)))
        retriever.search("warm up the session")
        latencies = []
        for query in queries:
            start = time.perf_counter()
            retriever.search(query, k=5)
            latencies.append(time.perf_counter() - start)
        report["query_latency"] = percentiles(latencies)
        report["cold_search_process_s"] = round(cold_search(data), 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
