"""The bot's invite link: OAuth2 scopes `bot applications.commands` and exactly the permissions it
uses. The client id is the application id from the developer portal (General Information);
`aifbot discord invite` takes it from `AIFBOT_DISCORD_APPLICATION_ID` or its argument."""

from __future__ import annotations

import base64
import binascii

import discord

SCOPES = ("bot", "applications.commands")

PERMISSIONS = discord.Permissions(
    view_channel=True,  # see the channels it is used in
    send_messages=True,  # answers, daily questions
    send_messages_in_threads=True,  # answers in conversation threads
    create_public_threads=True,  # a thread for each conversation started by a mention
    create_private_threads=True,  # the mock exam in a private thread
    embed_links=True,  # the "Sources" embeds
    attach_files=True,  # progress charts
    read_message_history=True,  # reply to the message it answers
    use_application_commands=True,  # the slash commands
)
PERMISSIONS_VALUE: int = PERMISSIONS.value


def invite_url(client_id: str) -> str:
    """The OAuth2 URL a server admin opens to add the bot."""
    client_id = client_id.strip()
    if not client_id.isdigit():
        raise ValueError(
            f"{client_id[:30]!r} is not a Discord application id; copy the digits from the developer "
            "portal (your application → General Information → Application ID)."
        )
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)


def client_id_from_token(token: str) -> str | None:
    """The bot's user id, which a bot token starts with (base64). For bots created since 2019 it
    equals the application id; prefer the setting where they differ."""
    head = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.isdigit() else None
