"""`aifbot chat`: the full graph in the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:  # the graph stack is imported on a worker thread while the prompt is up
    from bots.platform.core import ConversationService
    from bots.startup.runtime import Runtime

WELCOME = (
    "[bold]aifbot[/] — AWS Certified AI Practitioner study companion. "
    "Ask a question, or type [cyan]/help[/]. [dim]/new[/] starts over, [dim]/quit[/] leaves."
)
COMMANDS = {"/new": "start a fresh conversation", "/help": "show this list", "/quit": "leave"}


def startup_reminder(database: str | Path | None, user: str, today: date) -> str | None:
    """The study plan's daily reminder for the terminal user, when they opted in: read from the
    SQLite state file with the standard library, because SQLAlchemy alone takes ~0.5 s to import
    and the prompt must show within a second. A server database (a URL) is not read here, and any
    problem (no file, an older schema, a bad row) means no reminder rather than no chat."""
    if isinstance(database, str) and database.startswith("sqlite:///"):
        database = Path(database.removeprefix("sqlite:///"))
    if not isinstance(database, Path) or not database.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute(
                "SELECT plan, reminder, exam FROM study_plans WHERE platform = 'terminal' AND user_id = ?",
                (user,),
            ).fetchone()
            if row is None or not row[1] or date.fromisoformat(str(row[2])[:10]) <= today:
                return None  # the usual case costs no import at all
            done = db.execute(
                "SELECT count(*) FROM attempts WHERE platform = 'terminal' AND user = ? AND day = ?",
                (user, today.isoformat()),
            ).fetchone()[0]
    except (sqlite3.Error, ValueError):
        return None
    from agents.quizmaster.plan import stored_reminder  # pydantic and the plan: ~0.1 s, opted-in only

    try:
        return stored_reminder(json.loads(row[0]), True, today, int(done))
    except ValueError:
        return None


def session_file(data_dir: Path) -> Path:
    return data_dir / "terminal-session"


def current_session(data_dir: Path, fresh: bool = False) -> str:
    """The terminal conversation id; kept in the data dir so a restart continues it."""
    path = session_file(data_dir)
    if not fresh and path.exists():
        return path.read_text().strip() or "default"
    session = uuid.uuid4().hex[:8]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(session)
    return session


async def run_chat(runtime: Runtime, console: Console, user: str) -> None:
    """`aifbot chat`: the prompt shows at once; the models, the index and the graph load on a
    worker thread while the person types, and the first answer waits for them if it must."""

    async def open_service(stack: contextlib.AsyncExitStack) -> ConversationService:
        await asyncio.to_thread(runtime.prepare)
        return await stack.enter_async_context(runtime.conversations())

    # a stand-in runtime (tests) may have no state database
    reminder = startup_reminder(getattr(runtime, "database", None), user, datetime.now(UTC).date())
    async with contextlib.AsyncExitStack() as stack:
        service = asyncio.create_task(open_service(stack), name="prepare")
        try:
            await chat_loop(service, console, runtime.settings.data_dir, user, reminder=reminder)
        finally:
            if not service.done():  # left before it was ready: the preparation stops between batches
                runtime.stop_preparing()
                with contextlib.suppress(BaseException):
                    await service
            elif not service.cancelled():
                service.exception()  # a failed start that no turn waited for is not reported twice


async def chat_loop(
    service: ConversationService | asyncio.Future[ConversationService],
    console: Console,
    data_dir: Path,
    user: str,
    reminder: str | None = None,
) -> None:
    """The conversation; `service` may still be loading (a future), then the first turn waits.
    `reminder` is the study plan's daily reminder, shown under the welcome."""
    console.print(WELCOME)
    if reminder:  # its *emphasis* as rich italics: the markdown renderer loads with the graph
        console.print(re.sub(r"\*([^*\n]+)\*", r"[italic]\1[/]", escape(reminder)))
    session = current_session(data_dir)
    while True:
        try:
            text = await asyncio.to_thread(console.input, "[bold green]you>[/] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        command = text.strip().lower()
        if command in ("/quit", "/exit"):
            return
        if command == "/new":
            session = current_session(data_dir, fresh=True)
            console.print("[dim]Started a new conversation.[/]")
            continue
        if command == "/help":
            for name, what in COMMANDS.items():
                console.print(f"  [cyan]{name}[/]  {what}")
            continue
        if command.startswith("/") and " " not in command:
            console.print(f"[yellow]Unknown command {escape(command)}.[/] Try /help.")
            continue
        if isinstance(service, asyncio.Future):
            if not service.done():
                with console.status("loading the notes and the models…", spinner="dots"):
                    await asyncio.wait([service])
            service = service.result()
        # imported at the first turn, not before the prompt: they bring in LangGraph (~1 s)
        from agents.state import UserRef
        from bots.cli.terminal import print_reply
        from bots.platform.core import Turn

        turn = Turn(text=text, user=UserRef(platform="terminal", id=user), channel=session)
        with console.status("thinking…", spinner="dots"):
            reply = await service.handle(turn)
        print_reply(console, reply, prefix="aifbot> ")
