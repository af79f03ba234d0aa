"""Sends rendered replies through the Slack Web API: messages, thread replies, ephemeral (private)
replies, updates of a "thinking" message, chart uploads. Also the daily scheduler's `ChannelPoster`."""

from __future__ import annotations

import logging
from collections import OrderedDict

from pydantic import BaseModel, Field
from slack_sdk.web.async_client import AsyncWebClient

from agents.reply import Reply
from bots.slack.blocks import SlackMessage, notice, render

log = logging.getLogger(__name__)

PRIVATE_NOTE = "🔒 I answered you privately (only you can see it)."
KNOWN_THREADS = 10_000  # threads remembered as having replies (older ones fall back to top level)


class Place(BaseModel):
    """Where a conversation's replies go."""

    channel: str
    conversation: str = Field(description="The conversation's thread key (a ts, or 'dm').")
    thread_ts: str | None = Field(None, description="The Slack thread replies go in; None: top level.")
    user: str = Field("", description="Who gets ephemeral replies.")
    dm: bool = Field(False, description="A direct message with the bot: private replies go there as is.")


class SlackPoster:
    """Posts replies; raises `SlackApiError` when Slack refuses (429s are retried by the client)."""

    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._replied: OrderedDict[tuple[str, str], None] = OrderedDict()

    def saw_reply(self, channel: str, thread_ts: str | None) -> None:
        """A thread is known to have replies (a person's or the bot's): ephemerals may go in it."""
        if thread_ts:
            self._replied[(channel, thread_ts)] = None
            self._replied.move_to_end((channel, thread_ts))
            while len(self._replied) > KNOWN_THREADS:
                self._replied.popitem(last=False)

    def thread_exists(self, channel: str, thread_ts: str | None) -> bool:
        return bool(thread_ts) and (channel, thread_ts) in self._replied

    async def post(self, channel: str, reply: Reply, *, reply_to: str | None = None) -> str:
        """The scheduler's entry point: a reply in a channel (in `reply_to`'s thread when given);
        returns the first message's ts."""
        place = Place(channel=channel, conversation=reply_to or "-", thread_ts=reply_to)
        ts = await self.deliver(reply, place)
        if ts is None:  # only private replies have no ts, and the scheduler posts none
            raise RuntimeError("a private reply can't be posted to a channel")
        return ts

    async def direct(self, user: str, reply: Reply) -> str:
        """A direct message to a user (the study plan's daily reminder); the first message's ts."""
        # a user id as channel posts to the app's DM: docs.slack.dev/reference/methods/chat.postMessage
        ts = await self.deliver(reply, Place(channel=user, conversation="dm", user=user, dm=True))
        if ts is None:
            raise RuntimeError("nothing was sent")
        return ts

    async def deliver(
        self, reply: Reply, place: Place, *, replace: str | None = None, header: str | None = None
    ) -> str | None:
        """Show a reply at a place. `replace` is a message to update with the first part (the
        "thinking" message of a slash command), `header` a context line shown first. Private
        replies outside a DM are ephemeral."""
        messages = render(reply, thread=place.conversation, header=header)
        if reply.private and not place.dm:
            if replace:
                await self.update(place.channel, replace, notice(PRIVATE_NOTE))
            for message in messages:
                await self.ephemeral(place.channel, place.user, message, thread_ts=place.thread_ts)
            return None
        first: str | None = None
        for message in messages:
            if first is None and replace:
                await self.update(place.channel, replace, message)
                first = replace
            else:
                ts = await self.message(place.channel, message, thread_ts=place.thread_ts)
                first = first or ts
        if reply.image_png:
            await self.upload(place.channel, reply.image_png, thread_ts=place.thread_ts)
        return first

    async def message(self, channel: str, message: SlackMessage, *, thread_ts: str | None = None) -> str:
        response = await self.client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, thread_ts=thread_ts, unfurl_links=False
        )
        self.saw_reply(channel, thread_ts)
        return str(response["ts"])

    async def update(self, channel: str, ts: str, message: SlackMessage) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)

    async def ephemeral(
        self, channel: str, user: str, message: SlackMessage, *, thread_ts: str | None = None
    ) -> None:
        """A message only `user` sees. chat.postEphemeral shows one with `thread_ts` only when the
        thread already has replies; into any other thread it would be shown to nobody, so it goes
        to the channel's top level instead."""
        if not self.thread_exists(channel, thread_ts):
            thread_ts = None
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=message.text, blocks=message.blocks, thread_ts=thread_ts
        )

    async def upload(self, channel: str, png: bytes, *, thread_ts: str | None = None) -> None:
        await self.client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file=png,
            filename="progress.png",
            title="Your progress",
            alt_txt="Chart of your quiz accuracy by domain and your activity",
        )

    async def react(self, channel: str, ts: str, name: str, *, on: bool) -> None:
        """Add or remove a reaction (the 👀 "working on it"); a refusal is no reason to fail a turn."""
        try:
            if on:
                await self.client.reactions_add(channel=channel, timestamp=ts, name=name)
            else:
                await self.client.reactions_remove(channel=channel, timestamp=ts, name=name)
        except Exception as exc:
            log.info("reaction %s not %s: %s", name, "added" if on else "removed", type(exc).__name__)

    async def open_dm(self, user: str) -> str:
        response = await self.client.conversations_open(users=user)
        return str(response["channel"]["id"])
