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
from tests.bots.discord.fake_discord import DiscordWorld, answer_correctly, question_id

BANK = {q.id: q for q in load_questions()}
ARGUMENTS = {"ask": {"question": "what is Amazon Polly?"}, "quiz": {"topic": "domain 2"}}


async def test_every_command_defers_then_follows_up(world: DiscordWorld) -> None:
    for name, spec in COMMANDS.items():
        if spec.own_conversation:
            continue  # /mock: below
        before = len(world.sent)
        interaction = await world.slash(name, **ARGUMENTS.get(name, {}))
        # private (bank), personal (stats, help) and thread-opening (quiz) commands: only the
        # user sees the channel's part of the answer
        private = spec.private or spec.personal or spec.thread
        assert interaction.calls[0] == ("defer", {"ephemeral": private, "thinking": True}), name
        assert interaction.names()[1:] and set(interaction.names()[1:]) == {"followup"}, name
        assert all(f["allowed_mentions"].to_dict() == {"parse": []} for f in interaction.followups())
        sent = [s for s in world.sent[before:] if s.channel_id == world.channel.id]
        assert sent and all(s.ephemeral == private for s in sent), name


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
    _, question = await world.quiz("1 question")
    await answer_correctly(world, question, BANK[question_id(question)])
    stats = await world.slash("stats")
    message, _share_offer = stats.followups()
    assert message["ephemeral"]  # a person's own results: only they see them
    [chart] = message["files"]
    assert chart.filename == "chart.png" and chart.fp.read().startswith(b"\x89PNG")
    assert "1 answered" in message["content"]


async def test_stats_are_private_first_with_a_share_button(world: DiscordWorld) -> None:
    _, question = await world.quiz("1 question")
    await answer_correctly(world, question, BANK[question_id(question)])
    public_before = [s for s in world.messages(world.channel.id) if not s.ephemeral]
    stats = await world.slash("stats")
    *shown, offer = stats.followups()
    assert all(f["ephemeral"] for f in stats.followups()) and "1 answered" in shown[0]["content"]
    [button] = [c for c in offer["view"].children]
    assert button.custom_id == "aif:share:stats"
    message = stats.sent[-1]
    await world.click(message, "aif:share:stats")
    public = [s for s in world.messages(world.channel.id) if not s.ephemeral][len(public_before) :]
    assert f"<@{world.alice.id}> shared their stats" in public[0].message.content
    assert len(public) == 2  # the header, then the result with its chart (a multipart send)


async def test_quiz_in_a_channel_opens_a_public_thread_where_anyone_answers(
    world: DiscordWorld, gateway: Gateway
) -> None:
    alice, question = await world.quiz("3 questions")
    thread = world.newest_thread()
    assert thread.parent_id == world.channel.id and "Question 1 of 3" in question.content
    [note] = alice.followups()
    assert note["ephemeral"] and thread.mention in note["content"]  # the channel sees no questions
    assert not [s for s in world.messages(world.channel.id) if not s.ephemeral]

    _, bobs = await world.quiz("3 questions", user=world.bob)
    assert world.newest_thread().id != thread.id  # a quiz of his own, in its own thread
    assert "Question 1 of 3" in bobs.content

    # a shared activity: Bob may answer Alice's question in her thread
    click = await answer_correctly(world, question, BANK[question_id(question)], user=world.bob)
    assert "✅ Correct!" in click.texts() and "Question 2 of 3" in click.texts()
    state = await gateway.conversations.graph.aget_state(
        {"configurable": {"thread_id": f"discord:{world.channel.id}:{thread.id}"}}
    )
    assert state.values["quiz"].position == 1


def test_quiz_topics_autocomplete_domains_tasks_and_topics() -> None:
    from bots.discord.topics import MAX_CHOICES, topic_choices

    assert ("Domain 2: Fundamentals of Generative AI", "domain 2") in topic_choices("generative")
    assert any(value == "task 3.2" for _, value in topic_choices("prompt"))
    assert any(value == "Amazon Bedrock" for _, value in topic_choices("bedrock"))
    assert len(topic_choices("")) == MAX_CHOICES
    assert all(len(name) <= 100 and len(value) <= 100 for name, value in topic_choices(""))


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
