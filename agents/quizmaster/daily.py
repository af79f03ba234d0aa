"""The daily question, without any platform: which question a channel gets today, the streaks of its
members, and what the post, the private feedback and the reveal say.

Daily questions are single-choice: one click is one whole answer, so "the first answer counts" means
the same on every platform and the buttons need no submit step."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from agents.quizmaster.grading import expected_text
from agents.quizmaster.mock import DOMAIN_NAMES, DOMAIN_WEIGHTS
from agents.reply import Citation
from knowledge.question_bank import Question

DAILY_TYPES: tuple[str, ...] = ("single",)
NO_REPEAT_DAYS = 60
ROTATION_WINDOW = 50  # domains are balanced over the last 50 posts, so an old gap isn't made up in a burst
LEADERS = 3


class PastPost(BaseModel):
    """A question a channel already had."""

    question: str
    day: date


class TaskTally(BaseModel):
    """How a channel's members did on one task statement."""

    correct: int = Field(0, ge=0)
    answered: int = Field(0, ge=0)


# -- choosing --------------------------------------------------------------------------------------
def next_domain(counts: Mapping[int, int], available: Iterable[int]) -> int:
    """The domain furthest behind its exam weight after one more post (largest deficit); ties go
    to the heavier domain, then the lower number, so the rotation is deterministic."""
    domains = sorted(set(available))
    if not domains:
        raise ValueError("no domain has a question left")
    total = sum(counts.values()) + 1
    weight = sum(DOMAIN_WEIGHTS[d] for d in domains)

    def deficit(d: int) -> tuple[float, float, int]:
        return (total * DOMAIN_WEIGHTS[d] / weight - counts.get(d, 0), DOMAIN_WEIGHTS[d], -d)

    return max(domains, key=deficit)


def miss_weight(tally: TaskTally | None) -> float:
    """How much to prefer a task statement: the members' error rate (with one right and one wrong
    answer assumed, so an untried task counts as 0.5), squared to make the preference clear."""
    tally = tally or TaskTally()
    rate = (tally.answered - tally.correct + 1) / (tally.answered + 2)
    return rate * rate


def choose_daily(
    questions: Sequence[Question],
    history: Sequence[PastPost],
    results: Mapping[str, TaskTally],
    day: date,
    seed: str,
    types: tuple[str, ...] = DAILY_TYPES,
) -> Question:
    """Today's question for a channel: the domain by exam-weight rotation, no question the channel
    had in the last 60 days, task statements the members get wrong preferred. The same inputs give
    the same question (the seed is the channel), so every replica agrees."""
    candidates = sorted((q for q in questions if q.type in types), key=lambda q: q.id)
    if not candidates:
        raise ValueError(f"the question bank has no {'/'.join(types)} questions")
    by_id = {q.id: q for q in questions}
    history = sorted(history, key=lambda p: p.day)
    last_seen = {p.question: p.day for p in history}
    pool = [
        q for q in candidates if q.id not in last_seen or abs((day - last_seen[q.id]).days) >= NO_REPEAT_DAYS
    ]
    if not pool:  # a bank smaller than 60 days of posts: the longest unseen questions
        oldest = min(last_seen.get(q.id, date.min) for q in candidates)
        pool = [q for q in candidates if last_seen.get(q.id, date.min) == oldest]
    counts = Counter(by_id[p.question].domain for p in history[-ROTATION_WINDOW:] if p.question in by_id)
    domain = next_domain(counts, {q.domain for q in pool})
    pool = [q for q in pool if q.domain == domain]
    rng = random.Random(f"{seed}:{day.isoformat()}")
    tasks = sorted({q.task for q in pool})
    task = rng.choices(tasks, weights=[miss_weight(results.get(t)) for t in tasks])[0]
    pool = [q for q in pool if q.task == task]
    never = [q for q in pool if q.id not in last_seen]
    return rng.choice(never or pool)


# -- streaks ---------------------------------------------------------------------------------------
class Streak(BaseModel):
    """A member's runs over a channel's consecutive daily posts (not calendar days, so a
    weekdays-only schedule doesn't break a streak at the weekend)."""

    user: str
    name: str = ""
    answered: int = Field(0, description="Current run of posts answered.")
    best_answered: int = 0
    correct: int = Field(0, description="Current run of posts answered correctly.")
    best_correct: int = 0


def streaks(
    posts: Sequence[int],
    answers: Mapping[str, Mapping[int, bool]],
    names: Mapping[str, str] | None = None,
    open_post: int | None = None,
) -> dict[str, Streak]:
    """Streaks per member. `posts` are the channel's published post ids in order; `answers` maps
    member → post id → correct. A member who hasn't answered the still-open post keeps the run
    that ends at the post before."""
    names = names or {}
    result: dict[str, Streak] = {}
    for user, given in answers.items():
        streak = Streak(user=user, name=names.get(user, ""))
        run = right = 0
        for post in posts:
            if post == open_post and post not in given:
                continue
            run = run + 1 if post in given else 0
            right = right + 1 if given.get(post) else 0
            streak.best_answered = max(streak.best_answered, run)
            streak.best_correct = max(streak.best_correct, right)
        streak.answered, streak.correct = run, right
        result[user] = streak
    return result


