from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
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


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Stubber]]:
    """A real bedrock-runtime client with botocore's Stubber as the service."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "bedrock-runtime", region_name="us-east-1", config=Config(retries={"max_attempts": 1})
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def bedrock_context(agent_context: AgentContext, client: object, **settings: Any) -> AgentContext:
    """The agent context with the project's Bedrock chat model on `client`."""
    from bots.startup.models import make_chat_model
    from bots.startup.settings import Settings

    model = make_chat_model(
        Settings(llm="bedrock", bedrock={"model_id": "amazon.nova-lite-v1:0"}, **settings),
        bedrock_client=client,
    )
    return dataclasses.replace(agent_context, chat_model=model)


def converse_response(text: str, input_tokens: int = 800, output_tokens: int = 12) -> dict[str, Any]:
    """A Converse reply as Bedrock sends it; a fresh dict each call, because langchain-aws mutates
    the response it gets."""
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": 300},
    }
