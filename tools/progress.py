"""Every practice answer, per user (platform + user id), in the state database: the record that
stats, reviews and leaderboards are built from, plus an FSRS card per user and question (py-fsrs)
that says when to see the question again. Sync SQLAlchemy on a pooled engine, so any thread may
write; SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from fsrs import Card, Rating, Scheduler
from pydantic import BaseModel, Field
from sqlalchemy import Engine, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tools.state.engine import sync_engine
from tools.state.schema import attempts, cards

_SCHEDULER = Scheduler(enable_fuzzing=False)  # deterministic intervals: reviews are reproducible
# A hinted answer is kept in the answer column with this suffix (no schema change needed), so the
# record says it was hinted and stats can count hints with one LIKE.
HINT_MARK = " [hint]"


def rating(correct: bool, hinted: bool) -> Rating:
    """Wrong → Again; right after a hint → Hard (the card comes back sooner); right → Good."""
    if not correct:
        return Rating.Again
    return Rating.Hard if hinted else Rating.Good


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
    hinted: bool = Field(False, description="A hint was taken before answering: FSRS rates it Hard.")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))


class ProgressStore:
    def __init__(self, database: Engine | Path | str) -> None:
        self.engine = database if isinstance(database, Engine) else sync_engine(database)

    def _mine(self, table, platform: str, user: str):  # type: ignore[no-untyped-def]
        return and_(table.c.platform == platform, table.c.user == user)

    def record(self, attempt: Attempt) -> bool:
        """Store an answer and reschedule the question's FSRS card; False when this session already
        answered the question (a double click or a retried event), which is then left as it was."""
        when = attempt.time.astimezone(UTC)
        answer = attempt.answer[: 200 - len(HINT_MARK)] + HINT_MARK if attempt.hinted else attempt.answer
        values = attempt.model_dump(exclude={"hinted"}) | {
            "correct": int(attempt.correct),
            "answer": answer,
            "time": when,
            "day": when.date(),
        }
        with self.engine.begin() as db:
            try:
                with db.begin_nested():
                    db.execute(insert(attempts).values(**values))
            except IntegrityError:
                return False
            mine = self._mine(cards, attempt.platform, attempt.user)
            key = and_(mine, cards.c.question == attempt.question)
            stored = db.execute(select(cards.c.card).where(key)).scalar()
            card = Card.from_json(stored) if stored else Card()
            card, _ = _SCHEDULER.review_card(
                card, rating(attempt.correct, attempt.hinted), review_datetime=when
            )
            row = {"card": card.to_json(), "due": card.due}
            if stored:
                db.execute(update(cards).where(key).values(**row))
            else:
                db.execute(
                    insert(cards).values(
                        platform=attempt.platform, user=attempt.user, question=attempt.question, **row
                    )
                )
            return True

    def due(self, platform: str, user: str, now: datetime, limit: int = 20) -> list[str]:
        """Questions whose FSRS card is due, most overdue first."""
        query = (
            select(cards.c.question)
            .where(self._mine(cards, platform, user), cards.c.due <= now)
            .order_by(cards.c.due)
            .limit(limit)
        )
        with self.engine.connect() as db:
            return list(db.execute(query).scalars())

    def due_dates(self, platform: str, user: str) -> list[datetime]:
        """When each of the user's cards is next due (for the study plan's review load)."""
        with self.engine.connect() as db:
            query = select(cards.c.due).where(self._mine(cards, platform, user))
            return list(db.execute(query).scalars())

    def recent(self, platform: str, user: str, since: datetime) -> set[str]:
        """Questions the user answered since `since` (the mock exam avoids them)."""
        query = select(attempts.c.question).where(
            self._mine(attempts, platform, user), attempts.c.time >= since
        )
        with self.engine.connect() as db:
            return set(db.execute(query.distinct()).scalars())

    def hints(self, platform: str, user: str) -> tuple[int, int]:
        """(answers given after a hint, of which right)."""
        query = select(func.count(), func.coalesce(func.sum(attempts.c.correct), 0)).where(
            self._mine(attempts, platform, user), attempts.c.answer.like(f"%{HINT_MARK}")
        )
        with self.engine.connect() as db:
            n, right = db.execute(query).one()
            return int(n), int(right)

    def answered(self, platform: str, user: str) -> set[str]:
        """Questions the user has answered at least once (one card each, so no scan of attempts)."""
        with self.engine.connect() as db:
            query = select(cards.c.question).where(self._mine(cards, platform, user))
            return set(db.execute(query).scalars())

    def _grouped(self, column, platform: str, user: str) -> list[tuple]:  # type: ignore[no-untyped-def]
        query = (
            select(column, func.sum(attempts.c.correct), func.count())
            .where(self._mine(attempts, platform, user))
            .group_by(column)
            .order_by(column)
        )
        with self.engine.connect() as db:
            return [tuple(row) for row in db.execute(query)]

    def accuracy_by_domain(self, platform: str, user: str) -> dict[int, tuple[int, int]]:
        """Domain → (correct, answered)."""
        return {int(d): (int(c), int(n)) for d, c, n in self._grouped(attempts.c.domain, platform, user)}

    def accuracy_by_task(self, platform: str, user: str) -> dict[str, tuple[int, int]]:
        """Task statement → (correct, answered)."""
        return {t: (int(c), int(n)) for t, c, n in self._grouped(attempts.c.task, platform, user)}

    def activity(self, platform: str, user: str) -> list[tuple[date, int]]:
        """Answers per UTC day, oldest first."""
        return [(d, int(n)) for d, _, n in self._grouped(attempts.c.day, platform, user)]

    def leaderboard(
        self, scope: str, since: datetime | None = None, limit: int = 10
    ) -> list[tuple[str, int, int]]:
        """(user, correct, answered) in a channel or server, most correct first."""
        right = func.sum(attempts.c.correct)
        query = (
            select(attempts.c.user, right, func.count())
            .where(attempts.c.scope == scope, attempts.c.time >= (since or datetime(1970, 1, 1, tzinfo=UTC)))
            .group_by(attempts.c.platform, attempts.c.user)
            .order_by(right.desc(), func.count().asc(), attempts.c.user)
            .limit(limit)
        )
        with self.engine.connect() as db:
            return [(u, int(c), int(n)) for u, c, n in db.execute(query)]

    def reset(self, platform: str, user: str) -> int:
        """Forget a user's answers and cards; returns how many answers were removed."""
        with self.engine.begin() as db:
            removed = db.execute(delete(attempts).where(self._mine(attempts, platform, user))).rowcount
            db.execute(delete(cards).where(self._mine(cards, platform, user)))
            return removed or 0


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
