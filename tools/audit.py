"""The audit log: one entry per banking tool call, allowed or refused.

The tool guard writes it and reads it back for lookup rate limits and lockouts (`count`).
Stored in the state database (SQLite by default, PostgreSQL when configured) through a pooled
sync engine, so any thread may write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Engine, func, insert, select

from tools.metrics import METRICS
from tools.state.engine import sync_engine
from tools.state.schema import audit

Decision = Literal["allowed", "refused"]


def _utc(value: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditEntry(BaseModel):
    """One tool call as the tool guard saw it."""

    model_config = ConfigDict(frozen=True)

    time: datetime = Field(default_factory=lambda: datetime.now(UTC), description="When it happened (UTC).")
    user: str = Field(min_length=1, description="Platform user id of the caller.")
    platform: str = Field(min_length=1, description="slack, discord, terminal, ...")
    conversation: str = Field("", description="Conversation key, platform:channel:thread.")
    account: str | None = Field(None, description="Account id the call was about, if any.")
    tool: str = Field(min_length=1, description="Tool name, e.g. 'get_account_status'.")
    decision: Decision = Field(description="Whether the guard let the call through.")
    reason: str = Field("", description="Why, e.g. 'ok', 'not_verified', 'rate_limited'.")

    @field_validator("time")
    @classmethod
    def _time_utc(cls, value: datetime) -> datetime:
        return _utc(value)


class AuditLog:
    """Append-only audit entries."""

    def __init__(self, database: Engine | Path | str) -> None:
        self.database = database
        self._engine = database if isinstance(database, Engine) else None

    def __repr__(self) -> str:
        return f"AuditLog({str(self.database)!r})"

    @property
    def engine(self) -> Engine:
        if self._engine is None:  # opened on first use: reading the CLI help costs no database
            self._engine = sync_engine(self.database)  # type: ignore[arg-type]
        return self._engine

    def record(self, entry: AuditEntry) -> None:
        """Append one entry."""
        METRICS.tool_calls.labels(entry.tool, entry.decision).inc()
        with self.engine.begin() as db:
            db.execute(insert(audit).values(**entry.model_dump()))

    def tail(self, n: int = 20) -> list[AuditEntry]:
        """The newest `n` entries, newest last."""
        if n <= 0:
            return []
        query = select(audit).order_by(audit.c.time.desc(), audit.c.id.desc()).limit(n)
        with self.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        return [AuditEntry.model_validate(dict(row)) for row in reversed(rows)]

    def count(
        self,
        user: str,
        platform: str,
        since: datetime,
        tool: str | None = None,
        decision: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Entries for this user on this platform at or after `since`, optionally narrowed further."""
        query = select(func.count()).where(
            audit.c.user == user, audit.c.platform == platform, audit.c.time >= _utc(since)
        )
        for column, value in (("tool", tool), ("decision", decision), ("reason", reason)):
            if value is not None:
                query = query.where(audit.c[column] == value)
        with self.engine.connect() as db:
            return int(db.execute(query).scalar_one())

    def count_for_account(
        self,
        account: str,
        since: datetime,
        tool: str | None = None,
        decision: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Entries about one account at or after `since`, whoever made them, on any platform: guesses
        spread over many user ids or conversations still add up."""
        query = select(func.count()).where(audit.c.account == account, audit.c.time >= _utc(since))
        for column, value in (("tool", tool), ("decision", decision), ("reason", reason)):
            if value is not None:
                query = query.where(audit.c[column] == value)
        with self.engine.connect() as db:
            return int(db.execute(query).scalar_one())
