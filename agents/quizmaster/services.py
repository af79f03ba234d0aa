"""What the quizmaster reaches the outside through."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from knowledge.question_bank import Question
from tools.progress import ProgressStore
from tools.state.plans import PlanStore

if TYPE_CHECKING:
    from agents.quizmaster.plan import StudyPlan

log = logging.getLogger(__name__)


@dataclass
class QuizServices:
    questions: list[Question]
    progress: ProgressStore
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    plans: PlanStore | None = None  # None: the study plans table of the progress database

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def plan_store(self) -> PlanStore:
        """Where plans and reminder choices are kept for the scheduler and the terminal's start:
        the same (state) database as the progress, unless one was given."""
        return self.plans or PlanStore(self.progress.engine)

    def save_plan(self, platform: str, user_id: str, plan: StudyPlan) -> bool:
        """Keep a learner's plan and reminder choice where the daily scheduler finds it (the DM
        goes to the user id). False when the database refused: the conversation's copy still
        holds, and the next plan or reminder change saves it again."""
        try:
            self.plan_store.save(
                platform=platform,
                user_id=user_id,
                plan=plan.model_dump(mode="json"),
                exam=plan.exam,
                reminder=plan.reminder,
                target=user_id,
                now=self.clock(),
            )
        except Exception as exc:  # any database failure: the reply must not be lost over it
            log.error("study plan of %s:%s not saved: %s", platform, user_id, type(exc).__name__)
            return False
        return True
