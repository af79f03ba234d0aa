from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.reply import Reply
from agents.state import UserRef

Send = Callable[..., Awaitable[tuple[Reply, dict[str, Any]]]]


@pytest.fixture
def checkpoint_file(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints.sqlite3"


@pytest.fixture
async def send(checkpoint_file: Path, agent_context: AgentContext) -> AsyncIterator[Send]:
    """Send one message through the compiled graph with a SQLite checkpointer on file."""
    async with sqlite_checkpointer(checkpoint_file) as saver:
        graph = build_graph(saver)

        async def turn(
            text: str, conversation: str = "terminal:test:main", context: AgentContext | None = None
        ) -> tuple[Reply, dict[str, Any]]:
            state = await graph.ainvoke(
                {"messages": [HumanMessage(text)], "user": UserRef(name="Ana"), "conversation": conversation},
                config={"configurable": {"thread_id": conversation}},
                context=context or agent_context,
            )
            return state["reply"], state

        yield turn
