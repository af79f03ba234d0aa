"""`DiscordAdapter`: what `aifbot serve` runs — the bot, its daily-question poster, start and stop."""

from __future__ import annotations

import logging

import discord

from bots.daily import DailyAnswerHandler
from bots.discord.bot import create_bot
from bots.discord.flows import Flows
from bots.discord.poster import DiscordPoster
from bots.platform.gateway import Gateway
from bots.startup.settings import MissingSettingError, Settings, require

log = logging.getLogger(__name__)


class DiscordStartError(MissingSettingError):
    """Discord refused to start the bot; the message says what to change (a MissingSettingError,
    so `serve` ends with that one line and exit status 1, like a missing setting)."""


class DiscordAdapter:
    """The Discord bot over the shared gateway.

    `message_content` and `shard_count` default to the settings `AIFBOT_DISCORD_MESSAGE_CONTENT`
    and `AIFBOT_DISCORD_SHARDS` (`settings.discord.message_content` / `.shard_count`, when present).
    """

    def __init__(
        self,
        settings: Settings,
        gateway: Gateway,
        daily: DailyAnswerHandler | None = None,
        *,
        message_content: bool | None = None,
        shard_count: int | None = None,
        sync_commands: bool = True,
        intents: discord.Intents | None = None,
    ) -> None:
        section = settings.discord
        if message_content is None:
            message_content = bool(getattr(section, "message_content", False))
        if shard_count is None:
            shard_count = getattr(section, "shard_count", None)
        application_id = getattr(section, "application_id", None)
        self.settings = settings
        self.flows = Flows(gateway, daily, message_content=message_content)
        self.bot = create_bot(
            self.flows,
            message_content=message_content,
            shard_count=shard_count,
            application_id=int(application_id) if application_id else None,
            sync_commands=sync_commands,
            intents=intents,
        )
        self.poster = DiscordPoster(self.bot)

    async def run(self) -> None:
        """Log in and serve until closed."""
        token = require(self.settings.discord.token, "AIFBOT_DISCORD_TOKEN", "to run the Discord bot")
        try:
            await self.bot.start(token)
        except discord.PrivilegedIntentsRequired:
            raise DiscordStartError(
                "Discord refused the Message Content intent: switch it on in the developer portal "
                "(Bot → Privileged Gateway Intents) or unset AIFBOT_DISCORD_MESSAGE_CONTENT."
            ) from None
        except discord.LoginFailure:
            raise DiscordStartError(
                "Discord rejected AIFBOT_DISCORD_TOKEN; reset the bot token and set it again."
            ) from None

    async def close(self) -> None:
        if not self.bot.is_closed():
            await self.bot.close()
