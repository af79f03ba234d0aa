"""Every practice answer, per user (platform + user id), in SQLite: the record that stats, reviews
and leaderboards are built from. One connection per call (WAL), so any thread may write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    question TEXT NOT NULL,
    domain INTEGER NOT NULL,
    task TEXT NOT NULL,
    correct INTEGER NOT NULL,
    answer TEXT NOT NULL,
    session TEXT NOT NULL,
    time TEXT NOT NULL,
    UNIQUE (platform, user, session, question)
);
CREATE INDEX IF NOT EXISTS attempts_by_user ON attempts (platform, user, time);
"""


class Attempt(BaseModel):
    platform: str
    user: str
    question: str = Field(description="Question id, e.g. d3-014.")
    domain: int
    task: str
    correct: bool
    answer: str
    session: str = Field(description="The practice session; one answer per question and session.")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ProgressStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=5)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(self, attempt: Attempt) -> bool:
        """Store an answer; False when this session already answered the question (a double
        click or a retried event), which is then left as it was."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO attempts (platform, user, question, domain, task, correct, answer,"
                " session, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.platform,
                    attempt.user,
                    attempt.question,
                    attempt.domain,
                    attempt.task,
                    int(attempt.correct),
                    attempt.answer,
                    attempt.session,
                    attempt.time.isoformat(),
                ),
            )
            return cursor.rowcount == 1

    def answered(self, platform: str, user: str) -> set[str]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT DISTINCT question FROM attempts WHERE platform=? AND user=?", (platform, user)
            )
            return {r[0] for r in rows}

    def accuracy_by_domain(self, platform: str, user: str) -> dict[int, tuple[int, int]]:
        """Domain → (correct, answered)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT domain, SUM(correct), COUNT(*) FROM attempts"
                " WHERE platform=? AND user=? GROUP BY domain",
                (platform, user),
            )
            return {d: (int(c), int(n)) for d, c, n in rows}
