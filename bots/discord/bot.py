"""The discord.py bot: a `commands.Bot` — an `AutoShardedBot` when sharding is configured — that
gets its flows in the constructor, and loads the cogs and the persistent components in `setup_hook`.

Privileged intents: none by default. Slash commands, components, DMs and the content of messages
that mention the bot all arrive without Message Content; with it (`message_content=True`, which
must also be switched on in the developer portal) follow-ups in the bot's threads are read too.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.cogs.admin import Admin
from bots.discord.cogs.conversations import Conversations
from bots.discord.cogs.study import Study
from bots.discord.flows import Flows
from bots.discord.places import PLATFORM
from bots.discord.render import NO_MENTIONS
from bots.discord.sender import SORRY, apologise
from bots.discord.views import DYNAMIC_ITEMS
from tools.metrics import METRICS

log = logging.getLogger(__name__)

NOT_ALLOWED = "You can't use that command here (it needs the Manage Server permission, in a server)."


class AifTree(app_commands.CommandTree):
    """Last line of defence for slash commands: log, count, and answer politely."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CheckFailure):
            log.info("slash command refused: %s", error)
            await apologise(interaction, NOT_ALLOWED)
            return
        original = getattr(error, "original", error)
        log.error("slash command failed", exc_info=original)
        METRICS.platform_errors.labels(PLATFORM, type(original).__name__).inc()
        await apologise(interaction, SORRY)


class _AifBot:
    """What both bot classes add to discord.py's."""

    flows: Flows

    def __init__(self, flows: Flows, *, sync_commands: bool = True, **options: Any) -> None:
        super().__init__(**options)  # type: ignore[call-arg]
        self.flows = flows
        self.sync_commands = sync_commands

    async def setup_hook(self) -> None:
        bot: Any = self
        await bot.add_cog(Study(self.flows))
        await bot.add_cog(Admin(self.flows))
        await bot.add_cog(Conversations(bot, self.flows))
        bot.add_dynamic_items(*DYNAMIC_ITEMS)  # components of messages sent before a restart
        if self.sync_commands:
            try:
                await bot.tree.sync()  # one bulk overwrite per start; unchanged commands cost nothing
            except discord.HTTPException as exc:
                log.error("could not register the slash commands: %s", exc)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the `Conversations` cog handles messages."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("Discord event %s failed", event_method)
        METRICS.platform_errors.labels(PLATFORM, f"event:{event_method}").inc()


class AifBot(_AifBot, commands.Bot):
    pass


class ShardedAifBot(_AifBot, commands.AutoShardedBot):
    pass


def make_intents(message_content: bool = False) -> discord.Intents:
    intents = discord.Intents.default()  # guilds, server and DM messages; no privileged intents
    intents.message_content = message_content
    intents.typing = False  # the bot never looks at who is typing
    return intents


def create_bot(
    flows: Flows,
    *,
    message_content: bool = False,
    shard_count: int | None = None,
    application_id: int | None = None,
    sync_commands: bool = True,
    intents: discord.Intents | None = None,
) -> commands.Bot:
    """The bot; `shard_count` None runs one connection, 0 lets Discord choose the number of shards,
    n > 0 runs n shards in this process (`AutoShardedBot`)."""
    options: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,  # unused: no prefix commands are registered
        "help_command": None,
        "intents": intents or make_intents(message_content),
        "allowed_mentions": NO_MENTIONS,
        "tree_cls": AifTree,
        "application_id": application_id,
        "sync_commands": sync_commands,
    }
    if shard_count is None:
        return AifBot(flows, **options)
    return ShardedAifBot(flows, shard_count=shard_count or None, **options)
