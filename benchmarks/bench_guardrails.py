"""Input-guard latency of the local guardrail, offline: `uv run python benchmarks/bench_guardrails.py`.

Every text of the labelled set once (no query cache hits), plus long inputs. Prints JSON."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from agents.guards.local import LocalGuardrail
from agents.guards.policy import load_policy
from bots.cli.benchmark import percentiles
from bots.cli.evaluation import load_guardrail_set
from knowledge.embeddings.minilm import MiniLMEmbedder


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        embedder = MiniLMEmbedder(cache_dir=Path(tmp))
        guard = LocalGuardrail(load_policy(), embedder, cache_dir=Path(tmp))
        guard.assess("warm up", "input")
        texts = list(dict.fromkeys(case.text for case in load_guardrail_set(None)))
        latencies = []
        for text in texts:
            start = time.perf_counter()
            guard.assess(text, "input")
            latencies.append(time.perf_counter() - start)
        long_texts = [("Explain RAG and vector stores. " * 130)[:4000] + f" variant {i}" for i in range(20)]
        long = []
        for text in long_texts:
            start = time.perf_counter()
            guard.assess(text, "input")
            long.append(time.perf_counter() - start)
    print(
        json.dumps(
            {"input_guard": percentiles(latencies), "input_guard_4000_chars": percentiles(long)}, indent=2
        )
    )


if __name__ == "__main__":
    main()
