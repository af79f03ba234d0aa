"""A timed mock exam shaped like the real AIF-C01: 65 questions in 90 minutes, drawn by domain weight.

The draw takes 13 / 16 / 18 / 9 / 9 questions from domains 1–5 (the guide's weights 20 / 24 / 28 /
14 / 14 % of 65, rounded by largest remainder), preferring questions the learner has not answered yet.
All 65 are scored by default; the optional exam-like mode scores 50 and leaves 15 unscored,
unmarked, as the real exam does (the learner learns which only in the report).

Scaled score. AWS reports a scaled score from 100 to 1000 with 700 to pass but does not publish how
raw results map onto it (the mapping varies between exam forms). This module approximates it with a
piecewise-linear map from the raw share correct p that puts the commonly cited ~72 % raw at 700:

    scaled = 100 + p / 0.72 * 600            for p <= 0.72
    scaled = 700 + (p - 0.72) / 0.28 * 300   for p >  0.72

rounded to an integer and clamped to 100–1000. So 0 % gives 100, 72 % gives 700 and 100 % gives 1000.
It is an estimate for practice, not a prediction of the real score.

Per domain the report says "Meets competencies" when at least 70 % of that domain's questions were
right and "Needs improvement" otherwise, like the section table of the real score report.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from agents.quizmaster.grading import AnswerError, grade, parse
from agents.quizmaster.session import QuestionSequence
from knowledge.question_bank import Question

EXAM_QUESTIONS = 65
EXAM_MINUTES = 90
UNSCORED = 15  # the real exam's unscored items, in exam-like mode
PASSING_SCORE = 700
MIN_SCORE = 100
MAX_SCORE = 1000
RAW_AT_PASS = 0.72
DOMAIN_PASS = 0.7
DOMAIN_WEIGHTS: dict[int, float] = {1: 0.20, 2: 0.24, 3: 0.28, 4: 0.14, 5: 0.14}
DOMAIN_NAMES: dict[int, str] = {
    1: "Fundamentals of AI and ML",
    2: "Fundamentals of Generative AI",
    3: "Applications of Foundation Models",
    4: "Guidelines for Responsible AI",
    5: "Security, Compliance, and Governance for AI Solutions",
}


def _apportion(total: int, weights: Mapping[int, float]) -> dict[int, int]:
    """Split `total` by `weights` with largest-remainder rounding (ties go to the lower key)."""
    if total <= 0 or not weights:
        return dict.fromkeys(weights, 0)
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[:left]:
        counts[k] += 1
    return counts


def domain_quotas(total: int = EXAM_QUESTIONS) -> dict[int, int]:
    """Questions per domain for an exam of `total` questions: 13/16/18/9/9 for 65."""
    return _apportion(total, DOMAIN_WEIGHTS)


def draw_mock(
    questions: list[Question],
    rng: random.Random,
    avoid: Iterable[str] = frozenset(),
    total: int = EXAM_QUESTIONS,
) -> list[str]:
    """`total` question ids, per domain by weight, questions not in `avoid` first, shuffled.

    A domain with too few questions gives what it has; the shortfall is spread over the domains that
    still have questions, again by weight. A bank smaller than `total` gives all of it.
    """
    avoid = set(avoid)
    pools: dict[int, list[str]] = {}
    for domain in DOMAIN_WEIGHTS:
        ids = sorted(q.id for q in questions if q.domain == domain)
        fresh = [i for i in ids if i not in avoid]
        seen = [i for i in ids if i in avoid]
        rng.shuffle(fresh)
        rng.shuffle(seen)
        pools[domain] = fresh + seen  # fresh first, then already-answered ones

    chosen: dict[int, list[str]] = {d: [] for d in DOMAIN_WEIGHTS}
    wanted = domain_quotas(total)
    while True:
        for domain, count in wanted.items():
            take = pools[domain][:count]
            chosen[domain] += take
            del pools[domain][: len(take)]
        short = total - sum(len(ids) for ids in chosen.values())
        spare = {d: DOMAIN_WEIGHTS[d] for d, pool in pools.items() if pool}
        if short <= 0 or not spare:
            break
        wanted = _apportion(short, spare)

    drawn = [i for ids in chosen.values() for i in ids]
    rng.shuffle(drawn)
    return drawn


class MockExam(QuestionSequence):
    """A mock exam in progress, kept in the conversation's checkpointed state."""

    answers: dict[str, str] = Field(
        default_factory=dict, description="Question id → the learner's raw answer text, parsed at scoring."
    )
    started_at: datetime
    deadline: datetime
    flagged: list[str] = Field(default_factory=list, description="Question ids flagged for review.")
    unscored: list[str] = Field(default_factory=list, description="Exam-like mode: the 15 not scored.")
    confirm: str | None = Field(
        None, description="'stop' or 'submit' while waiting for the learner's choice."
    )
    paused: bool = Field(False, description="The learner chose to keep going later.")
    submitted: bool = Field(False, description="Scored; the review of mistakes may still be paging.")
    missed: list[str] = Field(
        default_factory=list, description="After submitting: ids answered wrong or not at all."
    )
    review_page: int = 0

    def unanswered(self) -> list[int]:
        """1-based numbers of the questions without an answer."""
        return [n for n, qid in enumerate(self.questions, 1) if qid not in self.answers]

    def flagged_numbers(self) -> list[int]:
        return [n for n, qid in enumerate(self.questions, 1) if qid in self.flagged]

    def next_open(self) -> int | None:
        """0-based position of the first unanswered question after the current one (wrapping)."""
        total = len(self.questions)
        for step in range(1, total + 1):
            at = (self.position + step) % total
            if self.questions[at] not in self.answers:
                return at
        return None

    def remaining(self, now: datetime) -> timedelta:
        """Time left before the deadline, never negative."""
        return max(self.deadline - now, timedelta(0))

    def expired(self, now: datetime) -> bool:
        return now >= self.deadline

    def time_left_text(self, now: datetime) -> str:
        """'1 h 12 min left', '45 min left', 'time is up' (whole minutes, rounded up)."""
        seconds = self.remaining(now).total_seconds()
        if seconds <= 0:
            return "time is up"
        hours, minutes = divmod(math.ceil(seconds / 60), 60)
        if not hours:
            return f"{minutes} min left"
        return f"{hours} h {minutes} min left" if minutes else f"{hours} h left"


