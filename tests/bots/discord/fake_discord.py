"""A fake Discord for the adapter tests: dpytest plus what it lacks.

dpytest 0.7.0 lacks three things these tests need, added here at the same boundary (the bot's HTTP
client and the interaction object):
- threads: `start_thread_with_message` / `start_thread_without_message` / `add_user_to_thread`
  answer like Discord and announce the thread through the gateway event (THREAD_CREATE);
- the payloads the bot sends: every `send_message` is recorded with its JSON (allowed mentions,
  components) and the sent message keeps its components, so its buttons can be clicked;
- interactions (dpytest can't send slash commands or clicks): `FakeInteraction` records its
  response and follow-up calls in order; follow-ups become real `discord.Message`s carrying the
  rendered components, ephemeral flag and interaction metadata. Clicks are dispatched through
  discord.py's own `ViewStore` (template match → `from_custom_id` → callback), like a real click.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import discord
import discord.ext.test as dpytest
from discord.ext.test import backend, factories

from bots.discord import DiscordAdapter
from bots.discord.bot import make_intents
from bots.discord.invite import PERMISSIONS_VALUE
from bots.startup.settings import Settings
from knowledge.question_bank import Question

NONE_MENTIONS = discord.AllowedMentions.none().to_dict()
_ids = itertools.count(1)


def snowflake() -> int:
    return discord.utils.time_snowflake(discord.utils.utcnow()) + next(_ids)


@dataclass
class Sent:
    """One message the bot sent: where, the JSON payload, and the message as Discord returns it."""

    channel_id: int
    payload: dict
    message: discord.Message
    ephemeral: bool = False
    via: str = "channel"  # channel | followup | response


def message_from(
    world: DiscordWorld,
    channel: Any,
    author: discord.abc.User,
    *,
    content: str | None = None,
    components: list[dict] | None = None,
    embeds: list[dict] | None = None,
    ephemeral: bool = False,
    interaction_user: discord.abc.User | None = None,
    message_id: int | None = None,
) -> discord.Message:
    """A real discord.Message as the API would return it."""
    data = factories.make_message_dict(
        channel, author, id_num=message_id or snowflake(), content=content or ""
    )
    data["components"] = components or []
    data["embeds"] = embeds or []
    data["flags"] = 64 if ephemeral else 0
    if interaction_user is not None:
        data["interaction_metadata"] = {
            "id": str(snowflake()),
            "type": 2,
            "user": factories.dict_from_user(getattr(interaction_user, "_user", interaction_user)),
            "authorizing_integration_owners": {},
        }
    return discord.Message(state=world.bot._connection, channel=channel, data=data)


class FakeResponse:
    def __init__(self, interaction: FakeInteraction) -> None:
        self.interaction = interaction
        self._done = False

    def is_done(self) -> bool:
        return self._done

    def _respond(self, name: str, **kwargs: Any) -> None:
        assert not self._done, f"{name} after the interaction was already answered"
        self._done = True
        self.interaction.calls.append((name, kwargs))

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        self._respond("defer", ephemeral=ephemeral, thinking=thinking)
        self.interaction.deferred_ephemeral = ephemeral and (thinking or self.interaction.is_command)

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self._respond("send_message", content=content, **kwargs)
        self.interaction.world.record_followup(self.interaction, content=content, via="response", **kwargs)

    async def edit_message(self, **kwargs: Any) -> None:
        """The clicked message is edited: keep the new components for the next click."""
        self._respond("edit_message", **kwargs)
        old = self.interaction.message
        view = kwargs.get("view")
        self.interaction.edited = message_from(
            self.interaction.world,
            old.channel,
            old.author,
            content=old.content,
            components=view.to_components() if view else [],
            ephemeral=old.flags.ephemeral,
            interaction_user=old.interaction_metadata.user if old.interaction_metadata else None,
            message_id=old.id,
        )


class FakeFollowup:
    def __init__(self, interaction: FakeInteraction) -> None:
        self.interaction = interaction

    async def send(self, content: str | None = None, **kwargs: Any) -> discord.Message:
        assert self.interaction.response.is_done(), "follow-up before the interaction was deferred"
        self.interaction.calls.append(("followup", {"content": content, **kwargs}))
        return self.interaction.world.record_followup(self.interaction, content=content, **kwargs)


class FakeInteraction:
    """What the adapter reads and calls of a `discord.Interaction`."""

    def __init__(
        self,
        world: DiscordWorld,
        *,
        user: discord.Member | discord.User,
        channel: Any,
        message: discord.Message | None = None,
        data: dict | None = None,
        permissions: discord.Permissions | None = None,
    ) -> None:
        self.world = world
        self.id = snowflake()
        self.client = world.bot
        self.user = user
        self.channel = channel
        self.guild = getattr(channel, "guild", None)
        self.guild_id = self.guild.id if self.guild else None
        self.message = message
        self.data = data or {}
        self.is_command = message is None
        self.permissions = permissions or discord.Permissions.none()
        self.calls: list[tuple[str, dict]] = []
        self.response = FakeResponse(self)
        self.followup = FakeFollowup(self)
        self.deferred_ephemeral = False
        self.followed_up = False
        self.sent: list[discord.Message] = []  # follow-ups, as Discord returns them
        self.edited: discord.Message | None = None

    async def edit_original_response(self, **kwargs: Any) -> None:
        assert self.response.is_done()
        self.calls.append(("edit_original", kwargs))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def followups(self) -> list[dict]:
        return [kwargs for name, kwargs in self.calls if name == "followup"]

    def texts(self) -> str:
        return "\n".join(
            (kwargs.get("content") or "")
            for name, kwargs in self.calls
            if name in ("followup", "send_message", "edit_original")
        )


@dataclass
class DiscordWorld:
    """The adapter on dpytest, with a server, a text channel and two members."""

    adapter: DiscordAdapter
    sent: list[Sent] = field(default_factory=list)
    thread_members: list[tuple[int, int]] = field(default_factory=list)
    typing_in: list[int] = field(default_factory=list)

    @property
    def bot(self) -> discord.Client:
        return self.adapter.bot

    @property
    def config(self) -> Any:
        return dpytest.get_config()

    @property
    def guild(self) -> discord.Guild:
        return self.config.guilds[0]

    @property
    def channel(self) -> discord.TextChannel:
        return self.config.channels[0]

    @property
    def general(self) -> discord.TextChannel:
        return self.config.channels[1]

    @property
    def alice(self) -> discord.Member:
        return self.config.members[0]

    @property
    def bob(self) -> discord.Member:
        return self.config.members[1]

    # -- what the bot sent -------------------------------------------------------------------------
    def record_followup(
        self,
        interaction: FakeInteraction,
        *,
        content: str | None = None,
        via: str = "followup",
        **kwargs: Any,
    ) -> discord.Message:
        view = kwargs.get("view")
        # a follow-up of a deferred "thinking…" response keeps the ephemerality chosen when deferring
        first = via == "followup" and not interaction.followed_up
        interaction.followed_up = interaction.followed_up or via == "followup"
        ephemeral = bool(kwargs.get("ephemeral")) or (first and interaction.deferred_ephemeral)
        embeds = [e.to_dict() for e in kwargs.get("embeds") or []]
        message = message_from(
            self,
            interaction.channel,
            self.bot.user,
            content=content,
            components=view.to_components() if view else [],
            embeds=embeds,
            ephemeral=ephemeral,
            interaction_user=interaction.user,
        )
        payload = {"content": content, **kwargs}
        self.sent.append(Sent(interaction.channel.id, payload, message, ephemeral=ephemeral, via=via))
        interaction.sent.append(message)
        return message

    def messages(self, channel_id: int | None = None) -> list[Sent]:
        return [s for s in self.sent if channel_id is None or s.channel_id == channel_id]

    def newest_thread(self, kind: discord.ChannelType = discord.ChannelType.public_thread) -> discord.Thread:
        return max((t for t in self.guild.threads if t.type == kind), key=lambda t: t.id)

    async def quiz(self, topic: str, **options: Any) -> tuple[FakeInteraction, discord.Message]:
        """`/quiz` in the channel: it opens a public thread; (the interaction, the question there)."""
        interaction = await self.slash("quiz", topic=topic, **options)
        thread = self.newest_thread()
        return interaction, self.messages(thread.id)[-1].message

    # -- people act ----------------------------------------------------------------------------------
    async def say(self, content: str, *, channel: Any = None, member: Any = None) -> discord.Message:
        return await dpytest.message(content, channel=channel or self.channel, member=member or self.alice)

    def interaction(self, **kwargs: Any) -> FakeInteraction:
        kwargs.setdefault("user", self.alice)
        kwargs.setdefault("channel", self.channel)
        return FakeInteraction(self, **kwargs)

    async def slash(self, name: str, *, sub: str | None = None, **options: Any) -> FakeInteraction:
        """Run a slash command's callback as discord.py would after parsing the options."""
        interaction = self.interaction(
            **{k: options.pop(k) for k in ("user", "channel", "permissions") if k in options}
        )
        command = self.bot.tree.get_command(name)
        assert command is not None, f"/{name} is not registered"
        if sub:
            command = command.get_command(sub)
        await command.callback(command.binding, interaction, **options)
        return interaction

    async def click(
        self,
        message: discord.Message,
        custom_id: str,
        *,
        user: Any = None,
        values: list[str] | None = None,
        client: discord.Client | None = None,
    ) -> FakeInteraction:
        """A click on a component of `message`, through discord.py's dynamic-item dispatch (of
        `client`: another bot process, when given)."""
        component_type = 3 if values is not None else 2
        data = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        interaction = self.interaction(
            user=user or self.alice, channel=message.channel, message=message, data=data
        )
        interaction.client = client or self.bot
        interaction.client._connection._view_store.dispatch_view(component_type, custom_id, interaction)
        await finish_dispatch()
        return interaction


