"""Quiz speed for a user with 10,000 past attempts (SQLite): picking the next questions (a review:
due FSRS cards, else the weakest task statements; a filtered practice quiz; a mock exam that avoids
the last 14 days' questions), building a study plan, and grading + recording an answer.
Target: picking the next question p99 <= 10 ms.

Run: `uv run python benchmarks/bench_quiz.py`. Prints JSON."""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agents.quizmaster.grading import grade, parse
from agents.quizmaster.mock import start_mock
from agents.quizmaster.node import choose
from agents.quizmaster.plan import build_plan
from agents.quizmaster.progress_views import review_questions
from agents.quizmaster.services import QuizServices
from bots.cli.benchmark import percentiles
from knowledge.question_bank import Question, load_questions
from tools.progress import Attempt, ProgressStore


def answer_text(question) -> str:
    if isinstance(question.answer, dict):
        return " ".join(f"{k}-{v}" for k, v in question.answer.items())
    return " ".join(question.answer_letters)


def attempt(q: Question, correct: bool, answer: str, session: str, when: datetime) -> Attempt:
    return Attempt(
        platform="slack",
        user="U1",
        question=q.id,
        domain=q.domain,
        task=q.task,
        correct=correct,
        answer=answer,
        session=session,
        scope="slack:C1",
        time=when,
    )


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
            store.record(attempt(q, rng.random() < 0.7, "A", f"s{n}", when))
        # due cards (now) and, when nothing is due (before the first answer), the weakest tasks
        timings: dict[str, list[float]] = {"pick_due_cards": [], "pick_weakest_tasks": []}
        for name, when in (("pick_due_cards", datetime.now(UTC)), ("pick_weakest_tasks", start)):
            for _ in range(200):
                t = time.perf_counter()
                review_questions(services, "slack", "U1", when, 5)
                timings[name].append(time.perf_counter() - t)
        now = datetime.now(UTC)

        class _Context:  # a filter request without a topic needs no retriever
            retriever = None

        for name, pick in (
            (
                "pick_filtered_quiz",
                lambda: choose("5 hard multiple response questions on domain 3", services, _Context(), None),
            ),  # type: ignore[arg-type]
            (
                "pick_mock_exam",
                lambda: start_mock(
                    questions, rng, now, store.recent("slack", "U1", now - timedelta(days=14))
                ),
            ),
            (
                "build_study_plan",
                lambda: build_plan(
                    (now + timedelta(days=45)).date(),
                    now.date(),
                    sorted({q.task for q in questions}),
                    store.accuracy_by_task("slack", "U1"),
                    store.due_dates("slack", "U1"),
                ),
            ),
        ):
            timings[name] = []
            for _ in range(100):
                t = time.perf_counter()
                pick()
                timings[name].append(time.perf_counter() - t)
        record = []
        for n in range(200):
            q = rng.choice(questions)
            t = time.perf_counter()
            result = grade(q, parse(q, answer_text(q)))
            store.record(attempt(q, result.correct, result.given, f"b{n}", datetime.now(UTC)))
            record.append(time.perf_counter() - t)
    report = {name: percentiles(values) for name, values in timings.items()}
    report["grade_and_record"] = percentiles(record)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
