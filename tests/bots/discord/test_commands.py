"""Slash commands (driven through their callbacks, as dpytest can't send them): defer first, then
follow up; private commands stay ephemeral; each user has their own conversation per channel."""

from __future__ import annotations

import discord
from discord.ext.test import backend

from agents.banking import prompts as bank_say
from agents.reply import Reply
from bots.discord.sender import PRIVATE_NOTE, follow_up
from bots.platform.commands import COMMANDS
from bots.platform.gateway import Gateway
from knowledge.question_bank import load_questions
from tests.bots.discord.fake_discord import DiscordWorld, answer_correctly, custom_ids, question_id

BANK = {q.id: q for q in load_questions()}
ARGUMENTS = {"ask": {"question": "what is Amazon Polly?"}, "quiz": {"topic": "domain 2"}}


async def test_every_command_defers_then_follows_up(world: DiscordWorld) -> None:
    for name, spec in COMMANDS.items():
        if spec.own_conversation:
            continue  # /mock: below
        before = len(world.sent)
        interaction = await world.slash(name, **ARGUMENTS.get(name, {}))
        assert interaction.calls[0] == ("defer", {"ephemeral": spec.private, "thinking": True}), name
        assert interaction.names()[1:] and set(interaction.names()[1:]) == {"followup"}, name
        assert all(f["allowed_mentions"].to_dict() == {"parse": []} for f in interaction.followups())
        sent = world.sent[before:]
        assert sent and all(s.ephemeral == spec.private for s in sent), name  # /bank: only its user sees it


def test_the_commands_are_registered_with_the_shared_descriptions(world: DiscordWorld) -> None:
    for name, spec in COMMANDS.items():
        command = world.bot.tree.get_command(name)
        assert command is not None and command.description == spec.description
        if spec.argument:
            assert len(command.parameters) == 1
            assert command.parameters[0].required == (spec.bare is None and "{arg}" in spec.text)


async def test_a_blank_argument_gets_a_friendly_private_message(
    world: DiscordWorld, gateway: Gateway
) -> None:
    interaction = await world.slash("ask", question="   ")
    [message] = interaction.followups()
    assert message["ephemeral"] is True and "needs a question" in message["content"]


async def test_stats_come_with_a_chart(world: DiscordWorld) -> None:
    quiz = await world.slash("quiz", topic="1 question")
    await answer_correctly(world, quiz.sent[-1], BANK[question_id(quiz.sent[-1])])
    stats = await world.slash("stats")
    [message] = stats.followups()
    [chart] = message["files"]
    assert chart.filename == "chart.png" and chart.fp.read().startswith(b"\x89PNG")
    assert "1 answered" in message["content"]


async def test_each_user_has_their_own_quiz_in_a_channel(world: DiscordWorld, gateway: Gateway) -> None:
    alice = await world.slash("quiz", topic="3 questions")
    bob = await world.slash("quiz", topic="3 questions", user=world.bob)
    alices_question = alice.sent[-1]
    assert "Question 1 of 3" in alices_question.content and "Question 1 of 3" in bob.sent[-1].content

    # Bob clicking Alice's question is told so; her quiz is untouched
    button = custom_ids(alices_question)[0]
    refused = await world.click(alices_question, button, user=world.bob)
    assert refused.names() == ["send_message"] and refused.calls[0][1]["ephemeral"] is True
    assert "someone else's" in refused.calls[0][1]["content"]

    click = await answer_correctly(world, alices_question, BANK[question_id(alices_question)])
    assert "✅ Correct!" in click.texts() and "Question 2 of 3" in click.texts()
    bob_state = await gateway.conversations.graph.aget_state(
        {"configurable": {"thread_id": f"discord:{world.channel.id}:user-{world.bob.id}"}}
    )
    assert bob_state.values["quiz"].position == 0  # Bob is still on his first question


async def test_mock_exam_gets_a_private_thread(world: DiscordWorld, gateway: Gateway) -> None:
    interaction = await world.slash("mock")
    assert interaction.calls[0] == ("defer", {"ephemeral": True, "thinking": True})
    thread = next(t for t in world.guild.threads if t.type == discord.ChannelType.private_thread)
    assert thread.parent_id == world.channel.id and (thread.id, world.alice.id) in world.thread_members
    [note] = interaction.followups()
    assert note["ephemeral"] and thread.mention in note["content"]
    first = world.messages(thread.id)[-1].message
    assert "Mock exam" in first.content

    # answering in the thread continues the exam: the thread is its conversation
    click = await answer_correctly(world, first, BANK[question_id(first)])
    assert "2" in click.texts()
    state = await gateway.conversations.graph.aget_state(
        {"configurable": {"thread_id": f"discord:{world.channel.id}:{thread.id}"}}
    )
    assert state.values["mock"] is not None and len(state.values["mock"].answers) == 1


async def test_a_private_reply_to_a_public_command_goes_out_ephemeral(world: DiscordWorld) -> None:
    interaction = world.interaction()
    await interaction.response.defer(thinking=True, ephemeral=False)
    await follow_up(
        interaction,
        Reply(text=bank_say.ASK_NAME, route="banking", private=True),
        ephemeral=False,
        thinking=True,
    )
    assert interaction.names() == ["defer", "edit_original", "followup"]
    assert interaction.calls[1][1]["content"] == PRIVATE_NOTE
    assert interaction.followups()[0]["ephemeral"] is True


async def test_mock_exam_goes_to_a_dm_where_no_private_thread_can_be_opened(
    world: DiscordWorld, gateway: Gateway
) -> None:
    role = next(r for r in world.guild.me.roles if r.name == "aifbot")
    backend.update_role(role, permissions=discord.Permissions(view_channel=True, send_messages=True).value)
    interaction = await world.slash("mock")
    dm = await world.alice.create_dm()
    assert list(world.guild.threads) == [] and "Mock exam" in world.messages(dm.id)[-1].message.content
    assert "your direct messages" in interaction.followups()[0]["content"]
    state = await gateway.conversations.graph.aget_state(
        {"configurable": {"thread_id": f"discord:{dm.id}:dm"}}
    )
    assert state.values["mock"] is not None
