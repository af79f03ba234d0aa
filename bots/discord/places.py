"""Where a Discord event belongs: the conversation key scheme, in one place.

A `Turn` is keyed `discord:<channel>:<thread>`. The `Place` (channel, thread) of an event follows
from where it happens and who acts, so a click on a button finds the conversation of the message the
button sits on from the click alone — nothing is remembered between events, and the conversation
itself lives in the checkpoint database, so buttons keep working after a restart:

- a DM: (DM channel id, "dm") — one conversation per DM channel;
- a thread (the thread the bot opens for a mention, a private mock-exam thread, any thread the bot
  is used in): (parent channel id, thread id) — the people in the thread share its conversation. A
  thread opened from a message has the message's id, so a mention's key is known before the thread
  exists;
- a server channel outside threads (slash commands, and mentions where no thread can be opened):
  (channel id, "user-<user id>") — each user has their own conversation per channel, so two people
  running /quiz in one channel never answer each other's questions;
- private flows — private commands (/bank) and clicks on ephemeral messages — use
  (channel or thread id, "user-<user id>") even inside a thread, so a banking session never joins a
  thread's shared conversation.

One exception carries its place in the button: a private reply of a thread conversation that is
delivered by DM (a banking step asked for by mention); see `views.ChoiceButton`.
"""

from __future__ import annotations

import re

import discord
from pydantic import BaseModel, Field

from agents.reply import Route
from agents.state import UserRef
from bots.platform.core import Turn

PLATFORM = "discord"
DM_THREAD = "dm"


class Place(BaseModel):
    """The (channel, thread) pair of a conversation key."""

    channel: str = Field(pattern=r"^\d+$", description="Channel, DM channel or a thread's parent channel.")
    thread: str = Field(pattern=r"^(\d+|dm|user-\d+)$", description="Thread id, 'dm' or 'user-<id>'.")


def user_ref(user: discord.abc.User) -> UserRef:
    return UserRef(platform=PLATFORM, id=str(user.id), name=user.display_name)


def is_private_channel(channel: object) -> bool:
    return isinstance(channel, discord.DMChannel | discord.GroupChannel)


def place_of(
    channel: discord.abc.Messageable | object, user: discord.abc.User, *, private: bool = False
) -> Place:
    """The conversation an event in `channel` by `user` belongs to (rules in the module docstring)."""
    channel_id = str(channel.id)
    if is_private_channel(channel):
        return Place(channel=channel_id, thread=DM_THREAD)
    if private:
        return Place(channel=channel_id, thread=f"user-{user.id}")
    if isinstance(channel, discord.Thread):
        return Place(channel=str(channel.parent_id), thread=channel_id)
    return Place(channel=channel_id, thread=f"user-{user.id}")


def thread_place(channel: discord.abc.GuildChannel, message: discord.Message) -> Place:
    """The place of the thread a mention opens: Discord gives it the message's id."""
    return Place(channel=str(channel.id), thread=str(message.id))


def answer_scope(channel: object) -> tuple[str, str]:
    """(server id, channel id) for `Gateway.answers_in`: a thread counts as its parent channel."""
    guild = getattr(channel, "guild", None)
    channel_id = getattr(channel, "parent_id", None) if isinstance(channel, discord.Thread) else None
    return (str(guild.id) if guild else "", str(channel_id or channel.id))


def make_turn(place: Place, user: discord.abc.User, text: str, route: Route | None = None) -> Turn:
    return Turn(text=text, user=user_ref(user), channel=place.channel, thread=place.thread, route=route)


def strip_mention(text: str, bot_id: int) -> str:
    """The message without the bot's own mention (other mentions stay, defused on the way out)."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", text).split())
