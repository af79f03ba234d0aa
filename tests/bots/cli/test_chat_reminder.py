"""The terminal shows the study plan's daily reminder at start, read without SQLAlchemy or the
graph: the learner's plan as the quizmaster saved it, on the SQLite state file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from agents.quizmaster.plan import build_plan
from agents.quizmaster.services import QuizServices
from bots.cli.chat import chat_loop, startup_reminder
from knowledge.question_bank import TASKS, load_questions
from tests.bots.cli.test_chat import scripted_console
from tools.progress import Attempt, ProgressStore

TODAY = date(2026, 12, 2)


def save(database: Path, *, reminder: bool, user: str = "me", platform: str = "terminal") -> None:
    plan = build_plan(TODAY + timedelta(days=12), TODAY, list(TASKS), {}, [])
    plan.reminder = reminder
    assert QuizServices([], ProgressStore(database)).save_plan(platform, user, plan)


def test_the_reminder_only_for_an_opted_in_terminal_user_before_the_exam(tmp_path: Path) -> None:
    database = tmp_path / "aifbot.sqlite3"
    assert startup_reminder(database, "me", TODAY) is None  # no database yet
    save(database, reminder=False)
    assert startup_reminder(database, "me", TODAY) is None
    save(database, reminder=True)
    text = startup_reminder(database, "me", TODAY)
    assert text is not None and text.startswith("📅 Study plan: exam in 12 days")
    assert startup_reminder(f"sqlite:///{database}", "me", TODAY) == text
    assert "done today: 0/" in text
    question = load_questions()[0]
    ProgressStore(database).record(
        Attempt(
            platform="terminal",
            user="me",
            question=question.id,
            domain=question.domain,
            task=question.task,
            correct=False,
            answer="A",
            session="s1",
            time=datetime.combine(TODAY, time(8), UTC),
        )
    )
    assert "done today: 1/" in (startup_reminder(database, "me", TODAY) or "")
    assert startup_reminder(database, "someone else", TODAY) is None
    assert startup_reminder(database, "me", TODAY + timedelta(days=12)) is None  # exam day
    save(database, reminder=True, platform="slack", user="U1")  # a Slack learner gets a DM instead
    assert startup_reminder(database, "U1", TODAY) is None
    assert startup_reminder("postgresql://db/aifbot", "me", TODAY) is None  # not read at the prompt
    (tmp_path / "old.sqlite3").write_bytes(b"")
    assert startup_reminder(tmp_path / "old.sqlite3", "me", TODAY) is None  # no table: no reminder


async def test_the_chat_shows_it_under_the_welcome(tmp_path: Path) -> None:
    console, out = scripted_console([])
    await chat_loop(
        None,  # type: ignore[arg-type]  # left before any turn: no service needed
        console,
        tmp_path,
        "me",
        reminder="📅 Study plan: exam in 3 days. Say *review* or *quiz me* to start.",
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("aifbot — AWS Certified AI Practitioner")
    assert lines[1] == "📅 Study plan: exam in 3 days. Say review or quiz me to start."  # no raw asterisks


def test_reading_it_loads_no_heavy_library(tmp_path: Path) -> None:
    database = tmp_path / "aifbot.sqlite3"
    save(database, reminder=True)
    code = (
        "import json, sys\nfrom datetime import date\nfrom pathlib import Path\n"
        "from bots.cli.chat import startup_reminder\n"
        f"text = startup_reminder(Path({str(database)!r}), 'me', date.fromisoformat({TODAY.isoformat()!r}))\n"
        "print(json.dumps([text, sorted({m.split('.')[0] for m in sys.modules})]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text, loaded = json.loads(done.stdout.splitlines()[-1])
    assert text.startswith("📅 Study plan: exam in 12 days")
    assert not {"sqlalchemy", "langgraph", "langchain_core", "chromadb", "alembic"} & set(loaded)
