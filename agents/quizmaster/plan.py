"""A day-by-day study plan up to the exam date, and a readiness forecast on the exam's scale.

Each task statement's share of new questions is its domain's exam weight (split over the domain's
task statements) times (1.5 - smoothed accuracy) from `weakness`, so weak statements get more
practice without starving the rest. FSRS cards due on a day are that day's reviews; new questions
fill the rest of the daily budget. Every seventh day before the exam and the day two days before it
are mock-exam days; the last day before the exam is a light review.

The forecast assumes each task statement's accuracy moves toward a ceiling of 90 % as it is
practised, closing a third of the gap per 10 questions (a rule of thumb, stated in the reply), and
reports the weighted result through the mock exam's scaled-score map.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from agents.quizmaster.mock import DOMAIN_WEIGHTS, _apportion, scaled_score
from agents.quizmaster.weakness import smoothed, standings

DAILY_BUDGET = 20
MIN_NEW = 5
CEILING = 0.9
PLAN_DAYS_SHOWN = 14
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_WORDY = re.compile(r"\b(\d{1,2}\s+[A-Za-z]{3,9}\s+\d{4}|[A-Za-z]{3,9}\s+\d{1,2},?\s+\d{4})\b")
_BUDGET = re.compile(r"\b(\d{1,3})\s*(?:questions?|qs)?\s*(?:a|per|each)\s*day\b", re.I)
PLAN_REQUEST = re.compile(
    r"\b(my exam is|exam (is )?(on|date)|study plan|plan my|sitting the exam|taking the exam)\b", re.I
)


class PlanDay(BaseModel):
    day: date
    kind: str = Field(description="practice, mock or light review.")
    reviews: int = Field(ge=0, description="FSRS cards due that day.")
    new: int = Field(ge=0)
    focus: list[str] = Field(default_factory=list, description="Task statements to practise.")


class StudyPlan(BaseModel):
    exam: date
    created: date
    budget: int = Field(DAILY_BUDGET, ge=1, le=200, description="Questions a day.")
    days: list[PlanDay]
    forecast: int | None = Field(None, description="Scaled score expected on exam day if followed.")
    now_score: int | None = Field(None, description="Scaled score from today's accuracy.")
    reminder: bool = Field(False, description="The learner asked for a daily reminder.")

    def today(self, on: date) -> PlanDay | None:
        return next((d for d in self.days if d.day == on), None)


def exam_date(text: str, today: date) -> date | None:
    """The date in 'my exam is on 2027-01-15' (or '15 January 2027', 'Jan 15, 2027')."""
    if m := _ISO.search(text):
        try:
            return date.fromisoformat(m.group(1))
        except ValueError:
            return None
    if m := _WORDY.search(text):
        raw = m.group(1).replace(",", "")
        for fmt in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"):
            try:
                return datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
    return None


def budget(text: str) -> int:
    return max(1, min(200, int(m.group(1)))) if (m := _BUDGET.search(text)) else DAILY_BUDGET


def task_shares(tasks: list[str], accuracy: Mapping[str, tuple[int, int]]) -> dict[str, float]:
    """How much of the new practice each task statement gets (sums to 1)."""
    per_domain = Counter(int(t[0]) for t in tasks)
    raw = {}
    for row in standings(tasks, accuracy):
        domain = int(row.task[0])
        raw[row.task] = DOMAIN_WEIGHTS[domain] / per_domain[domain] * (1.5 - row.score)
    whole = sum(raw.values())
    return {t: v / whole for t, v in raw.items()}


def forecast(accuracy: Mapping[str, tuple[int, int]], practice: Mapping[str, int], tasks: list[str]) -> int:
    """The scaled score if each task statement gets `practice[t]` more questions (see module doc)."""
    per_domain: dict[int, list[float]] = {}
    for t in tasks:
        right, answered = accuracy.get(t, (0, 0))
        now = smoothed(right, answered)
        later = CEILING - (CEILING - now) * (2 / 3) ** (practice.get(t, 0) / 10) if now < CEILING else now
        per_domain.setdefault(int(t[0]), []).append(later)
    score = sum(DOMAIN_WEIGHTS[d] * sum(v) / len(v) for d, v in per_domain.items())
    score /= sum(DOMAIN_WEIGHTS[d] for d in per_domain)
    return scaled_score(round(score * 1000), 1000)


def build_plan(
    exam: date,
    today: date,
    tasks: list[str],
    accuracy: Mapping[str, tuple[int, int]],
    due: list[datetime],
    daily: int = DAILY_BUDGET,
) -> StudyPlan:
    """The plan from `today` to the day before `exam`; `due` are the learner's FSRS due times."""
    span = (exam - today).days
    due_on = Counter(max(d.date(), today) for d in due)
    shares = task_shares(tasks, accuracy)
    days: list[PlanDay] = []
    for n in range(max(span, 0)):
        day = today + timedelta(days=n)
        left = span - n  # days until the exam
        kind = (
            "light review"
            if left == 1
            else "mock"
            if left == 2 or (left > 2 and left % 7 == 0)
            else "practice"
        )
        reviews = due_on.get(day, 0)
        new = 0 if kind != "practice" else max(MIN_NEW, daily - reviews)
        days.append(PlanDay(day=day, kind=kind, reviews=reviews, new=new))
    # spread each task statement's share of all new questions over the practice days, weakest first
    total_new = sum(d.new for d in days)
    per_task = _apportion(total_new, shares) if total_new else {}
    # each statement's slots evenly spaced over the whole period, so every day mixes statements
    slots = [((i + 0.5) / k, -shares[t], t) for t, k in per_task.items() for i in range(k)]
    queue = [t for _, _, t in sorted(slots)]
    practice_days = [d for d in days if d.kind == "practice"]
    cursor = 0
    for d in practice_days:
        chunk = queue[cursor : cursor + d.new]
        cursor += d.new
        d.focus = [t for t, _ in Counter(chunk).most_common(3)]
    answered = sum(n for _, n in accuracy.values())
    return StudyPlan(
        exam=exam,
        created=today,
        budget=daily,
        days=days,
        forecast=forecast(accuracy, per_task, tasks) if days else None,
        now_score=forecast(accuracy, {}, tasks) if answered else None,
    )


