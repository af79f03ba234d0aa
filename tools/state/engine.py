"""Database URLs and engines for the state database, migrated to the newest schema on open.

SQLite files by default (the async side through aiosqlite); PostgreSQL through psycopg 3, whose one
driver serves both the async state store and the sync stores (progress, audit)."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_QUERY = "SELECT version_num FROM alembic_version"
_REVISION = re.compile(r'^(down_)?revision\s*=\s*["\']?([\w]+)', re.MULTILINE)
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def database_url(url: str | None, sqlite_path: Path) -> str:
    """The async SQLAlchemy URL: the configured one with its driver named, or a SQLite file."""
    if not url:
        return f"sqlite+aiosqlite:///{sqlite_path}"
    for plain in ("postgresql://", "postgres://", "postgresql+asyncpg://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def sync_url(url: str) -> str:
    """The same database for a thread-side (sync) engine."""
    return url.replace("sqlite+aiosqlite://", "sqlite://", 1)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # several processes share one file: wait for locks instead of failing, and let readers run
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def head_revision() -> str | None:
    """The newest migration, read from the files (importing Alembic costs a command ~0.2 s)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(connection: Connection) -> bool:
    """Whether the database is at the newest revision already: the usual case on every start but
    the first, which then needs no Alembic at all."""
    head = head_revision()
    if head is None or not inspect(connection).has_table("alembic_version"):
        return False
    return connection.execute(text(VERSION_QUERY)).scalar() == head


def upgrade(connection: Connection) -> None:
    """Alembic `upgrade head` on an open connection."""
    if at_head(connection):
        return
    from alembic import command
    from alembic.config import Config

    if connection.dialect.name == "postgresql":  # one migrating replica at a time
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(460001)")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def sync_engine(target: str | Path) -> Engine:
    """A migrated sync engine for a URL or a SQLite file path; one per database in a process."""
    url = f"sqlite:///{target}" if isinstance(target, Path) else sync_url(database_url(target, Path()))
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            if url.startswith("sqlite"):
                Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(engine, "connect", sqlite_pragmas)
            else:
                engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            with engine.begin() as connection:
                upgrade(connection)
            _ENGINES[url] = engine
        return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection of the sync engines (at shutdown: PostgreSQL sees the
    sessions end instead of waiting for them to time out)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()
