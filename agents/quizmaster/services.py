"""What the quizmaster reaches the outside through."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from knowledge.question_bank import Question
from tools.progress import ProgressStore


@dataclass
class QuizServices:
    questions: list[Question]
    progress: ProgressStore
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}
