"""Posts a reply into a Discord channel for the daily scheduler (`bots.daily.ChannelPoster`). Its
buttons are the persistent components of `views`; `daily:` values go to the daily handler."""

from __future__ import annotations

import discord

from agents.reply import Reply
from bots.discord.render import render
from bots.discord.sender import send_pieces


class DiscordPoster:
    platform = "discord"

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    async def _channel(self, channel: str) -> discord.abc.Messageable:
        found = self.bot.get_channel(int(channel)) or await self.bot.fetch_channel(int(channel))
        if not isinstance(found, discord.abc.Messageable):
            raise TypeError(f"Discord channel {channel} does not take messages")
        return found

    async def post(self, channel: str, reply: Reply, *, reply_to: str | None = None) -> str:
        """Post `reply` (answering message `reply_to` when given); the id of its first message.
        Raises (ValueError, discord.HTTPException, ...) when it can't, so the scheduler retries."""
        target = await self._channel(channel)
        reference = None
        if reply_to is not None:
            reference = discord.MessageReference(
                message_id=int(reply_to), channel_id=int(channel), fail_if_not_exists=False
            )
        sent = await send_pieces(target, render(reply, feedback=False), reference=reference)
        return str(sent[0].id)

    async def direct(self, user: str, reply: Reply) -> str:
        """A direct message to a user (the study plan's daily reminder); its first message's id.
        `User.send` opens the DM channel itself (create_dm). Raises discord.Forbidden when the
        user takes no DMs from the bot, so the scheduler logs it and tries again later."""
        person = self.bot.get_user(int(user)) or await self.bot.fetch_user(int(user))
        sent = await send_pieces(person, render(reply, feedback=False))
        return str(sent[0].id)
