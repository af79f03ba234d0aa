"""Opening the checkpointer that gives each conversation its memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from agents.state import checkpoint_serializer

BUSY_TIMEOUT_S = 5.0  # wait this long for another process's write before giving up


@asynccontextmanager
async def sqlite_checkpointer(path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(path), timeout=BUSY_TIMEOUT_S) as conn:
        yield AsyncSqliteSaver(conn, serde=checkpoint_serializer())
