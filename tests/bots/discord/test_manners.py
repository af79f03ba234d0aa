"""Thread manners on Discord (dpytest): in its own thread the bot answers the person it talks
to and mentions of it, not people talking to each other; a mention of its role counts as a mention."""

from __future__ import annotations

import discord
import discord.ext.test as dpytest
from discord.ext.test import backend

from bots.platform.gateway import Gateway
from tests.bots.discord.fake_discord import start_world


async def test_in_its_thread_it_answers_only_what_is_meant_for_it(gateway: Gateway) -> None:
    world = await start_world(gateway, message_content=True)
    try:
        me, alice, bob = world.bot.user, world.alice, world.bob
        asked = await world.say(f"<@{me.id}> what is Amazon Polly?", member=alice)
        thread = world.guild.get_thread(asked.id)
        assert thread is not None
        script = [
            (f"<@{bob.id}> can you review my PR?", alice, False),  # addressed to someone else
            ("lol same", bob, False),  # chit-chat between people
            ("thanks, that helps!", alice, False),
            ("what is Amazon SageMaker?", bob, False),  # someone else, without a mention
            ("and what does Amazon Lex do?", alice, True),  # the person it talks to
            (f"<@{me.id}> what is Amazon Transcribe?", bob, True),  # a mention, from anyone
        ]
        answered = len(world.messages(thread.id))
        assert answered == 1
        for text, member, meant in script:
            await world.say(text, channel=thread, member=member)
            now = len(world.messages(thread.id))
            assert now - answered == (1 if meant else 0), f"{text!r} from {member.name}"
            answered = now
    finally:
        await dpytest.empty_queue()


async def test_a_mention_of_the_bots_role_is_a_mention(gateway: Gateway) -> None:
    world = await start_world(gateway)
    try:
        me = world.bot.user
        role = backend.make_role("aifbot-managed", world.guild)
        role.tags = discord.RoleTags({"bot_id": str(me.id)})  # the role Discord gives a bot
        asked = await world.say(f"<@&{role.id}> what is Amazon Polly?")
        assert asked.role_mentions == [role]
        thread = world.guild.get_thread(asked.id)
        assert thread is not None and thread.name == "what is Amazon Polly?"  # the role mention stripped
        [answer] = world.messages(thread.id)
        assert "Polly" in answer.message.content

        other = backend.make_role("moderators", world.guild)
        await world.say(f"<@&{other.id}> what is Amazon Lex?")  # someone else's role: not for the bot
        assert len(world.guild.threads) == 1
    finally:
        await dpytest.empty_queue()
