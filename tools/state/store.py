"""The state store: one async SQLAlchemy engine over SQLite (aiosqlite) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import and_, delete, event, func, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tools.state.engine import sqlite_pragmas, upgrade
from tools.state.schema import channel_settings, feedback, processed_events

log = logging.getLogger(__name__)

CHOICES_TTL_S = 10.0  # how soon other replicas follow an admin's channel choice
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# Alembic's context is process-global: one migration at a time per event loop
_migration_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


class StateStoreError(RuntimeError):
    """The state database can't be reached or written; the message says which and why."""


class ChannelSettings(BaseModel):
    """What a workspace admin chose for one channel."""

    platform: str
    channel: str
    workspace: str = ""
    answers: bool = Field(True, description="The bot answers in this channel.")
    daily_time: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local.")
    daily_timezone: str = "UTC"
    daily_weekdays: list[str] = Field(default_factory=lambda: list(WEEKDAYS))
    reveal_time: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    mentions_only: bool = Field(False, description="In threads, answer only messages that mention the bot.")
    updated_by: str = ""


class Feedback(BaseModel):
    platform: str
    user: str
    message: str = Field(description="The platform's id of the rated answer.")
    conversation: str
    rating: int = Field(ge=-1, le=1)


class StateStore:
    """Processed events, channel settings and feedback; the daily posts live in the same database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._choices: dict[tuple[str, str], tuple[float, dict[str, bool]]] = {}

    @classmethod
    async def open(cls, url: str) -> StateStore:
        """Connect and bring the schema up to date (Alembic); safe to run from several processes."""
        if url.startswith("sqlite"):
            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
            engine = create_async_engine(url, connect_args={"timeout": 30})
            event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        else:
            engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        for attempt in range(3):
            try:
                lock = _migration_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
                async with lock, engine.begin() as connection:
                    await connection.run_sync(upgrade)
                return cls(engine)
            except (SQLAlchemyError, OSError) as exc:
                # two replicas starting together on SQLite: the loser finds the tables made
                if attempt == 2 or not isinstance(exc, OperationalError):
                    await engine.dispose()
                    raise StateStoreError(f"the state database can't be opened: {_reason(exc)}") from exc
                await asyncio.sleep(0.5)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(select(1))
            return True
        except (SQLAlchemyError, OSError) as exc:
            log.warning("state database unreachable: %s", _reason(exc))
            return False

    # -- events ------------------------------------------------------------------------------------
    async def claim_event(self, key: str, now: datetime | None = None) -> bool:
        """True for the first claim of an event key, False for every retry or duplicate,
        whichever replica sees it."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    processed_events.insert().values(key=key[:255], seen_at=now or datetime.now(UTC))
                )
            return True
        except IntegrityError:
            return False

    async def forget_events(self, older_than: timedelta = timedelta(days=2)) -> int:
        """Drop dedupe records older than any platform retries (Slack retries within minutes)."""
        cutoff = datetime.now(UTC) - older_than
        async with self.engine.begin() as connection:
            result = await connection.execute(
                delete(processed_events).where(processed_events.c.seen_at < cutoff)
            )
        return result.rowcount or 0

    # -- channels ----------------------------------------------------------------------------------
    async def channel(self, platform: str, channel: str) -> ChannelSettings | None:
        async with self.engine.connect() as connection:
            row = (
                (
                    await connection.execute(
                        select(channel_settings).where(
                            and_(
                                channel_settings.c.platform == platform, channel_settings.c.channel == channel
                            )
                        )
                    )
                )
                .mappings()
                .first()
            )
        return _channel(row) if row else None

    async def channels(self, platform: str | None = None) -> list[ChannelSettings]:
        query = select(channel_settings).order_by(channel_settings.c.platform, channel_settings.c.channel)
        if platform:
            query = query.where(channel_settings.c.platform == platform)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_channel(row) for row in rows]

    async def save_channel(self, settings: ChannelSettings) -> None:
        values = settings.model_dump() | {
            "daily_weekdays": ",".join(settings.daily_weekdays),
            "updated_at": datetime.now(UTC),
        }
        keys = and_(
            channel_settings.c.platform == settings.platform, channel_settings.c.channel == settings.channel
        )
        async with self.engine.begin() as connection:
            updated = await connection.execute(channel_settings.update().where(keys).values(**values))
            if not updated.rowcount:
                try:
                    async with connection.begin_nested():
                        await connection.execute(channel_settings.insert().values(**values))
                except IntegrityError:  # another replica inserted it meanwhile: ours is newer
                    await connection.execute(channel_settings.update().where(keys).values(**values))
        self._choices.clear()  # this replica follows the change at once

    async def answers_in(self, platform: str, workspace: str, channel: str) -> bool:
        """Whether the bot answers in a channel: everywhere until an admin picks channels for a
        workspace, then only in those."""
        choices = await self._channel_choices(platform, workspace)
        if choices.get(channel) is False:
            return False  # ignored by an admin
        chosen = {name for name, answers in choices.items() if answers}
        return not chosen or channel in chosen

    async def _channel_choices(self, platform: str, workspace: str) -> dict[str, bool]:
        """A workspace's channel choices, read at most every CHOICES_TTL_S: asked on every message,
        changed by an admin now and then (here at once; on other replicas within the TTL)."""
        key = (platform, workspace)
        remembered = self._choices.get(key)
        if remembered and time.monotonic() - remembered[0] < CHOICES_TTL_S:
            return remembered[1]
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(channel_settings.c.channel, channel_settings.c.answers).where(
                    and_(channel_settings.c.platform == platform, channel_settings.c.workspace == workspace)
                )
            )
            choices = {row.channel: row.answers for row in rows}
        self._choices[key] = (time.monotonic(), choices)
        return choices

    # -- feedback ----------------------------------------------------------------------------------
    async def record_feedback(self, item: Feedback) -> None:
        """One rating per user and answer; a second click changes it."""
        values = item.model_dump() | {"created_at": datetime.now(UTC)}
        keys = and_(
            feedback.c.platform == item.platform,
            feedback.c.user == item.user,
            feedback.c.message == item.message,
        )
        async with self.engine.begin() as connection:
            updated = await connection.execute(
                feedback.update().where(keys).values(rating=item.rating, created_at=values["created_at"])
            )
            if not updated.rowcount:
                await connection.execute(feedback.insert().values(**values))

    async def feedback_totals(self) -> dict[str, int]:
        async with self.engine.connect() as connection:
            rows = (
                await connection.execute(select(feedback.c.rating, func.count()).group_by(feedback.c.rating))
            ).all()
        counts = {rating: n for rating, n in rows}
        return {"helpful": counts.get(1, 0), "not_helpful": counts.get(-1, 0)}


def _channel(row) -> ChannelSettings:  # type: ignore[no-untyped-def]
    data = dict(row)
    data["daily_weekdays"] = [d for d in (data.get("daily_weekdays") or "").split(",") if d]
    data.pop("updated_at", None)
    return ChannelSettings.model_validate(data)


def _reason(exc: BaseException) -> str:
    """The database's own complaint, without the URL (it may hold a password)."""
    original = getattr(exc, "orig", None) or exc
    return f"{type(original).__name__}: {str(original).splitlines()[0] if str(original) else ''}"
