"""When a channel's daily question is due, in the channel's own time zone.

The post day is the channel's local date, so a 00:30 post in Berlin or a 20:30 post in New York
belongs to the day its members see on the clock, across DST changes too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tools.state.store import WEEKDAYS

REVEAL_LEAD = timedelta(minutes=5)  # the default reveal: this long before the next post
NO_NEXT_POST = timedelta(hours=24)  # without a next post (unscheduled, manual posts): a day later


def hhmm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


class ChannelSchedule(BaseModel):
    """One channel's daily question: local time, time zone, weekdays, reveal."""

    model_config = ConfigDict(frozen=True)

    platform: str
    channel: str
    time: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local time of the post.")
    timezone: str = Field("UTC", description="IANA time zone name, e.g. Europe/Berlin.")
    weekdays: tuple[str, ...] = WEEKDAYS
    reveal: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local.")
    source: Literal["file", "admin", "manual"] = "file"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:  # not found is a KeyError; pydantic wants this
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or set(value) - set(WEEKDAYS):
            raise ValueError(f"weekdays must be some of {', '.join(WEEKDAYS)}")
        return tuple(d for d in WEEKDAYS if d in value)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches its instances

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def is_post_day(self, day: date) -> bool:
        return WEEKDAYS[day.weekday()] in self.weekdays

    def post_at(self, day: date) -> datetime:
        """The post time on a local day, in UTC. zoneinfo resolves a time skipped by a DST change
        (02:30 on a spring-forward day) with the offset before the change, so it falls an hour later
        on the clock, and a repeated time (autumn) to its first occurrence."""
        return datetime.combine(day, hhmm(self.time), tzinfo=self.zone).astimezone(UTC)

    def next_post_after(self, moment: datetime) -> datetime | None:
        today = self.local_day(moment)
        for offset in range(0, 9):
            day = today + timedelta(days=offset)
            if self.is_post_day(day) and self.post_at(day) > moment:
                return self.post_at(day)
        return None

    def due(self, now: datetime, grace: timedelta) -> list[tuple[date, datetime]]:
        """Scheduled posts (local day, time) that have come and are still within the catch-up window;
        yesterday's too, for a late-evening post caught up after midnight."""
        today = self.local_day(now)
        found = []
        for day in (today - timedelta(days=1), today):
            if self.is_post_day(day):
                at = self.post_at(day)
                if at <= now <= at + grace:
                    found.append((day, at))
        return found

    def missed(self, now: datetime, grace: timedelta) -> list[tuple[date, datetime]]:
        """Today's post, when its catch-up window has passed."""
        today = self.local_day(now)
        at = self.post_at(today)
        return [(today, at)] if self.is_post_day(today) and at + grace < now else []

    def reveal_at(self, posted: datetime) -> datetime:
        """When the answer to a post made at `posted` is revealed: at the reveal time (its first
        occurrence after the post), by default just before the next post; never after the next post."""
        following = self.next_post_after(posted)
        latest = following - REVEAL_LEAD if following else posted + NO_NEXT_POST - REVEAL_LEAD
        if self.reveal is None:
            return max(latest, posted + REVEAL_LEAD)
        local = posted.astimezone(self.zone).date()
        for day in (local, local + timedelta(days=1)):
            at = datetime.combine(day, hhmm(self.reveal), tzinfo=self.zone).astimezone(UTC)
            if at > posted:
                return max(min(at, latest), posted + REVEAL_LEAD)
        return latest  # pragma: no cover - a reveal time always recurs within a day

    def trigger(self) -> CronTrigger:
        """APScheduler's trigger for the post time, in the channel's time zone."""
        hour, minute = self.time.split(":")
        return CronTrigger(
            hour=int(hour),
            minute=int(minute),
            day_of_week=",".join(self.weekdays),
            timezone=self.zone,
        )

    @property
    def signature(self) -> tuple:
        """What the cron job depends on: a change replaces the job."""
        return (self.time, self.timezone, self.weekdays)
