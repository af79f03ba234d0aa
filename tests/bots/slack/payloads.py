"""Slack payloads as Slack sends them (Events API envelopes, slash command forms, block_actions),
and the signature Slack puts on each HTTP request."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.bots.slack.fake_slack import BOT_USER, TEAM, Call

SECRET = "test-signing-secret"
_ids = itertools.count(1)


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's request signature: v0= + HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def next_ts() -> str:
    n = next(_ids)
    return f"{1_600_000_000 + n}.{n:06d}"


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def mention(
    text: str, *, channel: str = "C1", user: str = "U1", ts: str | None = None, thread_ts: str | None = None
) -> dict[str, Any]:
    event = {"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts or next_ts()}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    channel: str = "C1",
    user: str = "U1",
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts or next_ts(),
        "channel_type": channel_type,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def slash(
    text: str,
    response_url: str,
    *,
    user: str = "U1",
    user_name: str = "ann",
    channel: str = "C1",
    channel_name: str = "study",
) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "study",
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user_name,
        "command": "/aif",
        "text": text,
        "api_app_id": "A1",
        "response_url": response_url,
        "trigger_id": f"trig{next(_ids)}",
    }


def find_element(call: Call, **match: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(block, element) of the first interactive element in a posted message matching `match`
    (e.g. value=..., action_id=...)."""
    for block in call.blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element and all(element.get(k) == v for k, v in match.items()):
                return block, element
    raise AssertionError(f"no element {match} in {json.dumps(call.blocks)[:2000]}")


def click(
    call: Call,
    response_url: str,
    *,
    user: str = "U1",
    state: dict[str, Any] | None = None,
    thread_ts: str | None = None,
    in_channel: str = "C1",
    **match: Any,
) -> dict[str, Any]:
    """The block_actions payload of a click on an element of a message the bot posted (or updated,
    or posted ephemerally)."""
    block, element = find_element(call, **match)
    channel = call.params.get("channel") or in_channel  # a response_url message names none
    ephemeral = call.method in ("chat.postEphemeral", "response_url")
    action = {
        "action_id": element["action_id"],
        "block_id": block["block_id"],
        "type": element["type"],
        "action_ts": next_ts(),
    }
    if "value" in element:
        action["value"] = element["value"]
    if "text" in element:
        action["text"] = element["text"]
    thread = thread_ts or call.params.get("thread_ts")
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": f"user-{user}", "name": f"user-{user}", "team_id": TEAM},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": call.ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
            **({"thread_ts": thread} if thread else {}),
        },
        "trigger_id": f"trig{next(_ids)}",
        "team": {"id": TEAM, "domain": "study"},
        "channel": {"id": channel, "name": "study"},
        "state": {"values": state or {}},
        "response_url": response_url,
        "actions": [action],
    }
    if not ephemeral:
        payload["message"] = {
            "type": "message",
            "user": "UBOT",
            "ts": call.ts,
            "text": call.params.get("text"),
            "blocks": call.blocks,
            **({"thread_ts": thread} if thread else {}),
        }
    return payload


def form_state(call: Call, picks: dict[str, Any]) -> dict[str, Any]:
    """`state.values` for a message's checkboxes / selects: action_id → chosen value(s)."""
    values: dict[str, Any] = {}
    for block in call.blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory") or {}]
        for element in elements:
            action = element.get("action_id")
            if action not in picks:
                continue
            options = {o["value"]: o for o in element.get("options", [])}
            chosen = picks[action]
            if element["type"] == "checkboxes":
                state = {"type": "checkboxes", "selected_options": [options[v] for v in chosen]}
            else:
                state = {"type": "static_select", "selected_option": options[chosen]}
            values.setdefault(block["block_id"], {})[action] = state
    return values


def form_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def app_home_opened(user: str = "U1", tab: str = "home") -> dict[str, Any]:
    """Slack's app_home_opened event (https://api.slack.com/events/app_home_opened); `view` is
    left out, as on a person's first visit."""
    return {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": next_ts()}


def tokens_revoked(bot: list[str] | None = None) -> dict[str, Any]:
    """Slack's tokens_revoked event (https://api.slack.com/events/tokens_revoked)."""
    return {
        "type": "tokens_revoked",
        "tokens": {"oauth": [], "bot": bot or [BOT_USER]},
        "event_ts": next_ts(),
    }
