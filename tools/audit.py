"""The audit log: one entry per banking tool call, allowed or refused.

The tool guard writes it and reads it back for lookup rate limits and lockouts (`count`).
Stored in SQLite (WAL) with one connection per call, so any thread may write.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Decision = Literal["allowed", "refused"]

_COLUMNS = "time, user, platform, conversation, account, tool, decision, reason"


def _utc(value: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stamp(value: datetime) -> str:
    """Fixed-width ISO text, so that string order is time order in SQL."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
    """Append-only audit entries in a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self._init()
        with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
            yield conn

    def _init(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30)) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                with conn:
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        "time TEXT NOT NULL, user TEXT NOT NULL, platform TEXT NOT NULL, "
                        "conversation TEXT NOT NULL, account TEXT, tool TEXT NOT NULL, "
                        "decision TEXT NOT NULL, reason TEXT NOT NULL)"
                    )
                    conn.execute("CREATE INDEX IF NOT EXISTS audit_user_time ON audit (user, platform, time)")
            self._ready = True

    def record(self, entry: AuditEntry) -> None:
        """Append one entry."""
        with self._connect() as conn:
            conn.execute(
                f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _stamp(entry.time),
                    entry.user,
                    entry.platform,
                    entry.conversation,
                    entry.account,
                    entry.tool,
                    entry.decision,
                    entry.reason,
                ),
            )

    def tail(self, n: int = 20) -> list[AuditEntry]:
        """The newest `n` entries, newest last."""
        if n <= 0:
            return []
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM audit ORDER BY time DESC, id DESC LIMIT ?", (n,)
            ).fetchall()
        return [
            AuditEntry(
                time=datetime.strptime(r[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
                user=r[1],
                platform=r[2],
                conversation=r[3],
                account=r[4],
                tool=r[5],
                decision=r[6],
                reason=r[7],
            )
            for r in reversed(rows)
        ]

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
        sql = "SELECT COUNT(*) FROM audit WHERE user = ? AND platform = ? AND time >= ?"
        args: list[str] = [user, platform, _stamp(since)]
        for column, value in (("tool", tool), ("decision", decision), ("reason", reason)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        with self._connect() as conn:
            return int(conn.execute(sql, args).fetchone()[0])
