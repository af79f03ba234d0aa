"""Slack listeners: mentions, DMs, thread follow-ups, `/aif`, button clicks. Each acknowledges first
(bolt acks events itself), then translates the payload into a `Turn`, asks the gateway, and hands
the `Reply` to the poster. One failing event is logged and apologised for; it never stops the bot."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError

from agents.state import UserRef
from bots.daily import DailyAnswerHandler
from bots.platform.admin import run_admin
from bots.platform.commands import CommandError, parse_command
from bots.platform.core import Turn
from bots.platform.gateway import Gateway
from bots.slack.blocks import (
    FEEDBACK,
    PICK,
    SUBMIT,
    SlackMessage,
    admin_notice,
    asked,
    notice,
    read_form,
    thinking,
    thread_of,
)
from bots.slack.events import BlockActions, MessageEvent, SlashCommand
from bots.slack.poster import Place, SlackPoster
from tools.metrics import METRICS
from tools.state import Feedback

log = logging.getLogger(__name__)

PLATFORM = "slack"
SORRY = "Sorry, something went wrong on my side with that one. Please try again in a moment."
EXCLUDED = (
    "I don't answer in this channel (a workspace admin chose so). "
    "Send me a direct message, or ask in a channel where I answer."
)
ONLY_ADMINS = "Only workspace admins and owners can change my settings."
SENT_TO_DM = "I've answered you in a direct message."
THANKS = "Thanks for the feedback! It helps improve the answers."
NOT_SAVED = "Thanks! I couldn't save that rating just now; please try again later."
NO_DAILY = "Daily questions aren't running right now; try again later."
ADMIN_HINT = "\nAdmins: `admin help`."
_MOVE_TO_DM = {"not_in_channel", "channel_not_found", "is_archived"}

Tell = Callable[[str], Awaitable[None]]
Payload = dict[str, Any]


class _KeyedLocks:
    """One lock per conversation, so a conversation's turns and replies stay in order while
    different conversations run side by side; a lock lives only while someone holds or waits."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


