"""Tables of the shared state database. Alembic migrations in `migrations/` create and change them;
every replica of the bot shares one database, so uniqueness constraints do the coordinating."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy import Index as _Index

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no zone: store UTC, read back as UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


processed_events = Table(
    "processed_events",
    metadata,
    # platform event id, retry-independent: a retried Slack event or a double click has the same key
    Column("key", String(255), primary_key=True),
    Column("seen_at", UtcDateTime(), nullable=False, index=True),
)

channel_settings = Table(
    "channel_settings",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("channel", String(64), primary_key=True),
    Column("workspace", String(64), nullable=False, index=True, doc="Slack team or Discord server."),
    Column("answers", Boolean, nullable=False, default=True, doc="The bot answers in this channel."),
    Column("daily_time", String(5), nullable=True, doc="HH:MM local time of the daily question."),
    Column("daily_timezone", String(64), nullable=False, default="UTC"),
    Column("daily_weekdays", String(32), nullable=False, default="mon,tue,wed,thu,fri,sat,sun"),
    Column(
        "reveal_time",
        String(5),
        nullable=True,
        doc="HH:MM of the reveal; just before the next post when unset.",
    ),
    Column(
        "mentions_only",
        Boolean,
        nullable=False,
        default=False,
        server_default=false(),
        doc="In threads, the bot answers only messages that mention it.",
    ),
    Column("updated_by", String(64), nullable=False, default=""),
    Column("updated_at", UtcDateTime(), nullable=False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("user", String(64), primary_key=True),
    Column("message", String(128), primary_key=True, doc="The platform's id of the rated answer."),
    Column("conversation", String(255), nullable=False),
    Column("rating", SmallInteger, nullable=False, doc="+1 helpful, -1 not helpful."),
    Column("created_at", UtcDateTime(), nullable=False),
)

daily_posts = Table(
    "daily_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("day", Date, nullable=False, doc="The channel's local date the post is for."),
    Column("question", String(16), nullable=False),
    Column("status", String(16), nullable=False, doc="claimed, posted, failed, revealing or revealed."),
    Column("claimed_by", String(128), nullable=False),
    Column("claimed_at", UtcDateTime(), nullable=False),
    Column("message", String(128), nullable=True, doc="The platform's id of the posted message."),
    Column("posted_at", UtcDateTime(), nullable=True),
    Column("reveal_at", UtcDateTime(), nullable=True),
    Column("revealed_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    # exactly one post per channel and day, however many processes try
    UniqueConstraint("platform", "channel", "day", name="uq_daily_posts_channel_day"),
)

daily_answers = Table(
    "daily_answers",
    metadata,
    Column("post_id", Integer, ForeignKey("daily_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("user", String(64), primary_key=True),
    Column(
        "name",
        String(80),
        nullable=False,
        server_default="",
        doc="Display name when answering: the reveal names streak leaders without pinging them.",
    ),
    Column("answer", String(64), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UtcDateTime(), nullable=False),
)

# -- study plans and their daily reminder (tools/state/plans.py) -------------------------------------
study_plans = Table(
    "study_plans",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("plan", Text, nullable=False, doc="The quizmaster's StudyPlan as JSON."),
    Column("exam", Date, nullable=False, doc="The exam date: no reminder on or after it."),
    Column("reminder", Boolean, nullable=False, default=False, server_default=false()),
    Column("target", String(64), nullable=False, doc="Where the DM goes: the Slack or Discord user id."),
    Column("hour", SmallInteger, nullable=False, default=9, server_default="9", doc="UTC hour of the DM."),
    Column("last_reminded", Date, nullable=True, doc="UTC day of the last reminder: one a day."),
    Column("updated_at", UtcDateTime(), nullable=False),
)
_Index("ix_study_plans_reminder", study_plans.c.reminder, study_plans.c.last_reminded)

# -- practice progress (tools/progress.py) -----------------------------------------------------------
attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("user", String(64), nullable=False),
    Column("question", String(16), nullable=False),
    Column("domain", Integer, nullable=False),
    Column("task", String(8), nullable=False),
    Column("correct", Integer, nullable=False, doc="1 right, 0 wrong (summable everywhere)."),
    Column("answer", String(200), nullable=False),
    Column("session", String(64), nullable=False),
    Column("scope", String(200), nullable=False, default=""),
    Column("time", UtcDateTime(), nullable=False),
    Column("day", Date, nullable=False, doc="UTC day of `time`, for activity and streaks."),
    # one answer per question and session: a double click or a retried event is recorded once
    UniqueConstraint("platform", "user", "session", "question", name="uq_attempts_once"),
)
_Index("ix_attempts_user_time", attempts.c.platform, attempts.c.user, attempts.c.time)
_Index("ix_attempts_scope_time", attempts.c.scope, attempts.c.time)
_Index("ix_attempts_user_task", attempts.c.platform, attempts.c.user, attempts.c.task, attempts.c.correct)
_Index("ix_attempts_user_domain", attempts.c.platform, attempts.c.user, attempts.c.domain, attempts.c.correct)

cards = Table(
    "cards",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("user", String(64), primary_key=True),
    Column("question", String(16), primary_key=True),
    Column("card", Text, nullable=False, doc="py-fsrs Card as JSON."),
    Column("due", UtcDateTime(), nullable=False),
)
_Index("ix_cards_due", cards.c.platform, cards.c.user, cards.c.due)

# -- banking tool calls (tools/audit.py) -------------------------------------------------------------
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", UtcDateTime(), nullable=False),
    Column("user", String(64), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("conversation", String(255), nullable=False),
    Column("account", String(32), nullable=True),
    Column("tool", String(64), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reason", String(200), nullable=False),
)
_Index("ix_audit_user_time", audit.c.user, audit.c.platform, audit.c.time)