def plan_text(plan: StudyPlan, today: date, done_today: int = 0) -> str:
    """The plan as a message: summary, forecast, and the next two weeks day by day."""
    left = (plan.exam - today).days
    if left <= 0:
        return (
            f"Your exam date {plan.exam.isoformat()} is today or past; "
            "say *my exam is on YYYY-MM-DD* to plan again."
        )
    practice = [d for d in plan.days if d.kind == "practice"]
    mocks = sum(d.kind == "mock" for d in plan.days)
    lines = [
        f"Study plan to your exam on {plan.exam:%A %d %B %Y} ({left} days): "
        f"{sum(d.new for d in practice)} new questions over {len(practice)} practice days, "
        f"{sum(d.reviews for d in plan.days)} reviews due, {mocks} mock exam(s).",
    ]
    if plan.now_score is not None:
        lines.append(f"Readiness now: ~{plan.now_score} / 1000 (700 passes).")
    if plan.forecast is not None:
        lines.append(
            f"Forecast on exam day if you follow it: ~{plan.forecast} / 1000 "
            "(a rule of thumb: each 10 questions on a task statement close a third of the gap to 90 %)."
        )
    lines.append("")
    for d in plan.days[:PLAN_DAYS_SHOWN]:
        if d.kind == "practice":
            what = f"{d.new} new ({', '.join(d.focus)})" + (f" + {d.reviews} reviews" if d.reviews else "")
        elif d.kind == "mock":
            what = "mock exam (say *mock exam*)" + (f" + {d.reviews} reviews" if d.reviews else "")
        else:
            what = "light review: *review* your due cards, rest"
        lines.append(f"• {d.day:%a %d %b}: {what}")
    if len(plan.days) > PLAN_DAYS_SHOWN:
        lines.append(f"… and {len(plan.days) - PLAN_DAYS_SHOWN} more days; say *my plan* to see today's.")
    lines += ["", "Say *remind me daily* for a daily reminder, *my stats* for progress against the plan."]
    return "\n".join(lines)


def progress_line(plan: StudyPlan, today: date, done_today: int) -> str:
    """One line for "my stats": today's target and what is done."""
    left = (plan.exam - today).days
    day = plan.today(today)
    if day is None:
        return f"Study plan: exam on {plan.exam.isoformat()} ({max(left, 0)} days)."
    target = day.new + day.reviews
    what = {"mock": "mock exam day", "light review": "light review day"}.get(day.kind, f"{target} questions")
    return (
        f"Study plan: exam in {left} days · today: {what} · done today: {done_today}"
        + (f"/{target}" if day.kind == "practice" else "")
        + (f" · focus {', '.join(day.focus)}" if day.focus else "")
    )


def reminder_text(plan: StudyPlan, today: date, done_today: int = 0) -> str:
    """The daily reminder (DM or terminal start)."""
    return "📅 " + progress_line(plan, today, done_today) + ". Say *review* or *quiz me* to start."


def due_reminder(values: Mapping[str, object], today: date) -> str | None:
    """The reminder to show when a conversation opens (the terminal), if the learner opted in."""
    plan = values.get("study_plan")
    if not isinstance(plan, StudyPlan) or not plan.reminder or plan.exam <= today:
        return None
    return reminder_text(plan, today)


def stored_reminder(
    plan: Mapping[str, object] | StudyPlan, reminder: bool, today: date, done_today: int = 0
) -> str | None:
    """The reminder for a plan as saved by the plan store (the scheduler's DM, the terminal's
    start): None when opted out, on or after the exam day, or when the saved plan is unreadable."""
    if not reminder:
        return None
    try:
        study = plan if isinstance(plan, StudyPlan) else StudyPlan.model_validate(plan)
    except ValueError:  # a plan saved by an older version: no reminder rather than a crash
        return None
    if study.exam <= today:
        return None
    return reminder_text(study, today, done_today)
