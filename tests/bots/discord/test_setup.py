"""Bot construction: intents, sharding, the invite link, startup errors, error handlers."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bots.discord import DiscordAdapter
from bots.discord.bot import NOT_ALLOWED, create_bot
from bots.discord.flows import Flows
from bots.discord.invite import PERMISSIONS_VALUE, client_id_from_token, invite_url
from bots.discord.sender import SORRY
from bots.platform.gateway import Gateway
from bots.startup.settings import MissingSettingError, Settings
from tests.bots.discord.fake_discord import DiscordWorld
from tools.metrics import METRICS

# permission bits from Discord's documentation (Permissions → Bitwise Permission Flags)
DOCUMENTED = {
    "VIEW_CHANNEL": 1 << 10,
    "SEND_MESSAGES": 1 << 11,
    "EMBED_LINKS": 1 << 14,
    "ATTACH_FILES": 1 << 15,
    "READ_MESSAGE_HISTORY": 1 << 16,
    "USE_APPLICATION_COMMANDS": 1 << 31,
    "CREATE_PUBLIC_THREADS": 1 << 35,
    "CREATE_PRIVATE_THREADS": 1 << 36,
    "SEND_MESSAGES_IN_THREADS": 1 << 38,
}


def test_invite_url_asks_for_bot_and_commands_scopes_and_exactly_the_needed_permissions() -> None:
    url = urlparse(invite_url("123456789012345678"))
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == ("discord.com", "/oauth2/authorize")
    assert query["client_id"] == ["123456789012345678"]
    assert query["scope"] == ["bot applications.commands"]
    assert int(query["permissions"][0]) == PERMISSIONS_VALUE == sum(DOCUMENTED.values())
    with pytest.raises(ValueError, match="not a Discord application id"):
        invite_url("my-bot")


def test_the_client_id_can_be_read_from_a_bot_token() -> None:
    assert client_id_from_token("MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.signature") == "123456789012345678"
    assert client_id_from_token("not a token") is None


def test_intents_and_sharding(gateway: Gateway) -> None:
    flows = Flows(gateway)
    single = create_bot(flows)
    assert type(single).__mro__[1:].count(commands.AutoShardedBot) == 0
    assert not single.intents.message_content and not single.intents.members  # no privileged intents
    assert single.intents.guild_messages and single.intents.dm_messages
    assert single.allowed_mentions.to_dict() == {"parse": []}

    reading = create_bot(flows, message_content=True)
    assert reading.intents.message_content
    sharded = create_bot(flows, shard_count=3)
    assert isinstance(sharded, commands.AutoShardedBot) and sharded.shard_count == 3
    auto = create_bot(flows, shard_count=0)  # Discord picks the number
    assert isinstance(auto, commands.AutoShardedBot) and auto.shard_count is None


def test_the_adapter_takes_its_options_from_the_settings_when_present(gateway: Gateway) -> None:
    section = SimpleNamespace(token=None, message_content=True, shard_count=2, application_id="42")
    adapter = DiscordAdapter(SimpleNamespace(discord=section), gateway)  # type: ignore[arg-type]
    assert adapter.flows.message_content and adapter.bot.intents.message_content
    assert isinstance(adapter.bot, commands.AutoShardedBot) and adapter.bot.shard_count == 2
    assert adapter.bot.application_id == 42
    assert adapter.poster.platform == "discord"


async def test_running_without_a_token_is_a_one_line_error(gateway: Gateway) -> None:
    adapter = DiscordAdapter(Settings(), gateway)
    with pytest.raises(MissingSettingError, match="AIFBOT_DISCORD_TOKEN is not set"):
        await adapter.run()
    await adapter.close()


async def test_slash_command_errors_are_answered_and_counted(world: DiscordWorld) -> None:
    tree = world.bot.tree
    failed = world.interaction()
    command = tree.get_command("stats")
    before = METRICS.platform_errors.labels("discord", "KeyError")._value.get()
    await tree.on_error(failed, app_commands.CommandInvokeError(command, KeyError("boom")))
    assert failed.calls == [
        (
            "send_message",
            {"content": SORRY, "ephemeral": True, "allowed_mentions": failed.calls[0][1]["allowed_mentions"]},
        )
    ]
    assert METRICS.platform_errors.labels("discord", "KeyError")._value.get() == before + 1

    refused = world.interaction()
    await refused.response.defer(thinking=True, ephemeral=True)
    await tree.on_error(refused, app_commands.MissingPermissions(["manage_guild"]))
    assert refused.followups()[0]["content"] == NOT_ALLOWED


async def test_a_failing_event_is_logged_and_the_bot_carries_on(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError("listener broke")
        except RuntimeError:
            await world.bot.on_error("on_message")
    assert "Discord event on_message failed" in caplog.text and "listener broke" in caplog.text
    await world.say(f"<@{world.bot.user.id}> what is Amazon Polly?")
    assert any("Polly" in s.message.content for s in world.sent)


async def test_a_failing_message_flow_apologises_in_the_channel(
    world: DiscordWorld, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = gateway.turn
    failures = [OSError("disk full")]

    async def flaky(turn, event=None):  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return await real(turn, event)

    monkeypatch.setattr(gateway, "turn", flaky)
    dm = await world.alice.create_dm()
    await world.say("what is Amazon Polly?", channel=dm)
    await world.say("what is Amazon Polly?", channel=dm)
    apology, answer = (s.message for s in world.messages(dm.id))
    assert apology.content == SORRY and "Polly" in answer.content
    assert isinstance(answer.channel, discord.DMChannel)