def start_mock(
    questions: list[Question],
    rng: random.Random,
    now: datetime,
    avoid: Iterable[str] = frozenset(),
    exam_like: bool = False,
) -> MockExam:
    """A new mock exam starting at `now`, due `EXAM_MINUTES` later; `exam_like` leaves 15 unscored."""
    ids = draw_mock(questions, rng, avoid)
    unscored = rng.sample(ids, min(UNSCORED, max(len(ids) - 1, 0))) if exam_like else []
    return MockExam(
        id=f"{rng.getrandbits(48):012x}",
        questions=ids,
        started_at=now,
        deadline=now + timedelta(minutes=EXAM_MINUTES),
        unscored=unscored,
    )


def scaled_score(correct: int, total: int) -> int:
    """The approximate 100–1000 scaled score for `correct` of `total` (see the module docstring)."""
    p = correct / total if total > 0 else 0.0
    if p <= RAW_AT_PASS:
        scaled = MIN_SCORE + p / RAW_AT_PASS * (PASSING_SCORE - MIN_SCORE)
    else:
        scaled = PASSING_SCORE + (p - RAW_AT_PASS) / (1 - RAW_AT_PASS) * (MAX_SCORE - PASSING_SCORE)
    return min(MAX_SCORE, max(MIN_SCORE, round(scaled)))


class MockReport(BaseModel):
    correct: int
    total: int
    unscored: int = Field(0, description="Questions left out of the score (exam-like mode).")
    by_domain: dict[int, tuple[int, int]] = Field(description="Domain → (correct, total).")
    scaled: int = Field(ge=MIN_SCORE, le=MAX_SCORE)
    passed: bool

    def meets(self, domain: int) -> bool:
        right, asked = self.by_domain.get(domain, (0, 0))
        return asked > 0 and right / asked >= DOMAIN_PASS

    def text(self) -> str:
        share = self.correct / self.total if self.total else 0.0
        lines = [
            f"Mock exam result: {'PASS' if self.passed else 'FAIL'}",
            f"Scaled score: {self.scaled} / {MAX_SCORE} ({PASSING_SCORE} to pass) · "
            f"{self.correct} of {self.total} correct ({share:.0%})"
            + (f"; {self.unscored} unscored questions not counted" if self.unscored else ""),
            "",
            "Performance by domain:",
        ]
        for domain in sorted(set(DOMAIN_NAMES) | set(self.by_domain)):
            right, asked = self.by_domain.get(domain, (0, 0))
            name = DOMAIN_NAMES.get(domain, f"Domain {domain}")
            if not asked:
                verdict = "not tested"
            else:
                verdict = (
                    f"{'Meets competencies' if self.meets(domain) else 'Needs improvement'} ({right}/{asked})"
                )
            lines.append(f"• Domain {domain}: {name} — {verdict}")
        lines += [
            "",
            "The scaled score is an estimate: AWS does not publish its scaling, so 72 % correct is "
            "taken as 700.",
        ]
        return "\n".join(lines)


def _domain_of(qid: str, bank: Mapping[str, Question]) -> int | None:
    if (question := bank.get(qid)) is not None:
        return question.domain
    digit = qid[1:2]
    return int(digit) if qid.startswith("d") and digit.isdigit() else None


def _is_right(question: Question | None, raw: str | None) -> bool:
    if question is None or raw is None:
        return False
    try:
        return grade(question, parse(question, raw)).correct
    except AnswerError:
        return False


def score(exam: MockExam, bank: Mapping[str, Question]) -> MockReport:
    """Grade every question of the exam; unanswered or unparsable answers count as wrong."""
    by_domain: dict[int, list[int]] = {d: [0, 0] for d in DOMAIN_WEIGHTS}
    correct = 0
    for qid in exam.questions:
        if qid in exam.unscored:
            continue
        right = _is_right(bank.get(qid), exam.answers.get(qid))
        correct += right
        if (domain := _domain_of(qid, bank)) is not None:
            tally = by_domain.setdefault(domain, [0, 0])
            tally[0] += right
            tally[1] += 1
    total = len(exam.questions) - len(set(exam.unscored) & set(exam.questions))
    scaled = scaled_score(correct, total)
    return MockReport(
        correct=correct,
        total=total,
        unscored=len(exam.questions) - total,
        by_domain={d: (c, t) for d, (c, t) in sorted(by_domain.items())},
        scaled=scaled,
        passed=scaled >= PASSING_SCORE,
    )


def missed(exam: MockExam, bank: Mapping[str, Question]) -> list[str]:
    """Ids answered wrong or left unanswered, in exam order (unscored ones included: they teach too)."""
    return [qid for qid in exam.questions if not _is_right(bank.get(qid), exam.answers.get(qid))]
