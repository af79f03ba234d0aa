"""A recording ChannelPoster and time helpers for the daily question tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from agents.reply import Reply


@dataclass
class Sent:
    channel: str
    reply: Reply
    reply_to: str | None
    message: str


@dataclass
class RecordingPoster:
    """A ChannelPoster that keeps what it posts; `failures` first calls raise like a platform error,
    and `hold` (an event) makes a call wait, like a post in flight when the process dies."""

    platform: str = "slack"
    failures: int = 0
    hold: asyncio.Event | None = None
    calls: int = 0
    sent: list[Sent] = field(default_factory=list)
    dms: list[Sent] = field(default_factory=list)

    async def post(self, channel: str, reply: Reply, *, reply_to: str | None = None) -> str:
        self.calls += 1
        if self.hold is not None:
            await self.hold.wait()
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("platform error: ratelimited")
        message = f"{self.platform}-{channel}-{len(self.sent) + 1}"
        self.sent.append(Sent(channel, reply, reply_to, message))
        return message

    async def direct(self, user: str, reply: Reply) -> str:
        """A DM (the study plan's reminder), recorded with `channel` = the user; fails like `post`."""
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("platform error: cannot send messages to this user")
        message = f"{self.platform}-dm-{user}-{len(self.dms) + 1}"
        self.dms.append(Sent(user, reply, None, message))
        return message

    @property
    def questions(self) -> list[Sent]:
        return [s for s in self.sent if s.reply_to is None]

    @property
    def reveals(self) -> list[Sent]:
        return [s for s in self.sent if s.reply_to is not None]


def local(day: date, clock: str, zone: str) -> datetime:
    """A wall-clock time in a time zone, as UTC (what the test travels to)."""
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass
class Clock:
    """An injected clock for tests that run real network stacks (left on real time)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now
