"""The daily scheduler's poster on Discord, and `daily:` buttons going to the daily handler."""

from __future__ import annotations

import discord
import pytest

from agents.reply import Choice, Reply
from agents.state import UserRef
from bots.daily import DAILY_PREFIX
from bots.platform.gateway import Gateway
from tests.bots.discord.fake_discord import DiscordWorld, custom_ids, start_world


def daily_reply(post: int) -> Reply:
    return Reply(
        text="Daily question: which service turns text into speech? @everyone",
        route="quizmaster",
        choices=[Choice(label=k, value=f"{DAILY_PREFIX}{post}:{k}") for k in "ABCD"],
    )


async def test_posts_a_daily_question_whose_buttons_answer_privately(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[tuple[UserRef, str]] = []

    async def daily(user: UserRef, value: str) -> str:
        answers.append((user, value))
        return "✅ Right, <@42>! The answer is revealed at 17:00."

    world = await start_world(gateway, daily=daily)
    monkeypatch.setattr(gateway, "turn", None)  # a daily click must never reach the graph
    poster = world.adapter.poster
    assert poster.platform == "discord"
    message_id = await poster.post(str(world.channel.id), daily_reply(7))
    [sent] = world.messages(world.channel.id)
    assert message_id == str(sent.message.id)
    assert "@\u200beveryone" in sent.message.content and sent.payload["allowed_mentions"]["parse"] == []
    assert custom_ids(sent.message) == [f"aif:v:{DAILY_PREFIX}7:{k}" for k in "ABCD"]  # no 👍/👎 on posts

    click = await world.click(sent.message, f"aif:v:{DAILY_PREFIX}7:B", user=world.bob)
    assert click.calls[0] == ("defer", {"ephemeral": True, "thinking": True})
    assert answers == [
        (UserRef(platform="discord", id=str(world.bob.id), name=world.bob.display_name), f"{DAILY_PREFIX}7:B")
    ]
    [feedback] = click.followups()
    assert (
        feedback["ephemeral"]
        and feedback["content"] == "✅ Right, <\u200b@42>! The answer is revealed at 17:00."
    )

    reveal = await poster.post(
        str(world.channel.id), Reply(text="The answer was B.", route="quizmaster"), reply_to=message_id
    )
    answer = world.messages(world.channel.id)[-1]
    assert reveal == str(answer.message.id)
    assert answer.payload["message_reference"]["message_id"] == int(message_id)


async def test_a_post_that_cannot_be_made_raises(world: DiscordWorld) -> None:
    with pytest.raises(discord.NotFound):
        await world.adapter.poster.post("123456789012345678", daily_reply(1))
    with pytest.raises(ValueError):
        await world.adapter.poster.post("not-a-channel", daily_reply(1))


async def test_without_a_daily_handler_the_click_is_answered_politely(world: DiscordWorld) -> None:
    await world.adapter.poster.post(str(world.channel.id), daily_reply(3))
    [sent] = world.messages(world.channel.id)
    click = await world.click(sent.message, f"aif:v:{DAILY_PREFIX}3:A")
    assert "aren't running" in click.texts()
