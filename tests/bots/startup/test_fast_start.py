"""Fast start: what a command imports before it is useful, and a second start that skips the
migrations. Each check runs in a fresh interpreter, since imports are per process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tools.state.engine import head_revision, sync_engine

HEAVY = ("langchain_core", "langgraph", "chromadb", "sqlalchemy", "matplotlib", "boto3", "alembic")


def loaded_after(code: str, data_dir: Path) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running `code`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIFBOT_")} | {
        "AIFBOT_DATA_DIR": str(data_dir)
    }
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_command_line_and_the_chat_prompt_load_no_heavy_library(tmp_path: Path) -> None:
    # what `aifbot chat` has run when its prompt shows: the command modules and the runtime
    # (the embedding model loads on its worker thread, which imports no graph library either)
    before_prompt = loaded_after(
        "import bots.cli\nfrom bots.startup.runtime import Runtime\nfrom bots.cli.chat import run_chat",
        tmp_path,
    )
    assert not before_prompt & set(HEAVY), before_prompt & set(HEAVY)


def test_a_migrated_database_opens_without_alembic(tmp_path: Path) -> None:
    database = tmp_path / "state.sqlite3"
    with sync_engine(database).connect() as connection:  # the first open migrates
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    opens = "from pathlib import Path\nfrom tools.state.engine import sync_engine\nsync_engine(Path({!r}))"
    again = loaded_after(opens.format(str(database)), tmp_path)
    assert "sqlalchemy" in again and "alembic" not in again
    fresh = loaded_after(opens.format(str(tmp_path / "new.db")), tmp_path)
    assert "alembic" in fresh  # a new database is still migrated
