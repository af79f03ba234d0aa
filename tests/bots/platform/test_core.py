"""The conversation service keeps the bot answering when its parts fail."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from agents import checkpoints
from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.state import UserRef
from bots.platform.core import INTERNAL_ERROR, STORE_BUSY, ConversationService, Turn


def turn(text: str) -> Turn:
    return Turn(text=text, user=UserRef(platform="slack", id="U1"), channel="C1", thread="t1")


def test_conversation_key() -> None:
    assert turn("hi").conversation == "slack:C1:t1"


async def test_locked_checkpoint_store_gets_a_clear_reply_and_loses_nothing(
    tmp_path: Path, agent_context: AgentContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "deep" / "checkpoints.sqlite3"  # a missing folder is created
    async with sqlite_checkpointer(path) as saver:
        service = ConversationService(build_graph(saver), agent_context)
        assert (await service.handle(turn("hello"))).route == "help"

        blocker = sqlite3.connect(path)
        blocker.execute("BEGIN EXCLUSIVE")
        reply = await service.handle(turn("what is Amazon Polly?"))
        assert reply.text == STORE_BUSY
        blocker.rollback()
        blocker.close()

        reply = await service.handle(turn("what is Amazon Polly?"))
        assert reply.route == "tutor"
        state = await service.graph.aget_state({"configurable": {"thread_id": "slack:C1:t1"}})
        assert [m.type for m in state.values["messages"]] == ["human", "ai", "human", "ai"]


async def test_a_failing_agent_gets_an_apology_and_the_next_turn_works(
    tmp_path: Path, agent_context: AgentContext
) -> None:
    class BrokenRetriever:
        def search(self, *args, **kwargs):
            raise RuntimeError("chroma is down")

    broken = dataclasses.replace(agent_context, retriever=BrokenRetriever())
    async with sqlite_checkpointer(tmp_path / "cp.sqlite3") as saver:
        graph = build_graph(saver)
        assert (
            await ConversationService(graph, broken).handle(turn("what is Amazon Polly?"))
        ).text == INTERNAL_ERROR
        reply = await ConversationService(graph, agent_context).handle(turn("what is Amazon Polly?"))
        assert reply.route == "tutor" and reply.citations


async def test_banking_verification_and_approvals_stay_with_the_person_in_a_shared_thread(gateway) -> None:
    from agents.banking import prompts as say

    def said(text: str, user: str) -> Turn:
        return Turn(text=text, user=UserRef(platform="slack", id=user), channel="C1", thread="9.0")

    assert (await gateway.turn(said("why is my account 7777 not active?", "UA"))).text == say.ASK_NAME
    assert "address" in (await gateway.turn(said("Manju", "UA"))).text.lower()
    other = await gateway.turn(said("what's the status of account 7777?", "UB"))
    assert "Manju" not in other.text and "InvalidAddressProof" not in other.text  # B must verify too
    request = await gateway.turn(said("please resubmit my address proof", "UA"))
    assert request.pending == "approval" and request.private
    # B's turn runs beside the waiting approval, which stays A's to answer
    assert (await gateway.turn(said("approve", "UB"))).pending != "approval"
    done = await gateway.turn(said("approve", "UA"))
    assert done.pending is None and done.private
