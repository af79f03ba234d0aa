"""The tutor with a chat model: the model gets the same structured evidence as the offline
composer (leads, the parts for the question, contrasts), and its citations reach the reply."""

from __future__ import annotations

import dataclasses

from langchain_core.messages import AIMessage, SystemMessage

from agents.context import AgentContext
from agents.tutor.prompts import EXCERPTS_NOTICE, INTENT_TASKS
from tests.agents.conftest import Send
from tests.fakes import ScriptedModel


def with_model(agent_context: AgentContext, *answers: str) -> tuple[AgentContext, ScriptedModel]:
    model = ScriptedModel(script=[AIMessage(a) for a in answers])
    return dataclasses.replace(agent_context, chat_model=model), model


async def test_a_comparison_prompt_carries_both_sides_and_their_contrast(
    send: Send, agent_context: AgentContext
) -> None:
    context, model = with_model(
        agent_context, "ROUGE measures overlap with a reference summary [1]; BLEU scores translations [2]."
    )
    reply, _ = await send("ROUGE vs BLEU", context=context)
    system = model.seen[0][0]
    assert isinstance(system, SystemMessage)
    assert INTENT_TASKS["comparison"] in system.content
    assert "[1] ROUGE" in system.content and "[2] BLEU" in system.content
    assert "Defining paragraph:" in system.content
    assert reply.text.startswith("ROUGE measures overlap") and reply.notice is None
    assert [c.n for c in reply.citations] == [1, 2]


async def test_the_model_answers_follow_ups_with_the_pricing_section(
    send: Send, agent_context: AgentContext
) -> None:
    context, model = with_model(
        agent_context, "Bedrock is a managed FM service [1].", "On-demand or provisioned [1]."
    )
    await send("what is amazon bedrock?", context=context)
    reply, _ = await send("and how is it priced?", context=context)
    system = model.seen[1][0].content
    assert INTENT_TASKS["pricing"] in system and "Provisioned Throughput" in system
    assert reply.citations[0].section.startswith("amazon-bedrock-pricing")
    history = model.seen[1][1:-1]  # the conversation so far comes along
    assert any("managed FM service" in m.content for m in history)


async def test_an_empty_model_answer_falls_back_to_the_composed_one(
    send: Send, agent_context: AgentContext
) -> None:
    context, _ = with_model(agent_context, "   ")
    reply, _ = await send("what is amazon macie?", context=context)
    assert reply.notice == EXCERPTS_NOTICE
    assert reply.text.startswith("Amazon Macie is")