class SlackListeners:
    def __init__(self, gateway: Gateway, poster: SlackPoster, daily: DailyAnswerHandler | None) -> None:
        self.gateway = gateway
        self.poster = poster
        self.daily = daily
        self.inflight: set[asyncio.Task] = set()
        self._locks = _KeyedLocks()

    def register(self, app: AsyncApp) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command("/aif")(self.on_command)
        app.action(re.compile(r"^aif:"))(self.on_action)
        app.error(self.on_error)

    # -- shared steps -------------------------------------------------------------------------------
    @asynccontextmanager
    async def _guard(self, what: str, tell: Tell | None) -> AsyncIterator[None]:
        """Log and count any failure, tell the user politely, and keep the bot running."""
        task = asyncio.current_task()
        if task is not None:
            self.inflight.add(task)
        try:
            yield
        except Exception as exc:
            reason = type(exc).__name__
            if isinstance(exc, SlackApiError):
                reason = str(exc.response.get("error", reason))
            METRICS.platform_errors.labels(PLATFORM, reason).inc()
            log.exception("slack %s failed (%s)", what, reason)
            if tell is not None:
                try:
                    await tell(SORRY)
                except Exception as again:  # Slack itself may be what failed
                    log.warning("could not tell the user about it either: %s", type(again).__name__)
        finally:
            if task is not None:
                self.inflight.discard(task)

    def _teller(self, place: Place) -> Tell:
        async def tell(text: str) -> None:
            await self._tell(place, notice(text))

        return tell

    async def _tell(self, place: Place, message: SlackMessage) -> None:
        """A note only this user sees: ephemeral in channels, a plain message in a DM."""
        if place.dm:
            await self.poster.message(place.channel, message, thread_ts=place.thread_ts)
        else:
            await self.poster.ephemeral(place.channel, place.user, message, thread_ts=place.thread_ts)

    async def _answer(
        self, turn: Turn, key: str, place: Place, *, replace: str | None = None, header: str | None = None
    ) -> None:
        """One turn through the gateway (skipped when `key` was answered before) and its reply."""
        async with self._locks.hold(turn.conversation):
            reply = await self.gateway.turn(turn, event=key)
            if reply is not None:
                await self.poster.deliver(reply, place, replace=replace, header=header)

    async def _known(self, conversation: str) -> bool:
        """Whether the bot has answered in this thread: a checkpoint exists for its conversation
        (one indexed lookup in the shared checkpoint store, right for every replica)."""
        graph = self.gateway.conversations.graph
        config = {"configurable": {"thread_id": conversation}}
        try:
            saver = getattr(graph, "checkpointer", None)
            if isinstance(saver, BaseCheckpointSaver):
                return await saver.aget_tuple(config) is not None
            return bool((await graph.aget_state(config)).values)
        except Exception as exc:  # unsure: staying quiet in a thread beats answering everything
            log.warning("can't tell whether %s is ours: %s", conversation, type(exc).__name__)
            return False

    # -- events -------------------------------------------------------------------------------------
    async def on_mention(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        """@aifbot in a channel: answer in the message's thread (one conversation per thread)."""
        message = MessageEvent.model_validate(event)
        if not message.from_person or message.is_dm:  # DMs arrive as message.im as well
            return
        thread = message.thread_ts or message.ts
        place = Place(channel=message.channel, conversation=thread, thread_ts=thread, user=message.user or "")
        async with self._guard("mention", self._teller(place)):
            team = body.get("team_id") or context.team_id or ""
            if not await self.gateway.answers_in(PLATFORM, team, message.channel):
                if await self.gateway.claim(message.key):  # say it once, not on every retry
                    where = place.model_copy(update={"thread_ts": message.thread_ts})
                    await self._tell(where, notice(EXCLUDED))
                return
            text = message.text_without(context.bot_user_id) or "help"
            await self._answer(self._turn(message, text, thread), message.key, place)

    async def on_message(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        """A DM, or a reply in a channel thread the bot already answers in (no mention needed)."""
        message = MessageEvent.model_validate(event)
        text = message.text_without(context.bot_user_id)
        if not message.from_person or not text:
            return
        if message.is_dm:
            thread = message.thread_ts or "dm"
            place = Place(
                channel=message.channel,
                conversation=thread,
                thread_ts=message.thread_ts,
                user=message.user or "",
                dm=True,
            )
        else:
            mentioned = bool(context.bot_user_id) and f"<@{context.bot_user_id}" in message.text
            if message.thread_ts is None or mentioned:  # top-level chatter; mentions go to on_mention
                return
            thread = message.thread_ts
            place = Place(
                channel=message.channel, conversation=thread, thread_ts=thread, user=message.user or ""
            )
        async with self._guard("message", self._teller(place)):
            turn = self._turn(message, text, thread)
            if not message.is_dm:
                team = body.get("team_id") or context.team_id or ""
                if not await self._known(turn.conversation):
                    return
                if not await self.gateway.answers_in(PLATFORM, team, message.channel):
                    return
            await self._answer(turn, message.key, place)

    @staticmethod
    def _turn(message: MessageEvent, text: str, thread: str) -> Turn:
        user = UserRef(platform=PLATFORM, id=message.user or "", name="")
        return Turn(text=text, user=user, channel=message.channel, thread=thread)

    # -- /aif ---------------------------------------------------------------------------------------
    async def on_command(self, ack: AsyncAck, command: Payload, respond: AsyncRespond) -> None:
        """`/aif <command> …`: a visible "thinking" message, replaced by the answer; private and long
        commands go to the user's DM."""
        await ack()
        cmd = SlashCommand.model_validate(command)

        async def whisper(text: str, *, admin: bool = False) -> None:
            message = admin_notice(text) if admin else notice(text)
            await respond(text=message.text, blocks=message.blocks, response_type="ephemeral")

        async with self._guard("command", whisper):
            line = " ".join(cmd.text.split()) or "help"
            name, _, rest = line.partition(" ")
            if name.lower() == "admin":
                await self._admin(cmd, rest, whisper)
                return
            try:
                spec, text = parse_command(line)
            except CommandError as exc:
                await whisper(str(exc) + ADMIN_HINT)
                return
            if not cmd.in_dm and not await self.gateway.answers_in(PLATFORM, cmd.team_id, cmd.channel_id):
                await whisper(EXCLUDED)
                return
            place = await self._command_place(cmd, line, to_dm=spec.private or spec.own_conversation)
            if place.dm and place.channel != cmd.channel_id:
                await whisper(SENT_TO_DM)
            user = UserRef(platform=PLATFORM, id=cmd.user_id, name=cmd.user_name)
            thinking_ts = place.conversation
            turn = Turn(text=text, user=user, channel=place.channel, thread=thinking_ts, route=spec.route)
            key = f"slack:command:{cmd.trigger_id or thinking_ts}"
            await self._answer(turn, key, place, replace=thinking_ts, header=asked(cmd.user_name, line))

    async def _command_place(self, cmd: SlashCommand, line: str, *, to_dm: bool) -> Place:
        """Post the visible "thinking" message, whose thread becomes the command's conversation: in
        the channel, or in the user's DM (private and long commands, commands typed in any DM, and
        channels the bot isn't a member of)."""
        to_dm = to_dm or cmd.in_dm
        channel = await self.poster.open_dm(cmd.user_id) if to_dm else cmd.channel_id
        try:
            ts = await self.poster.message(channel, thinking(cmd.user_name, line))
        except SlackApiError as exc:
            if to_dm or exc.response.get("error") not in _MOVE_TO_DM:
                raise
            to_dm, channel = True, await self.poster.open_dm(cmd.user_id)
            ts = await self.poster.message(channel, thinking(cmd.user_name, line))
        return Place(channel=channel, conversation=ts, thread_ts=ts, user=cmd.user_id, dm=to_dm)

    async def _admin(self, cmd: SlashCommand, args: str, whisper: Callable[..., Awaitable[None]]) -> None:
        info = await self.poster.client.users_info(user=cmd.user_id)
        person = info.get("user") or {}
        if not (person.get("is_admin") or person.get("is_owner") or person.get("is_primary_owner")):
            await whisper(ONLY_ADMINS)
            return
        result = await run_admin(
            self.gateway.state,
            platform=PLATFORM,
            workspace=cmd.team_id,
            channel=cmd.channel_id,
            user=cmd.user_id,
            args=args,
        )
        await whisper(result, admin=True)

    # -- buttons and forms --------------------------------------------------------------------------
    async def on_action(self, ack: AsyncAck, body: Payload) -> None:
        """A click: a choice's value (or a submitted form's answer) is the next message of the
        conversation named in the block id; 👍/👎 are stored; `daily:` answers go to the scheduler."""
        await ack()
        data = BlockActions.model_validate(body)
        action = data.actions[0]
        if action.action_id.startswith(PICK):  # a box ticked or an option chosen: read on Submit
            return
        channel = data.channel_id
        thread = thread_of(action.block_id) or data.thread_ts or data.message_ts
        place = Place(
            channel=channel,
            conversation=thread,
            thread_ts=None if thread == "dm" else thread,
            user=data.user.id,
            dm=channel.startswith("D"),
        )
        async with self._guard("action", self._teller(place)):
            if action.action_id.startswith(FEEDBACK):
                await self._feedback(data, place, rating=1 if action.value == "+1" else -1)
                return
            value = action.value
            if action.action_id == SUBMIT:
                value = read_form(action.value or "", data.state_values())
            if not value:
                return
            key = f"slack:action:{channel}:{data.message_ts}:{data.user.id}:{value}"
            user = UserRef(platform=PLATFORM, id=data.user.id, name=data.user.name or data.user.username)
            if value.startswith("daily:"):
                await self._daily(user, value, key, place)
                return
            await self._answer(Turn(text=value, user=user, channel=channel, thread=thread), key, place)

    async def _feedback(self, data: BlockActions, place: Place, rating: int) -> None:
        item = Feedback(
            platform=PLATFORM,
            user=data.user.id,
            message=f"{place.channel}:{data.message_ts}",
            conversation=f"{PLATFORM}:{place.channel}:{place.conversation}",
            rating=rating,
        )
        saved = await self.gateway.feedback(item)
        await self._tell(place, notice(THANKS if saved else NOT_SAVED))

    async def _daily(self, user: UserRef, value: str, key: str, place: Place) -> None:
        if self.daily is None:
            await self._tell(place, notice(NO_DAILY))
            return
        if await self.gateway.claim(key) is False:  # a double click
            return
        await self._tell(place, notice(await self.daily(user, value)))

    async def on_error(self, error: Exception, body: Payload) -> None:
        """Anything that escaped a listener (or a middleware): log and count it; bolt answers Slack."""
        METRICS.platform_errors.labels(PLATFORM, type(error).__name__).inc()
        log.error("slack request failed: %s (%s)", type(error).__name__, body.get("type", "?"))