async def finish_dispatch() -> None:
    """Wait for the tasks discord.py started for dynamic items (no sleeping, no timeout)."""
    while tasks := [
        t for t in asyncio.all_tasks() if t.get_name().startswith("discord-ui-dynamic-item-") and not t.done()
    ]:
        await asyncio.gather(*tasks)


def custom_ids(message: discord.Message) -> list[str]:
    return [child.custom_id for row in message.components for child in row.children]


def component(message: discord.Message, prefix: str) -> Any:
    found = [
        child for row in message.components for child in row.children if child.custom_id.startswith(prefix)
    ]
    assert found, f"no component starting {prefix!r} in {custom_ids(message)}"
    return found[0]


def question_id(message: discord.Message) -> str | None:
    """The open question a message's components answer (read from their custom ids)."""
    for custom_id in custom_ids(message):
        if match := re.search(r"quiz:answer:([^:]+)", custom_id):
            return match.group(1)
    return None


async def answer_correctly(
    world: DiscordWorld,
    message: discord.Message,
    question: Question,
    user: Any = None,
    client: discord.Client | None = None,
) -> FakeInteraction:
    """Click the right answer with the components the message carries, as a person would: a
    button (single choice), the select (multiple response), one pick at a time (ordering, matching)."""
    if question.type == "single":
        wanted = f"quiz:answer:{question.id}:{question.answer_letters[0]}"
        button = next(c for c in custom_ids(message) if c.endswith(wanted))
        return await world.click(message, button, user=user, client=client)
    if question.type == "multiple":
        select = component(message, "aif:pick:")
        return await world.click(
            message, select.custom_id, values=question.answer_letters, user=user, client=client
        )
    if question.type == "ordering":
        picks = question.answer_letters[:-1]  # the last step fills itself
    else:
        picks = [question.answer[item] for item in sorted(question.answer)]
    current, click = message, None
    for pick in picks:
        select = component(current, "aif:seq:")
        click = await world.click(current, select.custom_id, values=[pick], user=user, client=client)
        current = click.edited or current
    assert click is not None
    return click


