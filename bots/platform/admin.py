"""Admin commands shared by the adapters (`/aif admin …` on Slack, `/admin …` on Discord): which
channels the bot answers in and where daily questions go. The adapter checks the caller is an admin."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from tools.state import ChannelSettings, StateStore
from tools.state.store import WEEKDAYS

Resolver = Callable[[str], Awaitable[str | None]]  # a channel name → its id (None: no such channel)

_CHANNEL = re.compile(r"^<#([A-Z0-9]+|\d+)(?:\|[^>]*)?>$|^([A-Z0-9]{8,}|\d{15,})$")
_NAME = re.compile(r"^#([a-z0-9][a-z0-9._\-]{0,79})$", re.I)  # Slack's channel-name rule
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_RANGES = {"weekdays": WEEKDAYS[:5], "weekends": WEEKDAYS[5:], "daily": WEEKDAYS, "everyday": WEEKDAYS}

ADMIN_HELP = (
    "Admin commands:\n"
    "• `admin channels` — where I answer and post\n"
    "• `admin answer here|#channel` — answer only in chosen channels (add this one)\n"
    "• `admin ignore here|#channel` — stop answering there\n"
    "• `admin daily here|#channel 09:00 [Europe/Berlin] [mon-fri]` — a daily question\n"
    "• `admin daily here|#channel off` — no more daily questions\n"
    "• `admin reveal here|#channel 17:00` — when the answer is revealed (default: before the next post)\n"
    "• `admin mentions here|#channel on|off` — in threads, answer only when mentioned"
)


class AdminError(ValueError):
    """The admin command can't be done as typed; the message says how to type it."""


def parse_channel(word: str, here: str) -> str:
    """`here`, `<#C…|name>`, `<#C…>` or an id → the channel id (`#name` is `find_channel`'s)."""
    if word.lower() in ("here", "this"):
        return here
    match = _CHANNEL.match(word)
    if not match:
        raise AdminError(f"`{word[:40]}` is not a channel; use `here` or pick one with #.")
    return match.group(1) or match.group(2)


async def find_channel(word: str, here: str, resolve: Resolver | None) -> str:
    """Any way a person names a channel: also `#name` typed as plain text, looked up by name."""
    named = _NAME.match(word)
    if named is None or resolve is None:
        return parse_channel(word, here)
    found = await resolve(named.group(1).lower())
    if found is None:
        raise AdminError(f"I can't find a channel called `#{named.group(1)[:40]}`; is it spelt right?")
    return found


def parse_weekdays(word: str) -> list[str]:
    word = word.lower()
    if word in _RANGES:
        return list(_RANGES[word])
    days: list[str] = []
    for part in word.split(","):
        first, _, last = part.partition("-")
        if first[:3] not in WEEKDAYS or (last and last[:3] not in WEEKDAYS):
            raise AdminError(f"`{word[:40]}` is not a list of weekdays; try `mon-fri` or `mon,wed,fri`.")
        start, end = WEEKDAYS.index(first[:3]), WEEKDAYS.index((last or first)[:3])
        days += [WEEKDAYS[i % 7] for i in range(start, end + 1 if end >= start else end + 8)]
    return [d for d in WEEKDAYS if d in days]


def parse_time(word: str) -> str:
    match = _TIME.match(word)
    if not match:
        raise AdminError(f"`{word[:20]}` is not a time; use 24-hour HH:MM, like 09:00.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def describe(item: ChannelSettings) -> str:
    answers = "answers" if item.answers else "ignored"
    daily = (
        f"daily question {item.daily_time} {item.daily_timezone} ({','.join(item.daily_weekdays)})"
        + (f", reveal {item.reveal_time}" if item.reveal_time else "")
        if item.daily_time
        else "no daily question"
    )
    mentions = ", in threads only when mentioned" if item.mentions_only else ""
    return f"• <#{item.channel}> — {answers}{mentions}, {daily}"


async def run_admin(
    store: StateStore,
    *,
    platform: str,
    workspace: str,
    channel: str,
    user: str,
    args: str,
    resolve: Resolver | None = None,
) -> str:
    """Do one admin command and say what changed (or how to type it)."""
    words = args.split()
    if not words or words[0].lower() in ("help", "?"):
        return ADMIN_HELP
    verb, rest = words[0].lower(), words[1:]
    try:
        if verb == "channels":
            items = [c for c in await store.channels(platform) if c.workspace in (workspace, "")]
            if not items:
                return "I answer in every channel I'm in, and no daily questions are set up yet."
            return "\n".join(describe(c) for c in items)
        if verb not in ("answer", "ignore", "daily", "reveal", "mentions") or not rest:
            return ADMIN_HELP
        target = await find_channel(rest[0], channel, resolve)
        current = await store.channel(platform, target) or ChannelSettings(
            platform=platform, channel=target, workspace=workspace
        )
        update: dict[str, object] = {"updated_by": user, "workspace": workspace}
        if verb in ("answer", "ignore"):
            update["answers"] = verb == "answer"
        elif verb == "mentions":
            update["mentions_only"] = parse_on_off(rest[1:])
        elif verb == "reveal":
            update["reveal_time"] = (
                None if rest[1:2] == ["default"] else parse_time(rest[1] if rest[1:] else "")
            )
        elif rest[1:2] and rest[1].lower() == "off":
            update["daily_time"] = None
            update["daily_weekdays"] = []  # no time, no weekdays: off, even for a channel in the config file
        else:
            if not rest[1:]:
                raise AdminError("Say when: `admin daily here 09:00 Europe/Berlin mon-fri`.")
            update["daily_time"] = parse_time(rest[1])
            for word in rest[2:]:
                if "/" in word or word.upper() == "UTC":
                    try:
                        ZoneInfo(word)
                    except (ZoneInfoNotFoundError, ValueError) as exc:
                        raise AdminError(
                            f"`{word[:40]}` is not a time zone; use a name like Europe/Berlin."
                        ) from exc
                    update["daily_timezone"] = word
                else:
                    update["daily_weekdays"] = parse_weekdays(word)
        changed = ChannelSettings.model_validate(current.model_dump() | update)
    except (AdminError, ValidationError) as exc:
        return str(exc) if isinstance(exc, AdminError) else "That setting isn't valid; see `admin help`."
    await store.save_channel(changed)
    return "Saved.\n" + describe(changed)


def parse_on_off(words: list[str]) -> bool:
    choice = words[0].lower() if words else ""
    if choice not in ("on", "off"):
        raise AdminError("Say `on` or `off`: `admin mentions here on`.")
    return choice == "on"
