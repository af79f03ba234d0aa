"""The mock exam: the draw by domain weight, the clock, and the scaled-score report."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from agents.quizmaster.mock import (
    DOMAIN_NAMES,
    EXAM_MINUTES,
    EXAM_QUESTIONS,
    PASSING_SCORE,
    MockExam,
    draw_mock,
    scaled_score,
    score,
    start_mock,
)
from knowledge.question_bank import Question, load_questions

QUESTIONS = load_questions()
BANK = {q.id: q for q in QUESTIONS}
QUOTAS = {1: 13, 2: 16, 3: 18, 4: 9, 5: 9}
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def right_answer(q: Question) -> str:
    if isinstance(q.answer, dict):
        return " ".join(f"{k}-{v}" for k, v in q.answer.items())
    return (" " if q.type == "ordering" else ", ").join(q.answer_letters)


def wrong_answer(q: Question) -> str:
    if isinstance(q.answer, dict):
        targets = sorted(q.targets)
        return " ".join(f"{k}-{targets[(targets.index(v) + 1) % len(targets)]}" for k, v in q.answer.items())
    if q.type == "ordering":
        return " ".join(reversed(q.answer_letters))
    other = next(k for k in sorted(q.options) if k not in q.answer_letters)
    return ", ".join([other, *q.answer_letters[1:]])  # parsable, one letter off


def domains(ids: list[str]) -> dict[int, int]:
    counts = Counter(BANK[i].domain for i in ids)
    return {d: counts[d] for d in sorted(counts)}


def test_draw_is_65_unique_ids_by_domain_weight() -> None:
    ids = draw_mock(QUESTIONS, random.Random(1))
    assert len(ids) == EXAM_QUESTIONS == len(set(ids))
    assert set(ids) <= set(BANK)
    assert domains(ids) == QUOTAS


def test_draw_is_deterministic_with_a_seeded_rng_and_shuffled() -> None:
    first = draw_mock(QUESTIONS, random.Random(7))
    assert draw_mock(QUESTIONS, random.Random(7)) == first
    assert draw_mock(QUESTIONS, random.Random(8)) != first
    assert [BANK[i].domain for i in first] != sorted(BANK[i].domain for i in first)


def test_draw_prefers_questions_not_yet_answered() -> None:
    answered = set(draw_mock(QUESTIONS, random.Random(2)))
    ids = draw_mock(QUESTIONS, random.Random(3), avoid=answered)
    assert not set(ids) & answered
    assert domains(ids) == QUOTAS


def test_draw_reuses_answered_questions_only_when_it_must() -> None:
    # Everything answered except 5 fresh questions in domain 1: those 5 are always drawn.
    fresh = {q.id for q in QUESTIONS if q.domain == 1}
    keep = set(sorted(fresh)[:5])
    avoid = set(BANK) - keep
    ids = draw_mock(QUESTIONS, random.Random(4), avoid=avoid)
    assert keep <= set(ids)
    assert domains(ids) == QUOTAS


def test_a_thin_domain_is_filled_from_the_others_by_weight() -> None:
    thin = [q for q in QUESTIONS if q.domain != 5] + [q for q in QUESTIONS if q.domain == 5][:3]
    ids = draw_mock(thin, random.Random(5))
    assert len(ids) == EXAM_QUESTIONS == len(set(ids))
    counts = domains(ids)
    assert counts[5] == 3
    # The 6 missing domain-5 questions go to domains 1–4 by weight (20:24:28:14 of 6).
    assert counts == {1: 14, 2: 18, 3: 20, 4: 10, 5: 3}


def test_a_small_bank_gives_everything_it_has() -> None:
    small = [q for q in QUESTIONS if q.domain in (4, 5)][:20]
    ids = draw_mock(small, random.Random(6))
    assert sorted(ids) == sorted(q.id for q in small)


def test_start_sets_a_90_minute_deadline_and_the_clock() -> None:
    exam = start_mock(QUESTIONS, random.Random(1), NOW)
    assert exam.questions == draw_mock(QUESTIONS, random.Random(1))
    assert exam.started_at == NOW
    assert exam.deadline - exam.started_at == timedelta(minutes=EXAM_MINUTES)
    assert exam.current == exam.questions[0] and not exam.finished
    assert exam.remaining(NOW) == timedelta(minutes=90)
    assert exam.time_left_text(NOW) == "1 h 30 min left"
    later = NOW + timedelta(minutes=18, seconds=30)
    assert exam.remaining(later) == timedelta(minutes=71, seconds=30)
    assert exam.time_left_text(later) == "1 h 12 min left"
    assert exam.time_left_text(NOW + timedelta(minutes=30)) == "1 h left"
    assert exam.time_left_text(NOW + timedelta(minutes=45)) == "45 min left"
    assert not exam.expired(NOW + timedelta(minutes=89, seconds=59))
    assert exam.expired(exam.deadline)
    assert exam.expired(NOW + timedelta(hours=3))
    assert exam.remaining(NOW + timedelta(hours=3)) == timedelta(0)
    assert exam.time_left_text(NOW + timedelta(hours=3)) == "time is up"


def test_exam_survives_a_json_round_trip() -> None:
    exam = start_mock(QUESTIONS, random.Random(1), NOW)
    exam.answers[exam.questions[0]] = "B"
    exam.position = 1
    again = MockExam.model_validate_json(exam.model_dump_json())
    assert again == exam
    assert again.current == exam.questions[1]


def answered(exam: MockExam, right: int) -> MockExam:
    exam = exam.model_copy(deep=True)
    for n, qid in enumerate(exam.questions):
        q = BANK[qid]
        exam.answers[qid] = right_answer(q) if n < right else wrong_answer(q)
    exam.position = len(exam.questions)
    return exam


def test_all_right_scores_1000_and_passes() -> None:
    exam = answered(start_mock(QUESTIONS, random.Random(11), NOW), EXAM_QUESTIONS)
    report = score(exam, BANK)
    assert (report.correct, report.total, report.scaled, report.passed) == (65, 65, 1000, True)
    assert report.by_domain == {d: (n, n) for d, n in QUOTAS.items()}
    text = report.text()
    assert "PASS" in text and "FAIL" not in text and "1000" in text
    assert text.count("Meets competencies") == 5 and "Needs improvement" not in text


def test_all_wrong_scores_100_and_fails() -> None:
    exam = answered(start_mock(QUESTIONS, random.Random(12), NOW), 0)
    report = score(exam, BANK)
    assert (report.correct, report.scaled, report.passed) == (0, 100, False)
    assert report.by_domain == {d: (0, n) for d, n in QUOTAS.items()}
    assert "FAIL" in report.text() and report.text().count("Needs improvement") == 5


def test_unanswered_and_unparsable_count_as_wrong() -> None:
    exam = start_mock(QUESTIONS, random.Random(13), NOW)
    exam.answers[exam.questions[0]] = "no idea, maybe Z?"
    exam.answers[exam.questions[1]] = right_answer(BANK[exam.questions[1]])
    report = score(exam, BANK)
    assert (report.correct, report.total, report.scaled, report.passed) == (1, 65, 113, False)


def test_about_72_percent_right_is_about_700() -> None:
    exam = answered(start_mock(QUESTIONS, random.Random(14), NOW), 47)  # 47/65 = 72.3 %
    report = score(exam, BANK)
    assert report.correct == 47
    assert abs(report.scaled - PASSING_SCORE) <= 5
    assert report.passed == (report.scaled >= PASSING_SCORE)


@pytest.mark.parametrize(
    ("correct", "scaled"), [(0, 100), (13, 267), (32, 510), (46, 690), (47, 703), (56, 852), (65, 1000)]
)
def test_scaled_score_is_piecewise_linear(correct: int, scaled: int) -> None:
    assert scaled_score(correct, 65) == scaled
    assert 100 <= scaled_score(correct, 65) <= 1000


def test_report_text_names_every_domain_with_its_verdict() -> None:
    exam = start_mock(QUESTIONS, random.Random(15), NOW)
    for qid in exam.questions:  # domains 1–3 all right, 4–5 all wrong
        q = BANK[qid]
        exam.answers[qid] = right_answer(q) if q.domain <= 3 else wrong_answer(q)
    report = score(exam, BANK)
    assert report.correct == 13 + 16 + 18
    lines = report.text().splitlines()
    for domain, name in DOMAIN_NAMES.items():
        line = next(x for x in lines if f"Domain {domain}" in x)
        assert name in line
        assert ("Meets competencies" if domain <= 3 else "Needs improvement") in line
        assert f"/{QUOTAS[domain]})" in line
