"""`/admin …`: where the bot answers and where daily questions go (`bots.platform.admin.run_admin`).

Hidden from members without Manage Server by `default_permissions` (server admins can change that
in Server Settings → Integrations), and checked again when run, because those overrides are the
server's to change."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.flows import Flows

Time = app_commands.Range[str, 1, 10]


def target(channel: discord.abc.GuildChannel | None) -> str:
    """The channel word `run_admin` reads: a channel link, or `here`."""
    return f"<#{channel.id}>" if channel is not None else "here"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(
    commands.GroupCog, group_name="admin", group_description="Server settings: channels and daily questions"
):
    def __init__(self, flows: Flows) -> None:
        self.flows = flows
        super().__init__()

    @app_commands.command(name="channels", description="Where I answer and post daily questions")
    async def channels(self, interaction: discord.Interaction) -> None:
        await self.flows.admin(interaction, "channels")

    @app_commands.command(name="answer", description="Answer in a channel (then only in chosen channels)")
    @app_commands.describe(channel="The channel; this one when left empty")
    async def answer(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        await self.flows.admin(interaction, f"answer {target(channel)}")

    @app_commands.command(name="ignore", description="Stop answering mentions in a channel")
    @app_commands.describe(channel="The channel; this one when left empty")
    async def ignore(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        await self.flows.admin(interaction, f"ignore {target(channel)}")

    @app_commands.command(name="daily", description="Post a daily question in a channel, or stop it")
    @app_commands.describe(
        time="24-hour HH:MM, or off",
        timezone="A time zone such as Europe/Berlin (default UTC)",
        days="Weekdays such as mon-fri or mon,wed,fri (default every day)",
        channel="The channel; this one when left empty",
    )
    async def daily(
        self,
        interaction: discord.Interaction,
        time: Time,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        days: app_commands.Range[str, 1, 40] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        words = [time, timezone or "", days or ""]
        await self.flows.admin(
            interaction, " ".join(["daily", target(channel), *(w for w in words if w.strip())])
        )

    @app_commands.command(name="reveal", description="When the daily answer is revealed")
    @app_commands.describe(
        time="24-hour HH:MM, or default (just before the next post)", channel="The channel"
    )
    async def reveal(
        self, interaction: discord.Interaction, time: Time, channel: discord.TextChannel | None = None
    ) -> None:
        await self.flows.admin(interaction, f"reveal {target(channel)} {time.strip()}")
