"""Every practice answer, per user (platform + user id), in SQLite: the record that stats, reviews
and leaderboards are built from, plus an FSRS card per user and question (py-fsrs) that says when
to see the question again. One connection per call (WAL), so any thread may write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from fsrs import Card, Rating, Scheduler
from pydantic import BaseModel, Field

_SCHEDULER = Scheduler(enable_fuzzing=False)  # deterministic intervals: reviews are reproducible
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
    scope TEXT NOT NULL DEFAULT '',
    time TEXT NOT NULL,
    UNIQUE (platform, user, session, question)
);
CREATE INDEX IF NOT EXISTS attempts_by_user ON attempts (platform, user, time);
CREATE INDEX IF NOT EXISTS attempts_by_scope ON attempts (scope, time);
CREATE INDEX IF NOT EXISTS attempts_by_task ON attempts (platform, user, task, correct);
CREATE INDEX IF NOT EXISTS attempts_by_domain ON attempts (platform, user, domain, correct);
CREATE TABLE IF NOT EXISTS cards (
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    question TEXT NOT NULL,
    card TEXT NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (platform, user, question)
);
CREATE INDEX IF NOT EXISTS cards_due ON cards (platform, user, due);
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
    scope: str = Field("", description="Channel or server the answer was given in, for leaderboards.")
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
        """Store an answer and reschedule the question's FSRS card; False when this session already
        answered the question (a double click or a retried event), which is then left as it was."""
        key = (attempt.platform, attempt.user, attempt.question)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO attempts (platform, user, question, domain, task, correct, answer,"
                " session, scope, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *key,
                    attempt.domain,
                    attempt.task,
                    int(attempt.correct),
                    attempt.answer,
                    attempt.session,
                    attempt.scope,
                    attempt.time.isoformat(),
                ),
            )
            if cursor.rowcount != 1:
                return False
            row = db.execute(
                "SELECT card FROM cards WHERE platform=? AND user=? AND question=?", key
            ).fetchone()
            card = Card.from_json(row[0]) if row else Card()
            rating = Rating.Good if attempt.correct else Rating.Again
            card, _ = _SCHEDULER.review_card(card, rating, review_datetime=attempt.time)
            db.execute(
                "INSERT OR REPLACE INTO cards (platform, user, question, card, due) VALUES (?, ?, ?, ?, ?)",
                (*key, card.to_json(), card.due.isoformat()),
            )
            return True

    def due(self, platform: str, user: str, now: datetime, limit: int = 20) -> list[str]:
        """Questions whose FSRS card is due, most overdue first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question FROM cards WHERE platform=? AND user=? AND due<=? ORDER BY due LIMIT ?",
                (platform, user, now.isoformat(), limit),
            )
            return [r[0] for r in rows]

    def answered(self, platform: str, user: str) -> set[str]:
        """Questions the user has answered at least once (one card each, so no scan of attempts)."""
        with self._connect() as db:
            rows = db.execute("SELECT question FROM cards WHERE platform=? AND user=?", (platform, user))
            return {r[0] for r in rows}

    def _grouped(self, column: str, platform: str, user: str) -> list[tuple]:
        with self._connect() as db:
            return list(
                db.execute(
                    f"SELECT {column}, SUM(correct), COUNT(*) FROM attempts"
                    " WHERE platform=? AND user=? GROUP BY 1 ORDER BY 1",
                    (platform, user),
                )
            )

    def accuracy_by_domain(self, platform: str, user: str) -> dict[int, tuple[int, int]]:
        """Domain → (correct, answered)."""
        return {int(d): (int(c), int(n)) for d, c, n in self._grouped("domain", platform, user)}

    def accuracy_by_task(self, platform: str, user: str) -> dict[str, tuple[int, int]]:
        """Task statement → (correct, answered)."""
        return {t: (int(c), int(n)) for t, c, n in self._grouped("task", platform, user)}

    def activity(self, platform: str, user: str) -> list[tuple[date, int]]:
        """Answers per UTC day, oldest first."""
        return [
            (date.fromisoformat(d), int(n))
            for d, _, n in self._grouped("substr(time, 1, 10)", platform, user)
        ]

    def leaderboard(
        self, scope: str, since: datetime | None = None, limit: int = 10
    ) -> list[tuple[str, int, int]]:
        """(user, correct, answered) in a channel or server, most correct first."""
        start = (since or datetime(1970, 1, 1, tzinfo=UTC)).isoformat()
        with self._connect() as db:
            rows = db.execute(
                "SELECT user, SUM(correct), COUNT(*) FROM attempts WHERE scope=? AND time>=?"
                " GROUP BY platform, user ORDER BY SUM(correct) DESC, COUNT(*) ASC LIMIT ?",
                (scope, start, limit),
            )
            return [(u, int(c), int(n)) for u, c, n in rows]

    def reset(self, platform: str, user: str) -> int:
        """Forget a user's answers and cards; returns how many answers were removed."""
        with self._connect() as db:
            removed = db.execute(
                "DELETE FROM attempts WHERE platform=? AND user=?", (platform, user)
            ).rowcount
            db.execute("DELETE FROM cards WHERE platform=? AND user=?", (platform, user))
            return removed


def streaks(days: list[date], today: date) -> tuple[int, int]:
    """(current, best) runs of consecutive days with answers; the current run may end yesterday."""
    best = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous and (day - previous).days == 1 else 1
        best = max(best, run)
        previous = day
    current = run if previous and (today - previous).days <= 1 else 0
    return current, best
