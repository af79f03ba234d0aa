"""The Discord adapter: slash commands, mentions, DMs and thread conversations, persistent buttons
and selects, daily-question posts — all through the shared `bots.platform.gateway.Gateway`."""

from bots.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
