"""The parts of Slack's payloads the adapter reads, as pydantic models (unknown fields ignored)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# message subtypes that still carry something a person wrote to the bot
_USER_SUBTYPES = {None, "file_share", "thread_broadcast"}


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MessageEvent(_Payload):
    """An `app_mention` or `message` event (Events API `event` field)."""

    type: str
    channel: str
    user: str | None = None
    text: str = ""
    ts: str
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    channel_type: str | None = Field(None, description="im, channel, group or mpim (message events).")
    team: str | None = None

    @property
    def is_dm(self) -> bool:
        return self.channel_type == "im" or (self.channel_type is None and self.channel.startswith("D"))

    @property
    def from_person(self) -> bool:
        """Written by a person: no bot messages, edits, deletions, joins or other subtypes."""
        return self.user is not None and self.bot_id is None and self.subtype in _USER_SUBTYPES

    @property
    def key(self) -> str:
        """Dedupe key: one per message, stable across retries and across the `app_mention` and
        `message` events Slack sends for the same message (their event ids differ)."""
        return f"slack:message:{self.channel}:{self.ts}"

    def text_without(self, bot_user: str | None) -> str:
        """The text with the bot's own mention removed (other mentions stay as text)."""
        if bot_user:
            return re.sub(rf"<@{re.escape(bot_user)}(\|[^>]*)?>", " ", self.text).strip()
        return self.text.strip()


class SlashCommand(_Payload):
    command: str
    text: str = ""
    user_id: str
    user_name: str = ""
    channel_id: str
    channel_name: str = ""
    team_id: str = ""
    trigger_id: str = ""

    @property
    def in_dm(self) -> bool:
        return self.channel_id.startswith("D") or self.channel_name == "directmessage"


class _Ref(_Payload):
    id: str = ""


class _User(_Payload):
    id: str
    name: str = ""
    username: str = ""
    team_id: str = ""


class Container(_Payload):
    type: str = "message"
    message_ts: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    is_ephemeral: bool = False


class ActionMessage(_Payload):
    ts: str
    thread_ts: str | None = None


class Action(_Payload):
    action_id: str
    block_id: str | None = None
    value: str | None = None


class BlockActions(_Payload):
    """A `block_actions` interaction: a button click or a form submit."""

    user: _User
    channel: _Ref | None = None
    container: Container = Field(default_factory=Container)
    message: ActionMessage | None = Field(None, description="Absent for ephemeral messages.")
    actions: list[Action]
    state: dict[str, Any] = Field(default_factory=dict)

    @property
    def channel_id(self) -> str:
        return (self.channel.id if self.channel else "") or self.container.channel_id or ""

    @property
    def message_ts(self) -> str:
        return (self.message.ts if self.message else None) or self.container.message_ts or ""

    @property
    def thread_ts(self) -> str | None:
        return (self.message.thread_ts if self.message else None) or self.container.thread_ts

    def state_values(self) -> dict[str, dict[str, Any]]:
        """action_id → element state, across every block of the message."""
        values = self.state.get("values") or {}
        return {action: state for block in values.values() for action, state in block.items()}
