"""Measure MiniLMEmbedder: load time (cold build / warm cache), throughput, query latency.

Run: `uv run python benchmarks/bench_embeddings.py [--batch-sizes 16 32 64]`
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# fmt: off
WORDS = [
    "model", "foundation", "prompt", "token", "embedding", "vector", "retrieval", "bedrock",
    "sagemaker", "training", "inference", "latency", "accuracy", "bias", "fairness", "guardrail",
    "agent", "knowledge", "base", "chunk", "context", "window", "temperature", "hallucination",
    "evaluation", "metric", "precision", "recall", "dataset", "label", "fine-tuning", "transfer",
    "learning", "responsible", "governance", "compliance", "encryption", "IAM", "role", "policy",
    "S3", "bucket", "endpoint", "serverless", "cost", "throughput", "batch", "real-time",
    "monitoring", "drift", "the", "a", "of", "to", "and", "in", "is", "for", "with", "that", "on",
    "by", "as", "are", "can", "use", "uses", "when", "which", "this", "your",
]
# fmt: on


def note_sentences(n: int, seed: int = 7) -> list[str]:
    """Typical study-note sentences of 10–40 words."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.choices(WORDS, k=rng.randint(10, 40))
        out.append(" ".join(words).capitalize() + rng.choice([".", "?", "!", "."]))
    return out


def _child_load(cache_dir: str | None) -> None:
    start = time.perf_counter()
    from knowledge.embeddings import MiniLMEmbedder

    embedder = MiniLMEmbedder(cache_dir=Path(cache_dir) if cache_dir else None)
    loaded = time.perf_counter()
    embedder.embed(["warm up"])
    print(json.dumps({"load_s": loaded - start, "first_query_s": time.perf_counter() - loaded}))


def _load_in_subprocess(cache_dir: str | None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child-load", cache_dir or ""]
    t0 = time.perf_counter()
    result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    timings["process_s"] = time.perf_counter() - t0
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32])
    parser.add_argument("--child-load", default=None)
    args = parser.parse_args()
    if args.child_load is not None:
        _child_load(args.child_load or None)
        return

    with tempfile.TemporaryDirectory() as cache:
        print("load, no cache (build in memory):", _load_in_subprocess(None))
        print("load, empty cache (build + write):", _load_in_subprocess(cache))
        print("load, warm cache (read .onnx):    ", _load_in_subprocess(cache))

    from knowledge.embeddings import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    sentences = note_sentences(2000)
    embedder.embed(sentences[:64])
    for batch_size in args.batch_sizes:
        embedder.batch_size = batch_size
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            embedder.embed(sentences)
            runs.append(time.perf_counter() - t0)
        best = min(runs)
        print(
            f"throughput batch={batch_size}: {len(sentences) / best:.0f} sentences/s "
            f"(best of 3: {best:.2f} s; runs {', '.join(f'{r:.2f}' for r in runs)})"
        )

    queries = [f"What is {w} in machine learning?" for w in WORDS] * 3
    latencies = []
    for q in queries:
        t0 = time.perf_counter()
        embedder.forget()  # measure the model, not the query cache
        embedder.embed([q])
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"single query latency over {len(latencies)}: p50 {statistics.median(latencies):.2f} ms, "
        f"p99 {p99:.2f} ms, max {latencies[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
