"""Discord events → `Turn` → `Gateway.turn` → `Reply` → messages. The cogs and the components
call these flows; the keys come from `places`, the markup from `render`.

Interactions are deferred first (Discord wants an answer within 3 s) and answered with follow-ups.
Every flow runs inside `_guard`: a failure is logged, counted and answered with a polite apology, and
the bot carries on. Dedupe keys: `discord:message:<id>` and `discord:interaction:<id>`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord

from agents.reply import Reply
from bots.daily import DailyAnswerHandler
from bots.discord.places import (
    PLATFORM,
    Place,
    answer_scope,
    is_private_channel,
    make_turn,
    place_of,
    strip_mention,
    thread_place,
    user_ref,
)
from bots.discord.render import NO_MENTIONS, render
from bots.discord.sender import SORRY, apologise, follow_up, is_ephemeral, send_pieces, typing
from bots.discord.views import share_view
from bots.platform.admin import run_admin
from bots.platform.commands import COMMANDS, CommandError, CommandSpec, command_text
from bots.platform.gateway import Gateway
from bots.platform.manners import ThreadMessage
from bots.platform.text import discord_defuse
from tools.metrics import METRICS
from tools.state import Feedback

log = logging.getLogger(__name__)

FOREIGN = "That question belongs to someone else's session. Start your own with `/quiz`."
DM_NOTE = "🔒 That answer is private, so I've sent it to you by direct message."
DM_CLOSED = (
    "🔒 That answer is private, but I can't send you direct messages. Use `/bank` here (only you will "
    "see the answers), or allow direct messages from server members."
)
NO_DAILY = "Daily questions aren't running right now."
SHARE_OFFER = "Only you can see this. Share it with the channel?"
SHAREABLE = {"stats"}  # private results a person may post for everyone
NOT_ADMIN = "Only people with the **Manage Server** permission can change my settings."
THANKS = {1: "Thanks, glad it helped!", -1: "Thanks for telling me; it helps improve the answers."}
NOT_STORED = "Thanks! I couldn't save your rating just now, though."
OWN_SPACE_CLOSED = (
    "I couldn't open a private thread or send you a direct message. Allow direct messages from "
    "server members, or use the command in a channel where I can create private threads."
)
THREAD_NAME_LIMIT = 90
_CHANNEL_LINK = re.compile("<\u200b#(\\d+)>")


def my_roles(message: discord.Message, me: discord.abc.User) -> list[int]:
    """Ids of the bot's own managed role(s) that the message mentions ("@aifbot" picked from the
    role list looks like a mention to people but names the role, not the user)."""
    return [
        role.id
        for role in message.role_mentions
        if role.is_bot_managed() and role.tags is not None and role.tags.bot_id == me.id
    ]


def mentions_me(message: discord.Message, me: discord.abc.User) -> bool:
    return any(user.id == me.id for user in message.mentions) or bool(my_roles(message, me))


def mentions_others(message: discord.Message, me: discord.abc.User) -> bool:
    """Someone else is addressed: another person, a role that isn't the bot's, @everyone/@here."""
    mine = set(my_roles(message, me))
    return (
        message.mention_everyone
        or any(user.id != me.id for user in message.mentions)
        or any(role.id not in mine for role in message.role_mentions)
    )


def bot_text(message: discord.Message, me: discord.abc.User) -> str:
    """The text without the bot's mention, as a user or as its role."""
    text = strip_mention(message.content, me.id)
    for role in my_roles(message, me):
        text = " ".join(text.replace(f"<@&{role}>", " ").split())
    return text


def can_manage(interaction: discord.Interaction) -> bool:
    perms = interaction.permissions
    return bool(perms.manage_guild or perms.administrator)


def opens_thread(channel: object) -> bool:
    """A mention in a text channel gets its own thread when the bot may create one."""
    if not isinstance(channel, discord.TextChannel) or channel.guild.me is None:
        return False
    perms = channel.permissions_for(channel.guild.me)
    return perms.create_public_threads and perms.send_messages_in_threads


