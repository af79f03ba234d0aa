"""Daily question fixtures: the real question bank and progress store, the shared state database on
SQLite, and a poster that records what it would have sent (or fails on purpose)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import yaml

from agents.quizmaster.services import QuizServices
from bots.daily.scheduler import DailyScheduler
from knowledge.question_bank import Question, load_questions
from tests.bots.daily.fakes import RecordingPoster
from tests.bots.slack.conftest import fake_slack, slack_settings  # noqa: F401 (the Slack adapter's fake)
from tools.progress import ProgressStore
from tools.state import StateStore, database_url


@pytest.fixture(scope="session")
def bank() -> list[Question]:
    return load_questions()


@pytest.fixture
def quiz(bank: list[Question], tmp_path: Path) -> QuizServices:
    return QuizServices(bank, ProgressStore(tmp_path / "progress.sqlite3"), random.Random(7))


@pytest.fixture
def state_url(tmp_path: Path) -> str:
    return database_url(None, tmp_path / "state.sqlite3")


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[list[dict]], Path]:
    def write(entries: list[dict], name: str = "aifbot.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"daily": entries}), encoding="utf-8")
        return path

    return write


SchedulerFactory = Callable[..., Awaitable[tuple[DailyScheduler, RecordingPoster]]]


@pytest.fixture
async def make_scheduler(quiz: QuizServices, state_url: str):
    """A scheduler on its own StateStore (like a separate process) over the shared database file."""
    stores: list[StateStore] = []
    schedulers: list[DailyScheduler] = []

    async def make(
        config: Path | None,
        instance: str = "host-a:1",
        poster: RecordingPoster | None = None,
        **options,
    ) -> tuple[DailyScheduler, RecordingPoster]:
        store = await StateStore.open(state_url)
        stores.append(store)
        scheduler = DailyScheduler(store, quiz, config_path=config, instance=instance, **options)
        poster = poster or RecordingPoster()
        scheduler.add_poster(poster)
        schedulers.append(scheduler)
        return scheduler, poster

    yield make
    for scheduler in schedulers:
        scheduler.shutdown()
    for store in stores:
        await store.close()
