"""Opening the checkpointer that gives each conversation its memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from agents.state import checkpoint_serializer

BUSY_TIMEOUT_S = 5.0  # wait this long for another process's write before giving up


@asynccontextmanager
async def sqlite_checkpointer(path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(path), timeout=BUSY_TIMEOUT_S) as conn:
        yield AsyncSqliteSaver(conn, serde=checkpoint_serializer())


@asynccontextmanager
async def postgres_checkpointer(url: str, max_size: int = 10) -> AsyncIterator[BaseCheckpointSaver]:
    """LangGraph's PostgreSQL saver on a connection pool; creates its tables on first use."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    async with AsyncConnectionPool(
        conninfo,
        max_size=max_size,
        open=False,
        timeout=5,  # a database that is down gets a clear reply soon, not after half a minute
        check=AsyncConnectionPool.check_connection,  # drop connections a restarted server closed
        # the saver's own connection settings: autocommit, no server-side prepared statements
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    ) as pool:
        saver = AsyncPostgresSaver(pool, serde=checkpoint_serializer())  # type: ignore[arg-type]
        # replicas starting together: concurrent CREATE TABLE IF NOT EXISTS can still collide
        async with pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(460002)")
            try:
                await saver.setup()
            finally:
                await conn.execute("SELECT pg_advisory_unlock(460002)")
        yield saver