def patch_http(world: DiscordWorld) -> None:
    """Threads and payload recording on dpytest's FakeHttp."""
    http = world.bot.http
    state = world.bot._connection
    send_message = http.send_message

    async def recording_send(channel_id: int, *, params: Any) -> dict:
        channel = sys._getframe(1).f_locals.get("channel")
        data = await send_message(channel_id, params=params)
        payload = dict(params.payload or {})
        data["components"] = payload.get("components", [])
        data["flags"] = payload.get("flags", 0)
        message = discord.Message(
            state=state, channel=state.get_channel(int(channel_id)) or channel, data=data
        )
        world.sent.append(Sent(int(channel_id), payload, message))
        return data

    def thread_data(channel_id: int, thread_id: int, name: str, kind: int) -> dict:
        parent = state.get_channel(int(channel_id))
        return {
            "id": str(thread_id),
            "guild_id": str(parent.guild.id),
            "parent_id": str(channel_id),
            "owner_id": str(world.bot.user.id),
            "name": name,
            "type": kind,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "newly_created": True,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": discord.utils.utcnow().isoformat(),
                "locked": False,
                "invitable": kind == 11,
            },
        }

    async def start_thread_with_message(channel_id: int, message_id: int, *, name: str, **_: Any) -> dict:
        data = thread_data(channel_id, message_id, name, 11)  # a message's thread has its id
        state.parse_thread_create(data)
        return data

    async def start_thread_without_message(channel_id: int, *, name: str, type: int, **_: Any) -> dict:
        data = thread_data(channel_id, snowflake(), name, int(type))
        state.parse_thread_create(data)
        return data

    async def add_user_to_thread(channel_id: int, user_id: int) -> None:
        world.thread_members.append((int(channel_id), int(user_id)))

    send_typing = http.send_typing

    async def recording_typing(channel_id: int) -> None:
        channel = sys._getframe(1).f_locals.get("channel")  # noqa: F841 (dpytest reads it from this frame)
        world.typing_in.append(int(channel_id))
        await send_typing(channel_id)

    http.send_message = recording_send
    http.send_typing = recording_typing
    http.start_thread_with_message = start_thread_with_message
    http.start_thread_without_message = start_thread_without_message
    http.add_user_to_thread = add_user_to_thread


async def start_world(gateway: Any, **options: Any) -> DiscordWorld:
    """A fresh bot process over `gateway` (the same checkpoint and state databases)."""
    intents = make_intents(options.get("message_content", False))
    intents.members = True  # dpytest needs the member cache
    world = DiscordWorld(DiscordAdapter(Settings(), gateway, sync_commands=False, intents=intents, **options))
    dpytest.configure(world.bot, text_channels=["study", "general"], members=["alice", "bob"])
    await world.bot._async_setup_hook()  # the loop for dpytest's state (discord.py 2.7 sets it here)
    await world.bot.setup_hook()  # cogs and dynamic items; login (which calls it) is not run here
    patch_http(world)
    # the bot's own role gets what the invite link asks for (dpytest's default role lacks threads)
    role = backend.make_role("aifbot", world.guild, permissions=PERMISSIONS_VALUE)
    await dpytest.add_role(world.guild.me, role)
    return world
