"""The study plans table: its migration down and up again on SQLite and PostgreSQL, and the store
the quizmaster saves plans through and the scheduler claims each day's reminder through."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from tools.state.engine import MIGRATIONS, VERSION_QUERY, head_revision, sync_engine
from tools.state.plans import DEFAULT_HOUR, PlanStore
from tools.state.schema import metadata

TODAY = date(2026, 12, 2)
MORNING = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
PLAN = {"exam": "2027-01-15", "created": "2026-12-02", "days": [], "reminder": True}


def alembic(engine: Engine, action: str, revision: str) -> None:
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def plan_diffs(engine: Engine) -> list:
    """What autogenerate would change about study_plans: the migration must match the schema."""
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    return [d for d in diffs if "study_plans" in repr(d)]


def check_migration(engine: Engine) -> None:
    assert head_revision() == "0004"
    assert inspect(engine).has_table("study_plans") and plan_diffs(engine) == []
    PlanStore(engine).save(platform="slack", user_id="U1", plan=PLAN, exam=date(2027, 1, 15), reminder=True)
    alembic(engine, "downgrade", "0003")
    assert not inspect(engine).has_table("study_plans")
    with engine.connect() as connection:
        assert connection.execute(text(VERSION_QUERY)).scalar() == "0003"
    alembic(engine, "upgrade", "head")
    assert inspect(engine).has_table("study_plans") and plan_diffs(engine) == []
    assert PlanStore(engine).get("slack", "U1") is None  # a downgrade drops the plans


def test_the_migration_goes_down_and_up_on_sqlite(tmp_path: Path) -> None:
    check_migration(sync_engine(tmp_path / "state.sqlite3"))


def test_the_migration_goes_down_and_up_on_postgres(postgres_url: str) -> None:
    check_migration(sync_engine(postgres_url))


@pytest.fixture
def store(tmp_path: Path) -> PlanStore:
    return PlanStore(tmp_path / "state.sqlite3")


def save(store: PlanStore, user: str = "U1", **options) -> None:  # type: ignore[no-untyped-def]
    values = {"plan": PLAN, "exam": date(2027, 1, 15), "reminder": True} | options
    store.save(platform="slack", user_id=user, **values)


def test_a_plan_is_saved_replaced_and_read_back(store: PlanStore) -> None:
    assert store.get("slack", "U1") is None
    save(store, reminder=False)
    saved = store.get("slack", "U1")
    assert saved is not None and saved.plan == PLAN and saved.exam == date(2027, 1, 15)
    assert not saved.reminder and saved.target == "U1" and saved.hour == DEFAULT_HOUR
    assert saved.updated_at is not None and saved.updated_at.tzinfo is not None
    save(store, exam=date(2027, 2, 1), plan=PLAN | {"exam": "2027-02-01"})
    saved = store.get("slack", "U1")
    assert saved is not None and saved.reminder and saved.exam == date(2027, 2, 1)
    assert saved.plan["exam"] == "2027-02-01"
    assert store.get("discord", "U1") is None  # the key is platform and user


def test_due_learners_opted_in_before_the_exam_from_their_hour(store: PlanStore) -> None:
    save(store, "U1")
    save(store, "U2", reminder=False)
    save(store, "U3", exam=TODAY)  # the exam is today: no reminder
    save(store, "U4", exam=date(2026, 11, 1))
    store.save(platform="discord", user_id="42", plan=PLAN, exam=date(2027, 1, 15), reminder=True)
    assert [p.user_id for p in store.due(MORNING, ["slack"])] == ["U1"]
    assert [p.user_id for p in store.due(MORNING, ["slack", "discord"])] == ["42", "U1"]
    assert store.due(MORNING.replace(hour=8, minute=59), ["slack"]) == []  # before 09:00 UTC


def test_one_reminder_a_day_claimed_once_and_handed_back_after_a_failure(tmp_path: Path) -> None:
    one, other = (
        PlanStore(tmp_path / "state.sqlite3"),
        PlanStore(sync_engine(f"sqlite:///{tmp_path}/state.sqlite3")),
    )
    save(one)
    assert one.claim("slack", "U1", TODAY)
    assert not other.claim("slack", "U1", TODAY)  # another replica: the day is taken
    assert one.due(MORNING, ["slack"]) == []
    one.release("slack", "U1", TODAY, None)  # the DM failed
    assert [p.user_id for p in other.due(MORNING, ["slack"])] == ["U1"]
    assert other.claim("slack", "U1", TODAY)
    saved = one.get("slack", "U1")
    assert saved is not None and saved.last_reminded == TODAY
    save(one, plan=PLAN | {"budget": 30})  # a rebuilt plan the same day sends no second reminder
    assert not one.claim("slack", "U1", TODAY) and one.due(MORNING, ["slack"]) == []
    tomorrow = date(2026, 12, 3)
    assert one.claim("slack", "U1", tomorrow)
    save(one, reminder=False)
    assert not one.claim("slack", "U1", date(2026, 12, 4))  # opted out meanwhile


def test_reminders_claimed_once_on_postgres(postgres_url: str) -> None:
    one, other = PlanStore(postgres_url), PlanStore(sync_engine(postgres_url))
    save(one)
    save(one, "U2", reminder=False)
    assert [p.user_id for p in other.due(MORNING, ["slack"])] == ["U1"]
    assert one.claim("slack", "U1", TODAY) and not other.claim("slack", "U1", TODAY)
    one.release("slack", "U1", TODAY, None)
    assert other.claim("slack", "U1", TODAY) and other.due(MORNING, ["slack"]) == []
