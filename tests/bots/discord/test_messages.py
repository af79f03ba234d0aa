"""Message flows on dpytest: a mention opens a thread, follow-ups and DMs continue their
conversation, long answers are split, nothing the bot sends pings anyone."""

from __future__ import annotations

from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend

from agents.reply import Reply
from bots.discord.render import MESSAGE_LIMIT
from bots.platform.gateway import Gateway
from tests.bots.discord.fake_discord import DiscordWorld, start_world


async def human_turns(gateway: Gateway, key: str) -> int:
    state = await gateway.conversations.graph.aget_state({"configurable": {"thread_id": key}})
    return sum(1 for m in state.values.get("messages", []) if m.type == "human")


def assert_no_pings(world: DiscordWorld) -> None:
    """Every message the bot sent said: parse no mentions, ping no replied-to author."""
    assert world.sent
    for sent in world.sent:
        mentions = sent.payload.get("allowed_mentions")
        if isinstance(mentions, discord.AllowedMentions):  # a follow-up's keyword argument
            mentions = mentions.to_dict()
        assert mentions is not None, sent.payload
        assert mentions.get("parse") == [] and not mentions.get("replied_user", False), mentions
        assert not mentions.get("users") and not mentions.get("roles"), mentions


async def test_a_mention_is_answered_in_a_thread_of_its_own(world: DiscordWorld, gateway: Gateway) -> None:
    me = world.bot.user
    asked = await world.say(f"<@{me.id}> what is Amazon Polly?")
    thread = world.guild.get_thread(asked.id)  # a message's thread has the message's id
    assert thread is not None and thread.parent_id == world.channel.id and thread.owner_id == me.id
    assert thread.name == "what is Amazon Polly?"  # the mention is stripped
    answers = world.messages(thread.id)
    assert len(answers) == 1 and "Polly" in answers[0].message.content
    assert world.typing_in == [world.channel.id]  # typing while the graph worked
    assert not world.messages(world.channel.id)  # nothing in the channel itself
    assert await human_turns(gateway, f"discord:{world.channel.id}:{thread.id}") == 1

    # a mention inside the thread continues the same conversation
    await world.say(f"<@{me.id}> and what is Amazon Transcribe?", channel=thread)
    assert len(world.messages(thread.id)) == 2 and len(world.guild.threads) == 1
    assert await human_turns(gateway, f"discord:{world.channel.id}:{thread.id}") == 2
    assert_no_pings(world)


async def test_only_messages_for_the_bot_are_answered(world: DiscordWorld, gateway: Gateway) -> None:
    me = world.bot.user
    await world.say("what is Amazon Polly?")  # no mention
    await world.say("@everyone what is Amazon Polly?")  # @everyone is not a mention of the bot
    other_bot = backend.make_member(backend.make_user("otherbot", "0042"), world.guild)
    other_bot._user.bot = True
    await world.say(f"<@{me.id}> what is Amazon Polly?", member=other_bot)
    assert world.sent == [] and list(world.guild.threads) == []

    # without the Message Content intent, un-mentioned follow-ups in the bot's thread are not read
    asked = await world.say(f"<@{me.id}> what is Amazon Polly?")
    thread = world.guild.get_thread(asked.id)
    await world.say("and Transcribe?", channel=thread)
    assert len(world.messages(thread.id)) == 1  # the bot's own message did not answer itself either


async def test_with_message_content_follow_ups_in_bot_threads_are_answered(gateway: Gateway) -> None:
    world = await start_world(gateway, message_content=True)
    try:
        me = world.bot.user
        asked = await world.say(f"<@{me.id}> what is Amazon Polly?")
        thread = world.guild.get_thread(asked.id)
        await world.say("and what is Amazon Transcribe?", channel=thread)
        assert len(world.messages(thread.id)) == 2
        assert await human_turns(gateway, f"discord:{world.channel.id}:{thread.id}") == 2
        await world.say("what is Amazon Polly?")  # still only mentions outside the bot's threads
        assert len(world.guild.threads) == 1 and not world.messages(world.channel.id)
    finally:
        await dpytest.empty_queue()


