"""Offline explainer latency per question: `uv run python benchmarks/bench_explain.py`.

Every question of knowledge/eval/explain/dev.jsonl once, from parsing to the finished reply (the
bank lookup included), on the data dir's index. Each question's texts are new to the embedder, so
no query cache helps. Target: p95 ≤ 150 ms. Prints JSON with p50/p95/p99 in milliseconds."""

from __future__ import annotations

import json
import time
from pathlib import Path

from agents.tutor.explain_eval import load_cases
from agents.tutor.explainer import explain_offline
from agents.tutor.mcq import parse_pasted_question
from bots.cli.benchmark import percentiles
from bots.startup.runtime import Runtime
from bots.startup.settings import Settings

SET = Path(__file__).resolve().parents[1] / "knowledge" / "eval" / "explain" / "dev.jsonl"


def main() -> None:
    runtime = Runtime(Settings())
    index, bank = runtime.index, runtime.quiz.questions
    cases = load_cases(SET)
    warm = parse_pasted_question("Warm-up question about tokens?\nA. one\nB. two\nC. three")
    assert warm is not None
    explain_offline(warm, index, bank)  # loads the chunk vectors and section titles once
    parse_seconds, total_seconds = [], []
    for case in cases:
        start = time.perf_counter()
        question = parse_pasted_question(case.text)
        parse_seconds.append(time.perf_counter() - start)
        assert question is not None, case.id
        explain_offline(question, index, bank)
        total_seconds.append(time.perf_counter() - start)
    print(json.dumps({"parse": percentiles(parse_seconds), "explain": percentiles(total_seconds)}, indent=2))


if __name__ == "__main__":
    main()
