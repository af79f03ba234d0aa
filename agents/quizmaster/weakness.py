"""One measure of weakness per task statement, shared by review, stats and the study plan.

Accuracy is smoothed with a uniform prior, (right + 1) / (answered + 2): a task statement never
practised counts as 50 %, one answered 1 of 3 as 40 %, so a few unlucky answers do not outrank a
well-practised weak spot and untouched statements are neither ignored nor always first. Ties go to
the statement with fewer answers (less is known about it), then to the exam's heavier domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, Field

from agents.quizmaster.mock import DOMAIN_WEIGHTS


class TaskStanding(BaseModel):
    task: str
    right: int = Field(ge=0)
    answered: int = Field(ge=0)
    score: float = Field(ge=0, le=1, description="Smoothed accuracy: (right + 1) / (answered + 2).")


def smoothed(right: int, answered: int) -> float:
    return (right + 1) / (answered + 2)


def standings(tasks: Iterable[str], accuracy: Mapping[str, tuple[int, int]]) -> list[TaskStanding]:
    """Every task statement, weakest first."""
    rows = [
        TaskStanding(task=t, right=accuracy.get(t, (0, 0))[0], answered=accuracy.get(t, (0, 0))[1], score=0)
        for t in sorted(set(tasks))
    ]
    for row in rows:
        row.score = smoothed(row.right, row.answered)
    return sorted(rows, key=lambda r: (r.score, r.answered, -DOMAIN_WEIGHTS[int(r.task[0])], r.task))


def weakest(tasks: Iterable[str], accuracy: Mapping[str, tuple[int, int]], n: int = 3) -> list[TaskStanding]:
    return standings(tasks, accuracy)[:n]
