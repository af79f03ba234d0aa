"""`aifbot chat`: the full graph in the terminal."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from agents.state import UserRef
from bots.cli.terminal import print_reply
from bots.platform.core import ConversationService, Turn

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


async def chat_loop(service: ConversationService, console: Console, data_dir: Path, user: str) -> None:
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
        turn = Turn(text=text, user=UserRef(platform="terminal", id=user), channel=session)
        with console.status("thinking…", spinner="dots"):
            reply = await service.handle(turn)
        console.print("[bold blue]aifbot>[/] ", end="")
        print_reply(console, reply)
