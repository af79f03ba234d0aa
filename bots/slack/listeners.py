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
from datetime import UTC, datetime
from typing import Any

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
from bots.platform.manners import ThreadMessage
from bots.slack.blocks import (
    FEEDBACK,
    PICK,
    SHARE,
    SHAREABLE,
    SUBMIT,
    SlackMessage,
    admin_notice,
    asked,
    notice,
    person,
    read_form,
    render,
    share_button,
    thinking,
    thread_of,
)
from bots.slack.events import BlockActions, MessageEvent, SlashCommand
from bots.slack.home import HOME, WELCOME, home_view
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
MOVED_TO_DM = "{who} this one is private, so I've answered you in a direct message."
SHARED = "{who} shared their {what}:"
WORKING = "eyes"  # 👀 on a mention while it is answered
_MOVE_TO_DM = {"not_in_channel", "channel_not_found", "is_archived"}

Tell = Callable[[str], Awaitable[None]]
# someone else named: a person (<@U…>), a user group (<!subteam^S…>) or @here/@channel
_OTHER_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>|<!subteam\^|<!(?:here|channel|everyone)")


def _plain_section(text: str) -> dict[str, Any]:
    """A section of the adapter's own mrkdwn (it names people with <@id> on purpose)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


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
        self._home_seen: set[str] = set()  # people who opened the Home tab (this replica)

    def register(self, app: AsyncApp) -> None:
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home)
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
        self,
        turn: Turn,
        key: str | None,
        place: Place,
        *,
        replace: str | None = None,
        header: str | None = None,
        movable: bool = False,
    ) -> None:
        """One turn through the gateway (skipped when `key` was answered before) and its reply.
        `movable`: a private reply to a channel message (banking, own stats) moves to a DM."""
        async with self._locks.hold(turn.conversation):
            reply = await self.gateway.turn(turn, event=key)
            if reply is None:
                return
            if not (movable and reply.private and not place.dm):
                await self.poster.deliver(reply, place, replace=replace, header=header)
                await self._refresh_home(turn.user.id, reply.route)
                return
        await self._move_to_dm(turn, place)

    async def _move_to_dm(self, turn: Turn, place: Place) -> None:
        """The flow goes on in the person's DM (an ephemeral in a thread is easily missed, and one
        in an empty thread isn't shown at all); the thread gets a short public pointer."""
        channel = await self.poster.open_dm(place.user)
        moved = turn.model_copy(update={"channel": channel, "thread": "dm"})
        async with self._locks.hold(moved.conversation):
            reply = await self.gateway.turn(moved)
            if reply is not None:
                dm = Place(channel=channel, conversation="dm", user=place.user, dm=True)
                await self.poster.deliver(reply, dm)
        text = MOVED_TO_DM.format(who=person(place.user))
        pointer = SlackMessage(text=text, blocks=[_plain_section(text)])
        await self.poster.message(place.channel, pointer, thread_ts=place.thread_ts)

    async def _refresh_home(self, user: str, route: str | None) -> None:
        """After quiz activity the Home tab shows the new figures (published only to people
        who opened it once: the others have never seen it)."""
        if route == "quizmaster" and user in self._home_seen:
            try:
                await self._publish_home(user)
            except Exception as exc:  # the answer is out; a stale Home tab is no reason to apologise
                log.warning("Home tab not refreshed: %s", type(exc).__name__)

    # -- events -------------------------------------------------------------------------------------
    async def on_mention(self, event: Payload, body: Payload, context: AsyncBoltContext) -> None:
        """@aifbot in a channel: answer in the message's thread (one conversation per thread)."""
        message = MessageEvent.model_validate(event)
        if not message.from_person or message.is_dm:  # DMs arrive as message.im as well
            return
        thread = message.thread_ts or message.ts
        place = Place(channel=message.channel, conversation=thread, thread_ts=thread, user=message.user or "")
        self.poster.saw_reply(message.channel, message.thread_ts)  # a reply: its thread exists
        async with self._guard("mention", self._teller(place)):
            team = body.get("team_id") or context.team_id or ""
            if not await self.gateway.answers_in(PLATFORM, team, message.channel):
                if await self.gateway.claim(message.key):  # say it once, not on every retry
                    where = place.model_copy(update={"thread_ts": message.thread_ts})
                    await self._tell(where, notice(EXCLUDED))
                return
            text = message.text_without(context.bot_user_id) or "help"
            await self.poster.react(message.channel, message.ts, WORKING, on=True)
            try:
                await self._answer(self._turn(message, text, thread), message.key, place, movable=True)
            finally:
                await self.poster.react(message.channel, message.ts, WORKING, on=False)

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
            self.poster.saw_reply(message.channel, thread)
            place = Place(
                channel=message.channel, conversation=thread, thread_ts=thread, user=message.user or ""
            )
        async with self._guard("message", self._teller(place)):
            turn = self._turn(message, text, thread)
            if not message.is_dm:
                team = body.get("team_id") or context.team_id or ""
                said = ThreadMessage(
                    author=message.user or "",
                    text=text,
                    mentions_others=bool(_OTHER_MENTION.search(text)),
                )
                if not await self.gateway.wants(said, PLATFORM, message.channel, turn.conversation):
                    return  # not meant for the bot: people talking to each other
                if not await self.gateway.answers_in(PLATFORM, team, message.channel):
                    return
            await self._answer(turn, message.key, place, movable=not message.is_dm)

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
            user = UserRef(platform=PLATFORM, id=cmd.user_id, name=cmd.user_name)
            if spec.personal and not cmd.in_dm:  # own results and help: only the asker sees them
                await self._personal(
                    cmd,
                    spec.name,
                    line,
                    Turn(
                        text=text,
                        user=user,
                        channel=cmd.channel_id,
                        thread=f"own-{cmd.user_id}",
                        route=spec.route,
                    ),
                    respond,
                )
                return
            place = await self._command_place(cmd, line, to_dm=spec.private or spec.own_conversation)
            if place.dm and place.channel != cmd.channel_id:
                await whisper(SENT_TO_DM)
            thinking_ts = place.conversation
            turn = Turn(text=text, user=user, channel=place.channel, thread=thinking_ts, route=spec.route)
            key = f"slack:command:{cmd.trigger_id or thinking_ts}"
            await self._answer(turn, key, place, replace=thinking_ts, header=asked(cmd.user_id, line))

    async def _personal(
        self, cmd: SlashCommand, name: str, line: str, turn: Turn, respond: AsyncRespond
    ) -> None:
        """An ephemeral answer through the command's response_url (always shown, in any channel),
        with a "Share to channel" button where sharing makes sense."""
        reply = await self.gateway.turn(
            turn, event=f"slack:command:{cmd.trigger_id}" if cmd.trigger_id else None
        )
        if reply is None:
            return
        messages = render(reply, thread="-", header=asked(cmd.user_id, line))
        if name in SHAREABLE:
            messages[-1].blocks.append(share_button(line))
        for message in messages:
            await respond(
                text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
            )
        await self._refresh_home(cmd.user_id, reply.route)

    async def _command_place(self, cmd: SlashCommand, line: str, *, to_dm: bool) -> Place:
        """Post the visible "thinking" message, whose thread becomes the command's conversation: in
        the channel, or in the user's DM (private and long commands, commands typed in any DM, and
        channels the bot isn't a member of)."""
        to_dm = to_dm or cmd.in_dm
        channel = await self.poster.open_dm(cmd.user_id) if to_dm else cmd.channel_id
        try:
            ts = await self.poster.message(channel, thinking(cmd.user_id, line))
        except SlackApiError as exc:
            if to_dm or exc.response.get("error") not in _MOVE_TO_DM:
                raise
            to_dm, channel = True, await self.poster.open_dm(cmd.user_id)
            ts = await self.poster.message(channel, thinking(cmd.user_id, line))
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
            resolve=self._channel_named,
        )
        await whisper(result, admin=True)

    async def _channel_named(self, name: str) -> str | None:
        """A channel's id from its name (`#quiz` typed as plain text), via conversations.list."""
        cursor = None
        for _ in range(50):  # 50 pages of 200: a large workspace, and a bound
            page = await self.poster.client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
            )
            for channel in page.get("channels") or []:
                if channel.get("name") == name:
                    return str(channel["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    # -- buttons and forms --------------------------------------------------------------------------
    async def on_action(self, ack: AsyncAck, body: Payload, respond: AsyncRespond) -> None:
        """A click: a choice's value (or a submitted form's answer) is the next message of the
        conversation named in the block id; 👍/👎 are stored; `daily:` answers go to the scheduler.
        Notes for the clicker go through the interaction's response_url: shown at once, where the
        clicked message is."""
        await ack()
        data = BlockActions.model_validate(body)
        action = data.actions[0]
        if action.action_id.startswith(PICK):  # a box ticked or an option chosen: read on Submit
            return
        user = UserRef(platform=PLATFORM, id=data.user.id, name=data.user.name or data.user.username)
        if action.action_id.startswith(HOME):  # a Home tab button: the study goes on in the DM
            async with self._guard("home action", None):
                channel = await self.poster.open_dm(data.user.id)
                place = Place(channel=channel, conversation="dm", user=data.user.id, dm=True)
                turn = Turn(text=action.value or "help", user=user, channel=channel, thread="dm")
                await self._answer(turn, f"slack:home:{body.get('trigger_id') or action.value}", place)
            return
        channel = data.channel_id
        self.poster.saw_reply(channel, data.thread_ts)  # the clicked message is in that thread
        thread = thread_of(action.block_id) or data.thread_ts or data.message_ts
        place = Place(
            channel=channel,
            conversation=thread,
            thread_ts=None if thread == "dm" else thread,
            user=data.user.id,
            dm=channel.startswith("D"),
        )
        whisper = self._responder(respond, place) if body.get("response_url") else self._teller(place)
        async with self._guard("action", whisper):
            if action.action_id == SHARE:
                await self._share(data, action.value or "", place)
                return
            if action.action_id.startswith(FEEDBACK):
                await self._feedback(data, place, whisper, rating=1 if action.value == "+1" else -1)
                return
            value = action.value
            if action.action_id == SUBMIT:
                value = read_form(action.value or "", data.state_values())
            if not value:
                return
            key = f"slack:action:{channel}:{data.message_ts}:{data.user.id}:{value}"
            if value.startswith("daily:"):
                # chat.postEphemeral, kept to the top level until the post's thread has replies
                # (the reveal): shown the moment the button is pressed, and to the clicker only
                await self._daily(user, value, key, self._teller(place))
                return
            await self._answer(Turn(text=value, user=user, channel=channel, thread=thread), key, place)

    def _responder(self, respond: AsyncRespond, place: Place) -> Tell:
        async def tell(text: str) -> None:
            message = notice(text)
            if place.dm:  # in a DM a plain message is private already, and stays
                await self.poster.message(place.channel, message, thread_ts=place.thread_ts)
                return
            await respond(
                text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
            )

        return tell

    async def _share(self, data: BlockActions, line: str, place: Place) -> None:
        """ "Share to channel": the person's result, worked out again now, posted for everyone."""
        spec, text = parse_command(line)
        user = UserRef(platform=PLATFORM, id=data.user.id, name=data.user.name)
        turn = Turn(
            text=text, user=user, channel=place.channel, thread=f"own-{data.user.id}", route=spec.route
        )
        reply = await self.gateway.turn(turn)
        if reply is None:
            return
        shown = reply.model_copy(update={"private": False})
        top = Place(channel=place.channel, conversation="-", user=data.user.id)
        header = SHARED.format(who=person(data.user.id), what=spec.name)
        await self.poster.deliver(shown, top, header=header)

    async def _feedback(self, data: BlockActions, place: Place, tell: Tell, rating: int) -> None:
        item = Feedback(
            platform=PLATFORM,
            user=data.user.id,
            message=f"{place.channel}:{data.message_ts}",
            conversation=f"{PLATFORM}:{place.channel}:{place.conversation}",
            rating=rating,
        )
        saved = await self.gateway.feedback(item)
        await tell(THANKS if saved else NOT_SAVED)

    async def _daily(self, user: UserRef, value: str, key: str, tell: Tell) -> None:
        if self.daily is None:
            await tell(NO_DAILY)
            return
        if await self.gateway.claim(key) is False:  # a double click
            return
        await tell(await self.daily(user, value))

    # -- App Home -----------------------------------------------------------------------------------
    async def on_home(self, event: Payload) -> None:
        """app_home_opened: publish the person's Home tab; a short welcome in the DM, once."""
        user, channel = str(event.get("user") or ""), str(event.get("channel") or "")
        if not user:
            return
        async with self._guard("app home", None):
            self._home_seen.add(user)
            if event.get("tab", "home") == "home":
                await self._publish_home(user)
            if channel and await self.gateway.claim(f"slack:welcome:{user}"):
                await self.poster.message(channel, notice(WELCOME))

    async def _publish_home(self, user: str) -> None:
        services = getattr(self.gateway.conversations.context, "quiz", None)
        view = await asyncio.to_thread(home_view, services, user, datetime.now(UTC))
        try:
            await self.poster.client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:  # a Home tab not switched on in the app's settings
            log.warning("Home tab not published: %s", exc.response.get("error"))

    async def on_error(self, error: Exception, body: Payload) -> None:
        """Anything that escaped a listener (or a middleware): log and count it; bolt answers Slack."""
        METRICS.platform_errors.labels(PLATFORM, type(error).__name__).inc()
        log.error("slack request failed: %s (%s)", type(error).__name__, body.get("type", "?"))