def thread_name(text: str) -> str:
    name = " ".join(discord_defuse(text).split())
    return (name[: THREAD_NAME_LIMIT - 1] + "…" if len(name) > THREAD_NAME_LIMIT else name) or "Study chat"


class Flows:
    """The shared Discord flows; one instance per bot, reached by components as `bot.flows`."""

    def __init__(
        self, gateway: Gateway, daily: DailyAnswerHandler | None = None, *, message_content: bool = False
    ) -> None:
        self.gateway = gateway
        self.daily = daily
        self.message_content = message_content

    @asynccontextmanager
    async def _guard(
        self,
        interaction: discord.Interaction | None = None,
        channel: discord.abc.Messageable | None = None,
    ) -> AsyncIterator[None]:
        try:
            yield
        except Exception as exc:  # one failing event must not stop the bot, and the user hears back
            log.exception("Discord %s failed", "interaction" if interaction else "message")
            METRICS.platform_errors.labels(PLATFORM, type(exc).__name__).inc()
            if interaction is not None:
                await apologise(interaction)
            elif channel is not None:
                try:
                    await channel.send(SORRY, allowed_mentions=NO_MENTIONS)
                except discord.HTTPException as send_error:
                    log.warning("could not apologise in channel: %s", send_error)

    # -- messages: mentions, DMs, follow-ups in bot threads -----------------------------------------
    async def wanted(self, message: discord.Message, me: discord.abc.User) -> bool:
        """People's messages that are for the bot: DMs, mentions, and (with the Message Content
        intent) anything in the bot's own threads — where an admin lets the bot answer."""
        author, channel = message.author, message.channel
        if author.bot or author.id == me.id or message.webhook_id is not None:
            return False
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return False
        if is_private_channel(channel):
            return True
        mentioned = mentions_me(message, me)  # not @everyone
        in_own_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        if not (mentioned or (self.message_content and in_own_thread)):
            return False
        if not mentioned:  # thread manners: only what is meant for the bot
            said = ThreadMessage(
                author=str(author.id),
                text=bot_text(message, me),
                mentions_others=mentions_others(message, me),
            )
            conversation = make_turn(place_of(channel, author), author, said.text).conversation
            if not await self.gateway.wants(said, PLATFORM, answer_scope(channel)[1], conversation):
                return False
        return await self.gateway.answers_in(PLATFORM, *answer_scope(channel))

    async def message(self, message: discord.Message, me: discord.abc.User) -> None:
        if not await self.wanted(message, me):
            return
        channel = message.channel
        async with self._guard(channel=channel):
            text = bot_text(message, me) or "help"
            opens = opens_thread(channel)
            place = thread_place(channel, message) if opens else place_of(channel, message.author)
            async with typing(channel):
                reply = await self.gateway.turn(
                    make_turn(place, message.author, text), event=f"discord:message:{message.id}"
                )
            if reply is None:  # another replica has it
                return
            target = await self._open_thread(message, text) if opens else channel
            if reply.private and not is_private_channel(target):
                await self._send_privately(message, target, reply, place)
                return
            reference = message if target is channel and not is_private_channel(channel) else None
            await send_pieces(target, render(reply), reference=reference)

    async def _open_thread(self, message: discord.Message, text: str) -> discord.abc.Messageable:
        try:
            return await message.create_thread(name=thread_name(text), auto_archive_duration=1440)
        except discord.HTTPException as exc:  # answer in the channel rather than not at all
            log.warning("could not open a thread: %s", exc)
            return message.channel

    async def _send_privately(
        self, message: discord.Message, target: discord.abc.Messageable, reply: Reply, place: Place
    ) -> None:
        """A private reply (banking) asked for in a server channel goes by DM; its buttons carry
        the thread's conversation, so a click in the DM answers there."""
        try:
            await send_pieces(await message.author.create_dm(), render(reply, place=place))
            note = DM_NOTE
        except discord.Forbidden:
            note = DM_CLOSED
        await target.send(note, allowed_mentions=NO_MENTIONS)

    # -- slash commands -----------------------------------------------------------------------------
    async def command(
        self, interaction: discord.Interaction, spec: CommandSpec, argument: str | None
    ) -> None:
        in_channel = isinstance(interaction.channel, discord.TextChannel)
        private = spec.private or spec.own_conversation or spec.personal or (spec.thread and in_channel)
        async with self._guard(interaction):
            await interaction.response.defer(thinking=True, ephemeral=private)
            try:
                text = command_text(spec, argument or "")
            except CommandError as exc:
                await interaction.followup.send(
                    discord_defuse(str(exc)), ephemeral=True, allowed_mentions=NO_MENTIONS
                )
                return
            if spec.own_conversation and not is_private_channel(interaction.channel):
                await self._in_own_space(interaction, spec, text)
                return
            if spec.thread and in_channel and await self._in_public_thread(interaction, spec, text):
                return
            place = place_of(interaction.channel, interaction.user, private=spec.private)
            turn = make_turn(place, interaction.user, text, spec.route)
            reply = await self.gateway.turn(turn, event=f"discord:interaction:{interaction.id}")
            if reply is not None:
                await follow_up(interaction, reply, ephemeral=private, thinking=True)
                if spec.name in SHAREABLE and private and not is_private_channel(interaction.channel):
                    await interaction.followup.send(
                        SHARE_OFFER, view=share_view(spec.name), ephemeral=True, allowed_mentions=NO_MENTIONS
                    )

    async def share(self, interaction: discord.Interaction, command: str) -> None:
        """ "Share to channel": the person's result, worked out again now, posted for everyone."""
        spec = COMMANDS.get(command)
        if spec is None or command not in SHAREABLE:
            return
        async with self._guard(interaction):
            await interaction.response.defer(ephemeral=True, thinking=False)
            place = place_of(interaction.channel, interaction.user)
            reply = await self.gateway.turn(make_turn(place, interaction.user, spec.text, spec.route))
            if reply is None or interaction.channel is None:
                return
            header = f"{interaction.user.mention} shared their {spec.name}:"
            shown = reply.model_copy(update={"private": False})
            await interaction.channel.send(header, allowed_mentions=NO_MENTIONS)
            await send_pieces(interaction.channel, render(shown, feedback=False))

    async def _in_own_space(self, interaction: discord.Interaction, spec: CommandSpec, text: str) -> None:
        """A long session (the mock exam) in a private thread of its own, or else a DM."""
        space = await self._private_thread(interaction, spec)
        where = space.mention if space else "your direct messages"
        space = space or await interaction.user.create_dm()
        turn = make_turn(place_of(space, interaction.user), interaction.user, text, spec.route)
        reply = await self.gateway.turn(turn, event=f"discord:interaction:{interaction.id}")
        if reply is None:
            return
        try:
            await send_pieces(space, render(reply))
        except discord.Forbidden:
            await interaction.followup.send(OWN_SPACE_CLOSED, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await interaction.followup.send(
            f"Your {spec.name} session is ready in {where}.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _in_public_thread(self, interaction: discord.Interaction, spec: CommandSpec, text: str) -> bool:
        """A shared activity (a quiz) in a new public thread of the channel, so its questions and
        answers don't fill the channel and others can join in; False when no thread can be made."""
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        me = channel.guild.me
        perms = channel.permissions_for(me) if me is not None else None
        if perms is None or not (perms.create_public_threads and perms.send_messages_in_threads):
            return False
        try:
            thread = await channel.create_thread(
                name=f"{spec.name} · {interaction.user.display_name}"[:100],
                type=discord.ChannelType.public_thread,
                auto_archive_duration=1440,
            )
        except discord.HTTPException as exc:
            log.warning("could not open a thread: %s", exc)
            return False
        turn = make_turn(place_of(thread, interaction.user), interaction.user, text, spec.route)
        async with typing(thread):
            reply = await self.gateway.turn(turn, event=f"discord:interaction:{interaction.id}")
        if reply is None:
            return True
        await send_pieces(thread, render(reply))
        await interaction.followup.send(
            f"Your {spec.name} is in {thread.mention}; anyone there can answer.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        return True

    async def _private_thread(
        self, interaction: discord.Interaction, spec: CommandSpec
    ) -> discord.Thread | None:
        channel = interaction.channel
        if not isinstance(channel, discord.TextChannel) or channel.guild.me is None:
            return None
        perms = channel.permissions_for(channel.guild.me)
        if not (perms.create_private_threads and perms.send_messages_in_threads):
            return None
        try:
            thread = await channel.create_thread(
                name=f"{spec.name} · {interaction.user.display_name}"[:100],
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=1440,
            )
            await thread.add_user(interaction.user)
            return thread
        except discord.HTTPException as exc:
            log.warning("could not open a private thread: %s", exc)
            return None

    # -- components ---------------------------------------------------------------------------------
    async def refuse_foreign(self, interaction: discord.Interaction) -> bool:
        """In a server channel (not a thread) each user has their own conversation; a click on
        someone else's question would go to the clicker's, so say so instead."""
        message, channel = interaction.message, interaction.channel
        meta = getattr(message, "interaction_metadata", None)
        if (
            meta is None
            or is_ephemeral(message)
            or is_private_channel(channel)
            or isinstance(channel, discord.Thread)
        ):
            return False
        if meta.user.id == interaction.user.id:
            return False
        await interaction.response.send_message(FOREIGN, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return True

    async def click(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        place: Place | None = None,
        responded: bool = False,
    ) -> None:
        """A button or select answered: its value is the next message of the conversation."""
        async with self._guard(interaction):
            if text.startswith("daily:"):
                await self._daily(interaction, text)
                return
            if not responded:
                if await self.refuse_foreign(interaction):
                    return
                await interaction.response.defer()
            ephemeral = is_ephemeral(interaction.message)
            where = place or place_of(interaction.channel, interaction.user, private=ephemeral)
            turn = make_turn(where, interaction.user, text)
            reply = await self.gateway.turn(turn, event=f"discord:interaction:{interaction.id}")
            if reply is not None:
                await follow_up(interaction, reply, ephemeral=ephemeral, thinking=False, place=place)

    async def _daily(self, interaction: discord.Interaction, value: str) -> None:
        await interaction.response.defer(thinking=True, ephemeral=True)
        text = await self.daily(user_ref(interaction.user), value) if self.daily else NO_DAILY
        await interaction.followup.send(discord_defuse(text), ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def rate(self, interaction: discord.Interaction, rating: int) -> None:
        async with self._guard(interaction):
            await interaction.response.defer(thinking=True, ephemeral=True)
            where = place_of(interaction.channel, interaction.user, private=is_ephemeral(interaction.message))
            item = Feedback(
                platform=PLATFORM,
                user=str(interaction.user.id),
                message=str(interaction.message.id if interaction.message else interaction.id),
                conversation=make_turn(where, interaction.user, "").conversation,
                rating=rating,
            )
            stored = await self.gateway.feedback(item)
            await interaction.followup.send(THANKS[rating] if stored else NOT_STORED, ephemeral=True)

    # -- admin --------------------------------------------------------------------------------------
    async def admin(self, interaction: discord.Interaction, args: str) -> None:
        async with self._guard(interaction):
            await interaction.response.defer(thinking=True, ephemeral=True)
            if interaction.guild_id is None or not can_manage(interaction):
                await interaction.followup.send(NOT_ADMIN, ephemeral=True, allowed_mentions=NO_MENTIONS)
                return
            _, here = answer_scope(interaction.channel)
            text = await run_admin(
                self.gateway.state,
                platform=PLATFORM,
                workspace=str(interaction.guild_id),
                channel=here,
                user=str(interaction.user.id),
                args=args,
            )
            # user text is defused; channel links stay links (they notify no one)
            shown = _CHANNEL_LINK.sub(r"<#\1>", discord_defuse(text))
            await interaction.followup.send(shown, ephemeral=True, allowed_mentions=NO_MENTIONS)
