"""What composing an answer adds to a tutor turn: `uv run python benchmarks/bench_tutor.py`.

Each question of the answers set is answered twice by the tutor's engine (intent, spelling,
sections, composer). The first pass records the retriever's results; the second replays them, so
its time is the composition alone, next to the retrieval time it sits beside. Prints JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from agents.tutor.answer import Memory, Tutor
from agents.tutor.intents import classify
from agents.tutor.library import library_for
from agents.tutor.node import speller_for
from bots.cli.benchmark import percentiles
from bots.startup.runtime import Runtime
from bots.startup.settings import Settings

SETS = [
    Path(__file__).resolve().parents[1] / "knowledge" / "eval" / "answers" / name
    for name in ("dev.jsonl", "dev3.jsonl")  # dev3: long scenario stems, comparisons, outlines
]


class Replaying:
    """The real retriever on the first call of a query, its recorded answer after that."""

    def __init__(self, retriever: Any) -> None:
        self.retriever, self.seen, self.index = retriever, {}, retriever.index
        self.seconds: list[float] = []

    def search(self, query: str, k: int = 5, domain: int | None = None) -> Any:
        key = (query, k, domain)
        if key not in self.seen:
            start = time.perf_counter()
            self.seen[key] = self.retriever.search(query, k, domain)
            self.seconds.append(time.perf_counter() - start)
        return self.seen[key]


def main() -> dict[str, object]:
    runtime = Runtime(Settings())
    retriever = Replaying(runtime.retriever)
    start = time.perf_counter()
    library = library_for(runtime.index)
    speller = speller_for(library)
    cold = time.perf_counter() - start
    engine = Tutor(retriever, library, speller)  # type: ignore[arg-type]
    questions = [
        json.loads(line)["text"]
        for path in SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]
    composing: list[float] = []
    for attempt in range(2):
        for text in questions:
            start = time.perf_counter()
            corrected, _ = speller.correct(text)
            question = classify(corrected)
            engine.answer(corrected, question, Memory())
            if attempt:
                composing.append(time.perf_counter() - start)
    return {
        "questions": len(questions),
        "library_build_s": round(cold, 3),
        "composition": percentiles(composing),
        "retrieval": percentiles(retriever.seconds),
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
