"""`/admin …`: hidden from and refused to members without Manage Server; maps onto `run_admin`."""

from __future__ import annotations

import discord

from bots.discord.flows import NOT_ADMIN
from tests.bots.discord.fake_discord import DiscordWorld
from tools.state import StateStore

MANAGER = discord.Permissions(manage_guild=True)


def test_the_group_is_for_server_managers_only(world: DiscordWorld) -> None:
    group = world.bot.tree.get_command("admin")
    assert isinstance(group, discord.app_commands.Group)
    assert group.default_permissions == MANAGER and group.guild_only
    assert sorted(c.name for c in group.commands) == ["answer", "channels", "daily", "ignore", "reveal"]


async def test_admin_requires_manage_server(world: DiscordWorld, state_store: StateStore) -> None:
    refused = await world.slash("admin", sub="answer", permissions=discord.Permissions(send_messages=True))
    assert refused.calls[0] == ("defer", {"ephemeral": True, "thinking": True})
    assert refused.followups()[0]["content"] == NOT_ADMIN and refused.followups()[0]["ephemeral"]
    assert await state_store.channels("discord") == []

    done = await world.slash("admin", sub="answer", channel=world.general, permissions=MANAGER)
    assert done.texts().startswith("Saved.") and f"<#{world.general.id}>" in done.texts()  # a live link
    admin = await world.slash(
        "admin",
        sub="daily",
        time="09:30",
        timezone="Europe/Berlin",
        days="mon-fri",
        permissions=discord.Permissions(administrator=True),
    )
    assert "daily question 09:30 Europe/Berlin (mon,tue,wed,thu,fri)" in admin.texts()
    saved = {c.channel: c for c in await state_store.channels("discord")}
    general, study = saved[str(world.general.id)], saved[str(world.channel.id)]
    assert (general.answers, general.workspace) == (True, str(world.guild.id))
    assert (study.daily_time, study.daily_timezone, study.updated_by) == (
        "09:30",
        "Europe/Berlin",
        str(world.alice.id),
    )

    listed = await world.slash("admin", sub="channels", permissions=MANAGER)
    assert listed.texts().count("\n") == 1
    bad = await world.slash("admin", sub="reveal", time="25:00", permissions=MANAGER)
    assert "is not a time" in bad.texts()
