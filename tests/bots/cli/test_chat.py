"""The terminal chat, driven as a person would type into it."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console

from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from bots.cli.chat import chat_loop, current_session, run_chat
from bots.platform.core import ConversationService
from knowledge.embeddings.cancel import PreparationCancelled


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


class GatedRuntime:
    """A runtime whose preparation waits until released, to see what the person sees meanwhile."""

    def __init__(self, tmp_path: Path, agent_context: AgentContext) -> None:
        self.settings = type("S", (), {"data_dir": tmp_path / "data"})()
        self.context = agent_context
        self.checkpoints = tmp_path / "cp.sqlite3"
        self.release = threading.Event()
        self.stopping = threading.Event()
        self.prepared = False

    def prepare(self) -> None:
        # released by the person typing; a chat that waited for this before its prompt gets it
        # anyway after a while, and then fails the test instead of hanging it
        for _ in range(500):
            if self.release.wait(0.01):
                break
            if self.stopping.is_set():
                raise PreparationCancelled
        self.prepared = True

    def stop_preparing(self) -> None:
        self.stopping.set()

    @contextlib.asynccontextmanager
    async def conversations(self) -> AsyncIterator[ConversationService]:
        async with sqlite_checkpointer(self.checkpoints) as saver:
            yield ConversationService(build_graph(saver), self.context)


async def test_chat_prompt_comes_before_the_models_and_the_first_answer_waits_for_them(
    tmp_path: Path, agent_context: AgentContext
) -> None:
    runtime = GatedRuntime(tmp_path, agent_context)
    console, out = scripted_console(["what is Amazon Polly?", "/quit"])
    typed = console.input
    seen_before_ready: list[bool] = []

    def person(prompt: str = "") -> str:
        seen_before_ready.append(not runtime.prepared)
        runtime.release.set()  # the models finish loading while the person types
        return typed(prompt)

    console.input = person  # type: ignore[method-assign]
    await run_chat(runtime, console, "me")  # type: ignore[arg-type]
    assert seen_before_ready[0], "the prompt waited for the models"
    assert "polly" in out.getvalue().lower() and "[1]" in out.getvalue()


async def test_leaving_chat_before_it_is_ready_stops_the_preparation(
    tmp_path: Path, agent_context: AgentContext
) -> None:
    runtime = GatedRuntime(tmp_path, agent_context)  # never released
    console, out = scripted_console(["/quit"])
    await run_chat(runtime, console, "me")  # type: ignore[arg-type]
    assert runtime.stopping.is_set() and not runtime.prepared
    assert "aifbot" in out.getvalue()