async def test_direct_messages_are_one_conversation_per_dm(world: DiscordWorld, gateway: Gateway) -> None:
    dm = await world.alice.create_dm()
    await world.say("what is Amazon Polly?", channel=dm)  # no mention needed in a DM
    await world.say("and what is Amazon Transcribe?", channel=dm)
    answers = world.messages(dm.id)
    assert len(answers) == 2 and "Transcribe" in answers[1].message.content
    assert await human_turns(gateway, f"discord:{dm.id}:dm") == 2
    assert list(world.guild.threads) == []
    assert_no_pings(world)


async def test_without_thread_permission_the_answer_replies_in_the_channel(world: DiscordWorld) -> None:
    role = next(r for r in world.guild.me.roles if r.name == "aifbot")
    backend.update_role(role, permissions=discord.Permissions(view_channel=True, send_messages=True).value)
    asked = await world.say(f"<@{world.bot.user.id}> what is Amazon Polly?")
    [answer] = world.messages(world.channel.id)
    assert list(world.guild.threads) == [] and "Polly" in answer.message.content
    assert answer.payload["message_reference"]["message_id"] == asked.id  # a reply to the question
    assert answer.payload["allowed_mentions"]["replied_user"] is False  # without pinging its author


async def test_an_admin_choice_of_channels_is_respected(world: DiscordWorld) -> None:
    managers = discord.Permissions(manage_guild=True)
    await world.slash("admin", sub="answer", channel=world.general, permissions=managers)
    me = world.bot.user
    await world.say(f"<@{me.id}> what is Amazon Polly?")  # #study is not chosen any more
    assert world.messages(world.channel.id) == [] and list(world.guild.threads) == []
    asked = await world.say(f"<@{me.id}> what is Amazon Polly?", channel=world.general)
    thread = world.guild.get_thread(asked.id)
    await world.say(f"<@{me.id}> and Transcribe?", channel=thread)  # a thread counts as its channel
    assert len(world.messages(thread.id)) == 2
    dm = await world.alice.create_dm()
    await world.say("what is Amazon Polly?", channel=dm)  # DMs are always answered
    assert len(world.messages(dm.id)) == 1


async def test_long_answers_are_split_at_the_limit(
    world: DiscordWorld, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_turn = gateway.turn

    async def long_answer(turn: Any, event: str | None = None) -> Reply | None:
        reply = await real_turn(turn, event)  # the real answer, made longer than one message
        return reply.model_copy(update={"text": "\n\n".join([reply.text] * 8)}) if reply else None

    monkeypatch.setattr(gateway, "turn", long_answer)
    asked = await world.say(f"<@{world.bot.user.id}> what is Amazon Polly?")
    pieces = world.messages(asked.id)
    assert len(pieces) > 1 and all(len(p.message.content) <= MESSAGE_LIMIT for p in pieces)
    assert pieces[-1].payload.get("components")  # 👍/👎 under the last piece only
    assert not any(p.payload.get("components") for p in pieces[:-1])
    assert pieces[-1].payload["embeds"][0]["title"] == "Sources"


async def test_mentions_from_user_text_come_back_defused(
    world: DiscordWorld, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_turn = gateway.turn

    async def quoting(turn: Any, event: str | None = None) -> Reply | None:
        reply = await real_turn(turn, event)  # an answer that quotes the question back
        return reply.model_copy(update={"text": f"You asked: {turn.text}\n\n{reply.text}"}) if reply else None

    monkeypatch.setattr(gateway, "turn", quoting)
    asked = await world.say(f"<@{world.bot.user.id}> @everyone @here <@123> <@&456> what is Amazon Polly?")
    thread = world.guild.get_thread(asked.id)
    assert "@everyone" not in thread.name and "<@123>" not in thread.name
    shown = world.messages(thread.id)[0].message.content
    assert shown.startswith(
        "You asked: @\u200beveryone @\u200bhere <\u200b@123> <\u200b@&456> what is Amazon Polly?"
    )
    assert_no_pings(world)
