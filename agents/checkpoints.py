"""Opening the checkpointer that gives each conversation its memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from agents.state import checkpoint_serializer

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool

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
        async with one_replica_at_a_time(pool):
            await saver.setup()
        yield saver


@asynccontextmanager
async def one_replica_at_a_time(pool: AsyncConnectionPool) -> AsyncIterator[None]:
    """Replicas starting together would collide in CREATE TABLE IF NOT EXISTS. A session advisory
    lock serialises them, taken by polling: a replica blocked in pg_advisory_lock() would keep a
    statement open that the holder's CREATE INDEX CONCURRENTLY waits for, and both would hang."""
    async with pool.connection() as conn:
        while True:
            taken = await (await conn.execute("SELECT pg_try_advisory_lock(460002) AS ok")).fetchone()
            if taken and taken["ok"]:
                break
            await asyncio.sleep(0.2)
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(460002)")
