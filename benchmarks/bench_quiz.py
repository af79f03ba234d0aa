"""Quiz speed for a user with 10,000 past attempts (SQLite): picking the next questions (a review:
due FSRS cards, else the weakest task statements) and grading + recording an answer.

Run: `uv run python benchmarks/bench_quiz.py`. Prints JSON."""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agents.quizmaster.grading import grade, parse
from agents.quizmaster.progress_views import review_questions
from agents.quizmaster.services import QuizServices
from bots.benchmark import percentiles
from knowledge.question_bank import load_questions
from tools.progress import Attempt, ProgressStore


def answer_text(question) -> str:
    if isinstance(question.answer, dict):
        return " ".join(f"{k}-{v}" for k, v in question.answer.items())
    return " ".join(question.answer_letters)


def main() -> None:
    rng = random.Random(1)
    questions = load_questions()
    with tempfile.TemporaryDirectory() as tmp:
        store = ProgressStore(Path(tmp) / "progress.sqlite3")
        services = QuizServices(questions, store, rng)
        start = datetime.now(UTC) - timedelta(days=120)
        for n in range(10_000):
            q = rng.choice(questions)
            when = start + timedelta(minutes=17 * n)
            store.record(
                Attempt(
                    platform="slack",
                    user="U1",
                    question=q.id,
                    domain=q.domain,
                    task=q.task,
                    correct=rng.random() < 0.7,
                    answer="A",
                    session=f"s{n}",
                    scope="slack:C1",
                    time=when,
                )
            )
        now = datetime.now(UTC)
        pick = []
        for _ in range(200):
            t = time.perf_counter()
            review_questions(services, "slack", "U1", now, 5)
            pick.append(time.perf_counter() - t)
        record = []
        for n in range(200):
            q = rng.choice(questions)
            t = time.perf_counter()
            result = grade(q, parse(q, answer_text(q)))
            store.record(
                Attempt(
                    platform="slack",
                    user="U1",
                    question=q.id,
                    domain=q.domain,
                    task=q.task,
                    correct=result.correct,
                    answer=result.given,
                    session=f"b{n}",
                    scope="slack:C1",
                )
            )
            record.append(time.perf_counter() - t)
    print(
        json.dumps(
            {"pick_next_questions": percentiles(pick), "grade_and_record": percentiles(record)}, indent=2
        )
    )


if __name__ == "__main__":
    main()
