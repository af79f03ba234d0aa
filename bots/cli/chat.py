"""`aifbot chat`: the full graph in the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
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

    async with contextlib.AsyncExitStack() as stack:
        service = asyncio.create_task(open_service(stack), name="prepare")
        try:
            await chat_loop(service, console, runtime.settings.data_dir, user)
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
) -> None:
    """The conversation; `service` may still be loading (a future), then the first turn waits."""
    console.print(WELCOME)
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
