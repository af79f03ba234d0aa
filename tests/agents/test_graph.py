"""Whole turns through the compiled graph: guard → router → agent → guard, with memory."""

from __future__ import annotations

import dataclasses

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from agents.banking.prompts import NOT_SET_UP
from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.guards.messages import BINARY_REPLY, EMPTY_REPLY
from agents.tutor.prompts import EXCERPTS_NOTICE, MODEL_FAILED_NOTICE
from tests.agents.conftest import Send


async def test_tutor_answers_with_citations_offline(send: Send) -> None:
    reply, state = await send("what does Amazon Transcribe do?")
    assert reply.route == "tutor"
    assert reply.notice == EXCERPTS_NOTICE
    assert reply.citations and reply.citations[0].n == 1
    assert "transcribe" in reply.citations[0].section or "speech" in reply.citations[0].section
    assert "[1]" in reply.text
    assert state["topic"] == reply.citations[0].title


async def test_follow_up_question_uses_the_conversation(send: Send) -> None:
    await send("what is Amazon Bedrock?")
    reply, state = await send("and how is it priced?")
    assert reply.route == "tutor"
    assert state["last_query"].startswith("what is Amazon Bedrock?")
    assert any("pric" in c.section or "cost" in c.section for c in reply.citations), reply.citations


async def test_follow_up_survives_a_restart(send: Send, checkpoint_file, agent_context: AgentContext) -> None:
    await send("what is Amazon Bedrock?", conversation="slack:C1:t1")
    async with sqlite_checkpointer(checkpoint_file) as saver:  # a new process
        graph = build_graph(saver)
        snapshot = await graph.aget_state({"configurable": {"thread_id": "slack:C1:t1"}})
    assert snapshot.values["last_query"] == "what is Amazon Bedrock?"
    assert len(snapshot.values["messages"]) == 2


async def test_conversations_are_separate(send: Send) -> None:
    await send("what is Amazon Bedrock?", conversation="discord:A:1")
    _, state = await send("hello", conversation="discord:B:1")
    assert state.get("last_query") is None


async def test_empty_and_binary_input_are_answered_by_the_guard(send: Send) -> None:
    reply, _ = await send("   \u200b\t ")
    assert (reply.text, reply.route) == (EMPTY_REPLY, "help")
    assert reply.guardrail.action == "block"
    assert [f.type for f in reply.guardrail.findings] == ["EMPTY"]
    reply, _ = await send("\x00\x01\x02\x03\ufffd\ufffd" * 50)
    assert reply.text == BINARY_REPLY


async def test_huge_input_is_cut_with_a_notice(send: Send) -> None:
    reply, state = await send("what is amazon bedrock " * 5000)
    assert reply.route == "tutor"
    assert "read the first 4,000" in reply.notice
    assert len(state["text"]) == 4000


async def test_control_characters_are_removed(send: Send) -> None:
    _, state = await send("what\x07 is\x1b Amazon\u202e Polly?")
    assert state["text"] == "what is Amazon Polly?"


async def test_help_and_greetings(send: Send) -> None:
    reply, _ = await send("hi there!")
    assert reply.route == "help"
    assert reply.text.startswith("Hi Ana!")
    assert "quiz me" in reply.text


async def test_banking_without_its_services_says_so(send: Send) -> None:
    reply, _ = await send("why is my account 6666 still pending?")
    assert (reply.route, reply.text) == ("banking", NOT_SET_UP)


async def test_quiz_me_on_that_carries_the_topic(send: Send) -> None:
    first, _ = await send("what is Amazon Comprehend?")
    reply, state = await send("quiz me on that")
    assert reply.route == "quizmaster" and reply.pending == "quiz"
    assert state["quiz"].label == first.citations[0].title


async def test_history_is_trimmed(send: Send) -> None:
    for _ in range(25):
        _, state = await send("hello")
    assert len(state["messages"]) <= 40


async def test_with_a_chat_model_the_answer_is_the_models(send: Send, agent_context: AgentContext) -> None:
    model = FakeListChatModel(responses=["Transcribe turns speech into text [1]."])
    context = dataclasses.replace(agent_context, chat_model=model)
    reply, _ = await send("what does Amazon Transcribe do?", context=context)
    assert reply.text == "Transcribe turns speech into text [1]."
    assert reply.notice is None and reply.citations


async def test_a_failing_chat_model_falls_back_to_excerpts(send: Send, agent_context: AgentContext) -> None:
    class Broken(FakeListChatModel):
        async def ainvoke(self, *args, **kwargs):  # type: ignore[override]
            raise TimeoutError("model timed out")

    context = dataclasses.replace(agent_context, chat_model=Broken(responses=["x"]))
    reply, _ = await send("what does Amazon Transcribe do?", context=context)
    assert reply.notice == MODEL_FAILED_NOTICE
    assert "[1]" in reply.text
