"""Real servers for the scale-out tests, started on 127.0.0.1 by the fixtures: PostgreSQL (from the
Debian package; `.ci/run` installs it) and a Chroma server (`chroma run`, from the chromadb wheel).

Without PostgreSQL binaries the PostgreSQL tests skip, unless AIFBOT_REQUIRE_SERVERS=1 (set by
`.ci/run`), which turns a missing server into a failure."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what: str) -> None:
    if os.environ.get("AIFBOT_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{what} is required (AIFBOT_REQUIRE_SERVERS=1) but not available")
    pytest.skip(f"{what} not available")


def _pg_bin(name: str) -> str | None:
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on port {port}")


def init_postgres() -> tuple[Path, list[str]]:
    """A new cluster folder (owned by `postgres` when we are root) and the command prefix to run as."""
    initdb = _pg_bin("initdb")
    if not initdb or not _pg_bin("postgres"):
        _missing("PostgreSQL (initdb/postgres)")
    folder = Path(tempfile.mkdtemp(prefix="aifbot-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_user,
            initdb,
            "-D",
            str(folder / "data"),
            "-U",
            "aifbot",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    return folder, as_user


@contextmanager
def running_postgres(folder: Path, as_user: list[str], port: int) -> Iterator[str]:
    """PostgreSQL on a cluster folder until the block ends; yields the `postgres` database URL."""
    server = subprocess.Popen(
        [
            *as_user,
            str(_pg_bin("postgres")),
            "-D",
            str(folder / "data"),
            "-p",
            str(port),
            "-k",
            str(folder),
            "-h",
            "127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server, "PostgreSQL")
        url = f"postgresql://aifbot@127.0.0.1:{port}/postgres"
        _wait_until_accepting(url)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_accepting(url: str, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster; yields a URL to its `postgres` database as superuser."""
    folder, as_user = init_postgres()
    try:
        with running_postgres(folder, as_user, free_port()) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database on the shared cluster for one test."""
    import psycopg

    name = f"t{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_server.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def running_chroma(folder: str, port: int) -> Iterator[str]:
    """`chroma run` on a folder until the block ends; yields its URL."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    if not Path(chroma).exists():
        _missing("the chroma command")
    server = subprocess.Popen(
        [chroma, "run", "--path", folder, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server, "Chroma")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def chroma_url() -> Iterator[str]:
    """A Chroma server (`chroma run`) on a temp dir."""
    folder = tempfile.mkdtemp(prefix="aifbot-chroma-")
    try:
        with running_chroma(folder, free_port()) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)