def leaders(table: Mapping[str, Streak], n: int = LEADERS) -> list[Streak]:
    """The longest current answer streaks; the correct streak breaks ties."""
    ranked = sorted(
        (s for s in table.values() if s.answered > 0),
        key=lambda s: (-s.answered, -s.correct, s.name.casefold(), s.user),
    )
    return ranked[:n]


# -- saying things ---------------------------------------------------------------------------------
def safe_name(name: str, user: str) -> str:
    """A display name that can't mention or format anyone (names are user-chosen text)."""
    cleaned = " ".join("".join(c for c in name if c not in "<>@`*_~|#&!").split())[:40]
    return cleaned or f"member …{user[-4:]}"


def when_text(moment: datetime, zone: ZoneInfo, day: date, now: datetime | None = None) -> str:
    """ "17:00 Europe/Berlin", with the weekday when it isn't on `day`, and "(in 7 h 5 min)" when
    `now` is given."""
    local = moment.astimezone(zone)
    clock = local.strftime("%H:%M") if local.date() == day else local.strftime("%a %H:%M")
    text = f"{clock} {zone.key}"
    if now is None:
        return text
    hours, minutes = divmod(max(int((moment - now).total_seconds() // 60), 0), 60)
    return f"{text} (in {hours} h {minutes} min)" if hours else f"{text} (in {minutes} min)"


def post_text(question: Question, day: date, reveal: str) -> str:
    lines = [
        f"📅 *Daily question* · {day:%A %d %B %Y} · domain {question.domain} "
        f"({DOMAIN_NAMES[question.domain]}) · task {question.task}",
        "",
        question.stem,
        "",
        *(f"{k}) {v}" for k, v in sorted(question.options.items())),
        "",
        f"Answer with a button: your first answer counts, and I tell you privately whether it's right. "
        f"The answer and the explanation come in the thread at {reveal}.",
    ]
    return "\n".join(lines)


def feedback_text(question: Question, given: str, correct: bool, reveal: str) -> str:
    """The private reply to a first answer: right or wrong now, the why at the reveal, so nobody
    can pass the answer on before everyone had their go."""
    head = f"✅ Right: {given} is correct." if correct else f"❌ Not this time: {given} isn't the answer."
    return (
        f"{head} The explanation comes with the reveal at {reveal}. "
        "It counts for your answer streak either way."
    )


def already_text(given: str, reveal: str) -> str:
    return (
        f"You already answered this one ({given}); only your first answer counts. "
        f"The answer is revealed at {reveal}."
    )


def closed_text(question: Question) -> str:
    return (
        f"This daily question is closed: the answer was {expected_text(question)}, and the explanation "
        "is in the thread. A new question comes with the next post."
    )


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "0 %"


def reveal_text(question: Question, day: date, answered: int, correct: int, top: Sequence[Streak]) -> str:
    """The thread reply that closes a daily question."""
    letters = question.answer_letters
    right = "; ".join(f"{k}) {question.options[k]}" for k in letters)
    refs = " ".join(f"[{n}]" for n in range(1, len(question.sources) + 1))
    lines = [
        f"✅ Answer to the daily question of {day:%A %d %B}: {right}",
        f"{question.explanation.correct} {refs}",
    ]
    wrong = [f"• {k}: {question.explanation.wrong[k]}" for k in sorted(question.explanation.wrong)]
    if wrong:
        lines += ["", "Why not the others:", *wrong]
    lines.append("")
    if answered:
        lines.append(f"📊 {answered} answered, {percent(correct, answered)} correct.")
    else:
        lines.append("📊 Nobody answered this one.")
    if top:
        ranks = [
            f"{n}. {safe_name(s.name, s.user)}: {s.answered} in a row ({s.correct} right in a row)"
            for n, s in enumerate(top, start=1)
        ]
        lines += ["🔥 Streak leaders:", *ranks]
    return "\n".join(lines)


class SectionIndex(Protocol):
    """The part of the notes index that citations need."""

    section_first_chunk: Mapping[str, int]
    chunks: Sequence[Any]


def cite(question: Question, index: SectionIndex | None) -> list[Citation]:
    """The question's sources as numbered citations (titles from the notes index when there is one)."""
    cited = []
    for n, section in enumerate(question.sources, start=1):
        first = index.section_first_chunk.get(section) if index is not None else None
        chunk = index.chunks[first] if index is not None and first is not None else None
        cited.append(
            Citation(
                n=n,
                section=section,
                title=chunk.title if chunk else section,
                source=chunk.source if chunk else "",
            )
        )
    return cited
