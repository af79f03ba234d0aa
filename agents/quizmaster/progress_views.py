"""What a learner sees of their progress: stats, readiness, leaderboards, and the choice of
questions for a review."""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.quizmaster.mock import DOMAIN_WEIGHTS, scaled_score
from agents.quizmaster.plan import StudyPlan, progress_line
from agents.quizmaster.services import QuizServices
from agents.quizmaster.weakness import weakest
from knowledge.question_bank import Question
from tools.progress import streaks

MIN_FOR_READINESS = 10


def readiness(by_domain: dict[int, tuple[int, int]]) -> int | None:
    """A predicted scaled score: domain accuracies weighted like the exam, on the mock exam's scale."""
    answered = {d: c / n for d, (c, n) in by_domain.items() if n}
    if sum(n for _, n in by_domain.values()) < MIN_FOR_READINESS:
        return None
    weight = sum(DOMAIN_WEIGHTS[d] for d in answered)
    accuracy = sum(DOMAIN_WEIGHTS[d] * a for d, a in answered.items()) / weight
    return scaled_score(round(accuracy * 1000), 1000)


def stats_text(
    services: QuizServices, platform: str, user: str, now: datetime, plan: StudyPlan | None = None
) -> tuple[str, bytes | None]:
    """The stats message and, when there is anything to draw, the chart as a PNG."""
    from tools.charts import progress_chart, text_chart

    progress = services.progress
    by_domain = progress.accuracy_by_domain(platform, user)
    if not by_domain:
        return "No answers yet. Say *quiz me* to start; your progress appears here.", None
    correct = sum(c for c, _ in by_domain.values())
    total = sum(n for _, n in by_domain.values())
    current, best = streaks([d for d, _ in progress.activity(platform, user)], now.date())
    predicted = readiness(by_domain)
    ready = (
        f"Predicted score: ~{predicted} / 1000 (700 passes)."
        if predicted is not None
        else f"Answer {MIN_FOR_READINESS - total} more for a readiness estimate."
    )
    tasks = progress.accuracy_by_task(platform, user)
    weak = weakest({q.task for q in services.questions} | set(tasks), tasks)
    hinted, hinted_right = progress.hints(platform, user)
    activity = progress.activity(platform, user)
    today = dict(activity).get(now.date(), 0)
    lines = [
        f"{total} answered, {correct / total:.0%} correct. Daily streak: {current} (best {best}).",
        ready,
        f"Answered after a hint: {hinted} ({hinted_right} right); they come back for review sooner."
        if hinted
        else "No hints used.",
        *([progress_line(plan, now.date(), today)] if plan is not None else []),
        "```",
        text_chart(by_domain),
        "```",
        "By task statement: " + " · ".join(f"{t} {c}/{n}" for t, (c, n) in sorted(tasks.items())),
        "Weakest task statements: "
        + ", ".join(
            f"{w.task} ({w.right}/{w.answered})" if w.answered else f"{w.task} (not tried)" for w in weak
        ),
        "Say *review* to practise them.",
    ]
    return "\n".join(lines), progress_chart(by_domain, activity)


def leaderboard_text(services: QuizServices, scope: str, now: datetime) -> str:
    lines = []
    for title, since in (("This week", now - timedelta(days=7)), ("All time", None)):
        rows = services.progress.leaderboard(scope, since)
        lines.append(f"*{title}*")
        lines += [f"{n}. {user}: {c} correct of {a}" for n, (user, c, a) in enumerate(rows, 1)] or [
            "nobody yet"
        ]
    return "\n".join(lines)


def review_questions(
    services: QuizServices, platform: str, user: str, now: datetime, count: int
) -> tuple[list[Question], str]:
    """Due FSRS cards first; otherwise questions from the weakest (or never tried) task statements."""
    due = [
        services.by_id[q] for q in services.progress.due(platform, user, now, count) if q in services.by_id
    ]
    if due:
        return due, "review: due cards"
    tasks = services.progress.accuracy_by_task(platform, user)
    weak = [w.task for w in weakest({q.task for q in services.questions}, tasks)]  # same as "my stats"
    answered = services.progress.answered(platform, user)
    pool = [q for q in services.questions if q.task in weak and q.id not in answered]
    pool = pool or [q for q in services.questions if q.task in weak]
    return services.rng.sample(pool, min(count, len(pool))), "review: weakest task statements " + ", ".join(
        weak
    )
