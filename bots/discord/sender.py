"""Sending rendered pieces: to a channel, as interaction follow-ups, and the apology for a failure.
Every send names `AllowedMentions.none()` (the bot's default too), so nothing the bot says pings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from agents.reply import Reply
from bots.discord.places import Place
from bots.discord.render import NO_MENTIONS, Piece, render

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side with that. Your conversation is saved; please try again "
    "in a moment."
)
PRIVATE_NOTE = "🔒 I've answered you privately."


@asynccontextmanager
async def typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """The typing indicator while the graph works; a channel that refuses it still gets the answer."""
    indicator = channel.typing()
    try:
        await indicator.__aenter__()
    except discord.HTTPException as exc:
        log.info("no typing indicator: %s", exc)
        yield
        return
    try:
        yield
    finally:
        await indicator.__aexit__(None, None, None)


def is_ephemeral(message: discord.Message | None) -> bool:
    return bool(message is not None and message.flags.ephemeral)


async def send_pieces(
    destination: discord.abc.Messageable,
    pieces: list[Piece],
    *,
    reference: discord.Message | discord.MessageReference | None = None,
) -> list[discord.Message]:
    """Send the pieces in order; the first answers `reference` (without pinging its author)."""
    sent = []
    for n, piece in enumerate(pieces):
        extra: dict = {"reference": reference, "mention_author": False} if n == 0 and reference else {}
        sent.append(await destination.send(**piece.kwargs(), **extra))
    return sent


async def follow_up(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    ephemeral: bool,
    thinking: bool,
    place: Place | None = None,
    feedback: bool = True,
) -> list[discord.Message]:
    """Send a reply as follow-ups of a deferred interaction. A private reply to a public
    "thinking…" message turns that message into a note and goes out ephemeral."""
    private = ephemeral or reply.private
    if reply.private and not ephemeral and thinking:
        await interaction.edit_original_response(content=PRIVATE_NOTE, allowed_mentions=NO_MENTIONS)
    sent = []
    for piece in render(reply, place=place, feedback=feedback):
        sent.append(await interaction.followup.send(**piece.kwargs(), ephemeral=private, wait=True))
    return sent


async def apologise(interaction: discord.Interaction, text: str = SORRY) -> None:
    """A polite ephemeral message after a failure; never raises (the failure is already logged)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:  # the interaction may have expired meanwhile
        log.warning("could not apologise for a failed interaction: %s", exc)
