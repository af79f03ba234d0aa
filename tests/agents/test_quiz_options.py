"""Hints schedule a card as harder, filters combine, the mock exam's exam-like mode, and review
and stats name the same weak task statements."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card

from agents.quizmaster.mock import score, start_mock
from agents.quizmaster.node import choose
from agents.quizmaster.progress_views import review_questions, stats_text
from agents.quizmaster.services import QuizServices
from knowledge.question_bank import load_questions
from tools.progress import HINT_MARK, Attempt, ProgressStore
from tools.state.schema import cards

BANK = load_questions()
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def attempt(qid: str, correct: bool, session: str, hinted: bool = False, when: datetime = NOW) -> Attempt:
    q = next(q for q in BANK if q.id == qid)
    return Attempt(
        platform="slack", user="U1", question=q.id, domain=q.domain, task=q.task, correct=correct,
        answer="A", session=session, hinted=hinted, time=when,
    )  # fmt: skip


@pytest.fixture
def services(tmp_path: Path) -> QuizServices:
    return QuizServices(BANK, ProgressStore(tmp_path / "p.sqlite3"), random.Random(3), clock=lambda: NOW)


def due_of(store: ProgressStore, qid: str) -> datetime:
    with store.engine.connect() as db:
        raw = db.execute(cards.select().where(cards.c.user == "U1", cards.c.question == qid)).one().card
    return Card.from_json(raw).due


def test_a_hinted_answer_is_recorded_and_comes_back_sooner(services: QuizServices) -> None:
    a, b = BANK[0].id, BANK[1].id
    services.progress.record(attempt(a, True, "s1", hinted=True))
    services.progress.record(attempt(b, True, "s1"))
    assert due_of(services.progress, a) < due_of(services.progress, b)
    assert services.progress.hints("slack", "U1") == (1, 1)
    text, _ = stats_text(services, "slack", "U1", NOW)
    assert "Answered after a hint: 1 (1 right)" in text
    assert HINT_MARK.strip() == "[hint]"


def test_recent_answers_are_those_of_the_window(services: QuizServices) -> None:
    services.progress.record(attempt(BANK[0].id, True, "old", when=NOW - timedelta(days=20)))
    services.progress.record(attempt(BANK[1].id, False, "new", when=NOW - timedelta(days=2)))
    assert services.progress.recent("slack", "U1", NOW - timedelta(days=14)) == {BANK[1].id}


class _NoRetrieval:
    class retriever:  # stands in for the context's attribute
        @staticmethod
        def search(*_a, **_k):  # type: ignore[no-untyped-def]
            raise AssertionError("no topic in these requests")


@pytest.mark.parametrize(
    ("text", "kinds", "extra"),
    [
        ("quiz me on 4 multiple response questions", {"multiple"}, None),
        ("5 hard ordering questions", {"ordering"}, "hard"),
        ("3 matching questions on domain 2", {"matching"}, 2),
        ("6 easy multiple choice questions about responsible ai", {"single"}, 4),
    ],
)
def test_filters_in_plain_words_combine(services: QuizServices, text: str, kinds: set, extra) -> None:
    chosen, _ = choose(text, services, _NoRetrieval(), None)  # type: ignore[arg-type]
    assert chosen and {q.type for q in chosen} == kinds
    if extra == "hard":
        assert {q.difficulty for q in chosen} == {"hard"}
    elif isinstance(extra, int):
        assert {q.domain for q in chosen} == {extra}
    wanted = next(int(w) for w in text.split() if w.isdigit())
    fitting = [q for q in BANK if q.type in kinds and (extra != "hard" or q.difficulty == "hard")]
    fitting = [q for q in fitting if not isinstance(extra, int) or q.domain == extra]
    assert len(chosen) == min(wanted, len(fitting))  # as many as asked, while the bank has them


def test_exam_like_mock_scores_50_and_leaves_15_unscored() -> None:
    exam = start_mock(BANK, random.Random(1), NOW, exam_like=True)
    assert (
        len(exam.questions) == 65 and len(exam.unscored) == 15 and set(exam.unscored) <= set(exam.questions)
    )
    report = score(exam, {q.id: q for q in BANK})
    assert report.total == 50 and report.unscored == 15 and "15 unscored" in report.text()


def test_review_and_stats_name_the_same_weakest_task_statements(services: QuizServices) -> None:
    for n, q in enumerate([q for q in BANK if q.task == "3.1"][:4]):
        services.progress.record(attempt(q.id, n == 0, f"s{n}"))
    services.progress.record(attempt(next(q for q in BANK if q.task == "2.1").id, True, "s9"))
    text, _ = stats_text(services, "slack", "U1", NOW - timedelta(days=400))  # nothing due yet
    _, label = review_questions(services, "slack", "U1", NOW - timedelta(days=400), 5)
    named = label.rsplit(" ", 3)[-3:]
    weakest_line = next(line for line in text.splitlines() if line.startswith("Weakest"))
    assert [t.rstrip(",") for t in named] == [
        p.split(" ")[0] for p in weakest_line.split(": ")[1].split(", ")
    ]
    assert named[0].rstrip(",") == "3.1"
