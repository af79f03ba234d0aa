"""The daily question through each platform adapter: the real scheduler posts with the adapter's
poster, members click the buttons (routed to the scheduler, answered privately), the reveal goes
into the question's thread. Slack: the real slack_sdk against the fake Web API on 127.0.0.1;
Discord: dpytest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import discord.ext.test as dpytest
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bots.daily import DAILY_PREFIX
from bots.daily.scheduler import DailyScheduler
from bots.slack import SlackAdapter
from bots.startup.server import make_web_app
from tests.bots.daily.fakes import Clock, local
from tests.bots.discord.fake_discord import custom_ids, start_world
from tests.bots.slack.conftest import SlackHTTP
from tests.bots.slack.fake_slack import FakeSlack
from tests.bots.slack.payloads import click
from tools.state import ChannelSettings
from tools.state.daily import DailyStore

BERLIN = "Europe/Berlin"
MONDAY = date(2026, 6, 1)


def letters(question) -> tuple[str, str]:
    right = question.answer_letters[0]
    return right, next(k for k in sorted(question.options) if k != right)


@pytest.fixture
async def slack_daily(
    slack_settings, gateway, fake_slack: FakeSlack, quiz, write_config
) -> AsyncIterator[tuple[DailyScheduler, SlackHTTP, Clock]]:
    config = write_config(
        [{"platform": "slack", "channel": "C1", "time": "09:00", "timezone": BERLIN, "reveal": "17:00"}]
    )
    clock = Clock(local(MONDAY, "09:00", BERLIN))
    scheduler = DailyScheduler(gateway.state, quiz, config_path=config, instance="host-a:1", clock=clock)
    adapter = SlackAdapter(slack_settings, gateway, daily=scheduler.answer)
    scheduler.add_poster(adapter.poster)
    app = make_web_app({})
    adapter.mount(app)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield scheduler, SlackHTTP(client, fake_slack), clock
    scheduler.shutdown()
    await adapter.close()
    await client.close()


async def test_slack_posts_takes_answers_privately_and_reveals_in_the_thread(slack_daily, fake_slack):
    scheduler, slack_http, clock = slack_daily
    await scheduler.tick()
    [posted] = fake_slack.made("chat.postMessage", channel="C1")
    post = await DailyStore.of(scheduler.state).find("slack", "C1", MONDAY)
    assert post.status == "posted" and post.message == posted.ts
    question = scheduler.quiz.by_id[post.question]
    assert question.stem[:60] in posted.text_of_blocks()
    right, wrong = letters(question)

    clock.now = local(MONDAY, "10:00", BERLIN)
    url = fake_slack.response_url()
    await slack_http.action(click(posted, url, user="U8", value=f"{DAILY_PREFIX}{post.id}:{right}"))
    await slack_http.action(click(posted, url, user="U9", value=f"{DAILY_PREFIX}{post.id}:{wrong}"))
    feedback = await fake_slack.wait_for("chat.postEphemeral", 2)
    said = {call.params["user"]: call.params["text"] for call in feedback}
    assert "Right" in said["U8"] and "Not this time" in said["U9"] and "17:00 Europe/Berlin" in said["U9"]
    assert not fake_slack.made("chat.postMessage", thread_ts=posted.ts)  # nothing public before the reveal

    clock.now = local(MONDAY, "17:00", BERLIN)
    await scheduler.tick()
    [reveal] = await fake_slack.wait_for("chat.postMessage", thread_ts=posted.ts)
    text = reveal.text_of_blocks()
    assert "2 answered, 50 % correct." in text and "user-U8: 1 in a row (1 right in a row)" in text
    assert (await DailyStore.of(scheduler.state).get(post.id)).status == "revealed"
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage")) == 2


async def test_discord_posts_takes_answers_privately_and_reveals_as_a_reply(gateway, quiz):
    clock = Clock(local(MONDAY, "09:00", BERLIN))
    scheduler: DailyScheduler | None = None

    async def answer(user, value: str) -> str:  # the adapter needs the handler before the scheduler
        assert scheduler is not None
        return await scheduler.answer(user, value)

    world = await start_world(gateway, daily=answer)
    try:
        channel = str(world.channel.id)
        await gateway.state.save_channel(  # set up by an admin this time, not by the file
            ChannelSettings(
                platform="discord",
                channel=channel,
                workspace=str(world.guild.id),
                daily_time="09:00",
                daily_timezone=BERLIN,
                reveal_time="17:00",
            )
        )
        scheduler = DailyScheduler(gateway.state, quiz, instance="host-a:1", clock=clock)
        scheduler.add_poster(world.adapter.poster)
        await scheduler.tick()
        [sent] = world.messages(world.channel.id)
        post = await DailyStore.of(scheduler.state).find("discord", channel, MONDAY)
        assert post.message == str(sent.message.id)
        assert custom_ids(sent.message) == [f"aif:v:{DAILY_PREFIX}{post.id}:{k}" for k in "ABCD"]
        right, wrong = letters(scheduler.quiz.by_id[post.question])

        clock.now = local(MONDAY, "10:00", BERLIN)
        first = await world.click(sent.message, f"aif:v:{DAILY_PREFIX}{post.id}:{right}", user=world.bob)
        again = await world.click(sent.message, f"aif:v:{DAILY_PREFIX}{post.id}:{wrong}", user=world.bob)
        [feedback] = first.followups()
        assert feedback["ephemeral"] and feedback["content"].startswith(f"✅ Right: {right} is correct.")
        assert "only your first answer counts" in again.texts()

        clock.now = local(MONDAY, "17:00", BERLIN)
        await scheduler.tick()
        reveal = world.messages(world.channel.id)[-1]
        assert reveal.payload["message_reference"]["message_id"] == int(post.message)
        assert "1 answered, 100 % correct." in reveal.message.content
        assert reveal.payload["allowed_mentions"]["parse"] == []
    finally:
        await dpytest.empty_queue()
