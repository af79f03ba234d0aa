"""The terminal chat, driven as a person would type into it."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from bots.cli.chat import chat_loop, current_session
from bots.platform.core import ConversationService


def scripted_console(lines: list[str]) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    typed = iter(lines)

    def fake_input(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    console.input = fake_input  # type: ignore[method-assign]
    return console, out


async def test_chat_session(tmp_path: Path, agent_context: AgentContext) -> None:
    data = tmp_path / "data"
    console, out = scripted_console(
        [
            "what is Amazon Polly?",
            "/frobnicate",
            "/help",
            "/new",
            "and how is it priced?",
            "/quit",
            "never read",
        ]
    )
    async with sqlite_checkpointer(tmp_path / "cp.sqlite3") as saver:
        await chat_loop(ConversationService(build_graph(saver), agent_context), console, data, "me")
    text = out.getvalue()
    assert "[1]" in text and "polly" in text.lower()
    assert "Unknown command /frobnicate" in text
    assert "/new" in text and "Started a new conversation" in text
    assert "never read" not in text


def test_terminal_session_survives_restart(tmp_path: Path) -> None:
    first = current_session(tmp_path)
    assert current_session(tmp_path) == first
    assert current_session(tmp_path, fresh=True) != first
