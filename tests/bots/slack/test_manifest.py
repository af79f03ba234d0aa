"""The app manifest asks Slack for what the adapter listens to and calls."""

from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).parents[3] / "deploy" / "slack" / "manifest.yaml"


def test_the_manifest_matches_what_the_adapter_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels", "message.groups"} <= events
    assert {"app_home_opened", "tokens_revoked", "app_uninstalled"} <= events  # Home tab, token health
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/aif"
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs with the bot
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needed = {
        "app_mentions:read",  # app_mention
        "chat:write",  # postMessage, update, postEphemeral
        "im:history",  # message.im
        "im:read",
        "im:write",  # conversations.open
        "channels:history",  # message.channels
        "groups:history",  # message.groups
        "commands",  # /aif
        "files:write",  # files_upload_v2
        "users:read",  # users.info for admin checks
        "reactions:write",  # 👀 while answering a mention
        "channels:read",  # conversations.list: `#name` typed in admin commands
        "groups:read",
    }
    assert needed <= scopes
    if "message.mpim" in events:
        assert "mpim:history" in scopes
