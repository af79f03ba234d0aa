"""Queries on the daily question tables. Every replica shares them: the unique (platform, channel,
day) row is the claim that makes a post happen once, and every change of a post's status is a
conditional UPDATE, so two processes can never both win the same step."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Integer, and_, cast, func, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tools.state.schema import daily_answers, daily_posts
from tools.state.store import StateStore

PostStatus = Literal["claimed", "posted", "failed", "revealing", "revealed"]
# posts that went out: the sequence streaks are counted over
PUBLISHED: tuple[PostStatus, ...] = ("posted", "revealing", "revealed")
HISTORY_LIMIT = 400  # more than the 60-day no-repeat window and any streak worth showing


class DailyPost(BaseModel):
    """One channel's daily question on one day, from claim to reveal."""

    id: int
    platform: str
    channel: str
    day: date = Field(description="The channel's local date the post is for.")
    question: str
    status: PostStatus
    claimed_by: str = Field(description="The process that holds (or last held) the post.")
    claimed_at: datetime = Field(description="When the current (or last) attempt to post began.")
    message: str | None = None
    posted_at: datetime | None = None
    reveal_at: datetime | None = None
    revealed_at: datetime | None = Field(None, description="Reveal claimed (revealing) or done (revealed).")
    attempts: int = 0
    error: str | None = None


class DailyAnswer(BaseModel):
    post_id: int
    user: str
    name: str = ""
    answer: str
    correct: bool
    answered_at: datetime


