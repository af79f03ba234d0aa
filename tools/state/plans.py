"""Learners' study plans and their opt-in daily reminder, in the shared state database.

The graph state keeps the conversation's copy of a plan; this table is what runs outside any
conversation can read: the daily scheduler (the reminder DM) and the terminal's start. The plan is
kept as opaque JSON (the quizmaster's `StudyPlan`): tools don't import agents. Sync SQLAlchemy on
the pooled engine, like the progress store, so the quizmaster calls it from a worker thread.

One reminder a day per learner, however many replicas tick: `claim` is a conditional UPDATE of
`last_reminded`, so only one process wins the day, and `release` hands the day back when the DM
failed, so the next tick retries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from tools.state.engine import sync_engine
from tools.state.schema import study_plans

DEFAULT_HOUR = 9  # 09:00 UTC: a learner-level time, not any channel's daily-question schedule


class SavedPlan(BaseModel):
    """One learner's plan as stored."""

    platform: str
    user_id: str = Field(max_length=64)
    plan: dict[str, Any] = Field(description="The quizmaster's StudyPlan, as JSON data.")
    exam: date = Field(description="No reminder on or after this day.")
    reminder: bool = Field(False, description="The learner opted in to a daily reminder.")
    target: str = Field("", max_length=64, description="The DM target: Slack or Discord user id.")
    hour: int = Field(DEFAULT_HOUR, ge=0, le=23, description="UTC hour from which the day's DM goes.")
    last_reminded: date | None = Field(None, description="UTC day of the last reminder sent.")
    updated_at: datetime | None = None


def _saved(row: RowMapping) -> SavedPlan:
    data = dict(row)
    data["plan"] = json.loads(data["plan"])
    return SavedPlan.model_validate(data)


class PlanStore:
    def __init__(self, database: Engine | Path | str) -> None:
        self.engine = database if isinstance(database, Engine) else sync_engine(database)

    def _key(self, platform: str, user_id: str):  # type: ignore[no-untyped-def]
        return and_(study_plans.c.platform == platform, study_plans.c.user_id == user_id)

    def save(
        self,
        *,
        platform: str,
        user_id: str,
        plan: dict[str, Any],
        exam: date,
        reminder: bool,
        target: str = "",
        now: datetime | None = None,
    ) -> None:
        """Insert or replace a learner's plan and reminder choice; the reminder hour and the day
        of the last reminder are kept (a rebuilt plan doesn't send a second DM the same day)."""
        values = {
            "plan": json.dumps(plan, default=str),
            "exam": exam,
            "reminder": reminder,
            "target": (target or user_id)[:64],
            "updated_at": (now or datetime.now(UTC)).astimezone(UTC),
        }
        key = self._key(platform, user_id)
        with self.engine.begin() as connection:
            if connection.execute(update(study_plans).where(key).values(**values)).rowcount:
                return
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(study_plans).values(platform=platform, user_id=user_id[:64], **values)
                )
        except IntegrityError:  # another process inserted it meanwhile: the newest choice wins
            with self.engine.begin() as connection:
                connection.execute(update(study_plans).where(key).values(**values))

    def get(self, platform: str, user_id: str) -> SavedPlan | None:
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(study_plans).where(self._key(platform, user_id))).mappings().first()
            )
        return _saved(row) if row else None

    def due(self, now: datetime, platforms: list[str]) -> list[SavedPlan]:
        """Opted-in learners on these platforms whose hour has come today (UTC), who had no
        reminder today and whose exam is still ahead."""
        now = now.astimezone(UTC)
        today = now.date()
        query = (
            select(study_plans)
            .where(
                study_plans.c.reminder.is_(True),
                study_plans.c.platform.in_(platforms),
                study_plans.c.exam > today,
                study_plans.c.hour <= now.hour,
                or_(study_plans.c.last_reminded.is_(None), study_plans.c.last_reminded < today),
            )
            .order_by(study_plans.c.platform, study_plans.c.user_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_saved(row) for row in rows]

    def claim(self, platform: str, user_id: str, today: date) -> bool:
        """Take today's reminder for a learner; False when it went out already (or another
        process has it) or the learner opted out meanwhile."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(study_plans)
                .where(
                    self._key(platform, user_id),
                    study_plans.c.reminder.is_(True),
                    or_(study_plans.c.last_reminded.is_(None), study_plans.c.last_reminded < today),
                )
                .values(last_reminded=today)
            )
        return result.rowcount == 1

    def release(self, platform: str, user_id: str, today: date, previous: date | None) -> None:
        """Give today's claim back (the DM failed): the next tick tries again."""
        with self.engine.begin() as connection:
            connection.execute(
                update(study_plans)
                .where(self._key(platform, user_id), study_plans.c.last_reminded == today)
                .values(last_reminded=previous)
            )
