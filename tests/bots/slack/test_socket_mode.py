"""Socket Mode: the same listeners answer events that arrive over Slack's WebSocket (here the fake
Slack's), and every envelope is acknowledged on the socket before the answer is worked out."""

from __future__ import annotations

import asyncio
import contextlib

from bots.slack import SlackAdapter
from tests.bots.slack.fake_slack import BOT_USER, FakeSlack
from tests.bots.slack.payloads import event_callback, mention, slash


async def test_socket_mode_events_and_commands_reach_the_same_listeners(
    slack: SlackAdapter, fake_slack: FakeSlack
) -> None:
    running = asyncio.create_task(slack.run_socket_mode())
    try:
        [opened] = await fake_slack.wait_for("apps.connections.open")
        assert opened.params["_token"] == "xapp-test-token"  # the app-level token opens the socket
        await fake_slack.wait_for("socket_connected")

        event = mention(f"<@{BOT_USER}> what is Amazon Polly?", channel="C1")
        await fake_slack.send_envelope("events_api", event_callback(event), envelope_id="env-1")
        [ack] = await fake_slack.wait_for("socket_ack", envelope_id="env-1")
        [answer] = await fake_slack.wait_for("chat.postMessage")
        assert ack.at <= answer.at  # acknowledged first, answered after
        assert (
            answer.params["thread_ts"] == event["ts"] and "text-to-speech" in answer.text_of_blocks().lower()
        )

        command = slash("ask what is Amazon Polly?", fake_slack.response_url())
        await fake_slack.send_envelope("slash_commands", command, envelope_id="env-2")
        await fake_slack.wait_for("socket_ack", envelope_id="env-2")
        [update] = await fake_slack.wait_for("chat.update")
        assert "text-to-speech" in update.text_of_blocks().lower()
    finally:
        await slack.close()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