def _utc(moment: datetime) -> datetime:
    # SQLite keeps DateTime as naive text: store UTC always, so text order is time order
    return moment.astimezone(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _post(row: RowMapping) -> DailyPost:
    data = dict(row)
    for key in ("claimed_at", "posted_at", "reveal_at", "revealed_at"):
        data[key] = _aware(data[key])
    return DailyPost.model_validate(data)


def _answer(row: RowMapping) -> DailyAnswer:
    data = dict(row)
    data["answered_at"] = _aware(data["answered_at"])
    return DailyAnswer.model_validate(data)


class DailyStore:
    """The daily posts and answers in the shared state database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def of(cls, state: StateStore) -> DailyStore:
        return cls(state.engine)

    # -- reading -----------------------------------------------------------------------------------
    async def _one(self, *where) -> DailyPost | None:  # type: ignore[no-untyped-def]
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(daily_posts).where(*where))).mappings().first()
        return _post(row) if row else None

    async def get(self, post_id: int) -> DailyPost | None:
        return await self._one(daily_posts.c.id == post_id)

    async def find(self, platform: str, channel: str, day: date) -> DailyPost | None:
        return await self._one(
            daily_posts.c.platform == platform, daily_posts.c.channel == channel, daily_posts.c.day == day
        )

    async def history(
        self, platform: str, channel: str, statuses: tuple[str, ...] | None = None, limit: int = HISTORY_LIMIT
    ) -> list[DailyPost]:
        """The channel's latest posts, oldest first."""
        query = select(daily_posts).where(
            daily_posts.c.platform == platform, daily_posts.c.channel == channel
        )
        if statuses:
            query = query.where(daily_posts.c.status.in_(statuses))
        query = query.order_by(daily_posts.c.day.desc(), daily_posts.c.id.desc()).limit(limit)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_post(row) for row in reversed(rows)]

    async def due_reveals(self, now: datetime, platforms: list[str]) -> list[DailyPost]:
        """Posts whose reveal time has come and that are not revealed yet (or whose revealer died)."""
        query = (
            select(daily_posts)
            .where(
                daily_posts.c.status.in_(("posted", "revealing")),
                daily_posts.c.reveal_at <= _utc(now),
                daily_posts.c.platform.in_(platforms),
            )
            .order_by(daily_posts.c.reveal_at)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_post(row) for row in rows]

    # -- posting: claim, take over, retry, done ----------------------------------------------------
    async def claim(
        self,
        *,
        platform: str,
        channel: str,
        day: date,
        question: str,
        instance: str,
        now: datetime,
        reveal_at: datetime,
    ) -> DailyPost | None:
        """Insert the day's row before posting; None when another process (or an earlier run)
        already has it. Only the claimer posts."""
        values = {
            "platform": platform,
            "channel": channel,
            "day": day,
            "question": question,
            "status": "claimed",
            "claimed_by": instance,
            "claimed_at": _utc(now),
            "reveal_at": _utc(reveal_at),
            "attempts": 1,
        }
        try:
            async with self.engine.begin() as connection:
                result = await connection.execute(daily_posts.insert().values(**values))
                post_id = result.inserted_primary_key[0]
        except IntegrityError:
            return None
        return await self.get(post_id)

    async def _take(self, post: DailyPost, instance: str, now: datetime, *where) -> DailyPost | None:  # type: ignore[no-untyped-def]
        async with self.engine.begin() as connection:
            result = await connection.execute(
                daily_posts.update()
                .where(daily_posts.c.id == post.id, *where)
                .values(
                    status="claimed",
                    claimed_by=instance,
                    claimed_at=_utc(now),
                    attempts=daily_posts.c.attempts + 1,
                )
            )
        return await self.get(post.id) if result.rowcount == 1 else None

    async def take_over(
        self, post: DailyPost, instance: str, now: datetime, stale_before: datetime
    ) -> DailyPost | None:
        """Take a claim whose holder never finished (it died mid-post); one process wins."""
        return await self._take(
            post,
            instance,
            now,
            daily_posts.c.status == "claimed",
            daily_posts.c.claimed_at < _utc(stale_before),
        )

    async def retry(self, post: DailyPost, instance: str, now: datetime) -> DailyPost | None:
        """Claim a failed post for another attempt; the attempts counter is the compare-and-set, so
        two processes retrying at once give one attempt."""
        return await self._take(
            post,
            instance,
            now,
            daily_posts.c.status == "failed",
            daily_posts.c.attempts == post.attempts,
        )

    async def mark_posted(self, post_id: int, instance: str, message: str, now: datetime) -> bool:
        """False when the claim was taken over meanwhile (the caller logs a possible duplicate)."""
        return await self._settle_claim(
            post_id, instance, status="posted", message=message[:128], posted_at=_utc(now), error=None
        )

    async def mark_failed(self, post_id: int, instance: str, error: str, now: datetime) -> bool:
        # claimed_at now says when this attempt failed: the retry backoff counts from it
        return await self._settle_claim(
            post_id, instance, status="failed", error=error[:1000], claimed_at=_utc(now)
        )

    async def _settle_claim(self, post_id: int, instance: str, **values: object) -> bool:
        """Finish our own claim; False when another process took it over meanwhile."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                daily_posts.update()
                .where(
                    daily_posts.c.id == post_id,
                    daily_posts.c.status == "claimed",
                    daily_posts.c.claimed_by == instance,
                )
                .values(**values)
            )
        return result.rowcount == 1

    # -- revealing ---------------------------------------------------------------------------------
    async def claim_reveal(self, post_id: int, now: datetime, stale_before: datetime) -> bool:
        """One process reveals: posted → revealing (or a revealing row whose revealer died)."""
        async with self.engine.begin() as connection:
            result = await connection.execute(
                daily_posts.update()
                .where(
                    daily_posts.c.id == post_id,
                    or_(
                        daily_posts.c.status == "posted",
                        and_(
                            daily_posts.c.status == "revealing",
                            daily_posts.c.revealed_at < _utc(stale_before),
                        ),
                    ),
                )
                .values(status="revealing", revealed_at=_utc(now))
            )
        return result.rowcount == 1

    async def mark_revealed(self, post_id: int, now: datetime) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                daily_posts.update()
                .where(daily_posts.c.id == post_id, daily_posts.c.status == "revealing")
                .values(status="revealed", revealed_at=_utc(now))
            )

    async def release_reveal(self, post_id: int, error: str) -> None:
        """The reveal failed: back to posted, so the next tick tries again."""
        async with self.engine.begin() as connection:
            await connection.execute(
                daily_posts.update()
                .where(daily_posts.c.id == post_id, daily_posts.c.status == "revealing")
                .values(status="posted", revealed_at=None, error=error[:1000])
            )

    # -- answers -----------------------------------------------------------------------------------
    async def record_answer(
        self, *, post_id: int, user: str, name: str, answer: str, correct: bool, now: datetime
    ) -> bool:
        """Store a member's answer; False when they had answered already (the first one counts)."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    daily_answers.insert().values(
                        post_id=post_id,
                        user=user[:64],
                        name=name[:80],
                        answer=answer[:64],
                        correct=correct,
                        answered_at=_utc(now),
                    )
                )
        except IntegrityError:
            return False
        return True

    async def answer_of(self, post_id: int, user: str) -> DailyAnswer | None:
        async with self.engine.connect() as connection:
            row = (
                (
                    await connection.execute(
                        select(daily_answers).where(
                            daily_answers.c.post_id == post_id, daily_answers.c.user == user
                        )
                    )
                )
                .mappings()
                .first()
            )
        return _answer(row) if row else None

    async def tally(self, post_id: int) -> tuple[int, int]:
        """(answered, correct) for one post."""
        query = select(
            func.count(), func.coalesce(func.sum(cast(daily_answers.c.correct, Integer)), 0)
        ).where(daily_answers.c.post_id == post_id)
        async with self.engine.connect() as connection:
            answered, correct = (await connection.execute(query)).one()
        return int(answered), int(correct)

    async def answers(self, post_ids: list[int]) -> list[DailyAnswer]:
        """Every answer to these posts (the streaks are computed from them)."""
        if not post_ids:
            return []
        query = (
            select(daily_answers)
            .where(daily_answers.c.post_id.in_(post_ids))
            .order_by(daily_answers.c.answered_at)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_answer(row) for row in rows]
