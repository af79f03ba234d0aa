"""Daily question schedules: the `daily:` list of the config file (`AIFBOT_CONFIG`), overridden per
channel by what admins set with the admin commands (`channel_settings`).

    daily:
      - {platform: slack, channel: C123, time: "09:00", timezone: Europe/Berlin,
         weekdays: [mon, tue, wed, thu, fri], reveal: "17:00"}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bots.daily.schedule import ChannelSchedule
from bots.platform.admin import AdminError, parse_weekdays
from tools.state import ChannelSettings
from tools.state.store import WEEKDAYS

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class DailyConfigError(ValueError):
    """The config file's daily schedules can't be used; the message names the file and the entry."""


def _clock(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 17:00 as the sexagesimal number 1020; take it as the time meant
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, str) and len(value) == 4 and value[1] == ":":
        return "0" + value  # 9:00
    return value


class DailyEntry(BaseModel):
    """One `daily:` entry of the config file."""

    model_config = ConfigDict(extra="forbid")

    platform: Literal["slack", "discord"]
    channel: str = Field(min_length=1, max_length=64, description="Channel id (Slack C…, Discord snowflake).")
    time: str = Field(pattern=_HHMM, description="HH:MM local time of the post.")
    timezone: str = Field("UTC", description="IANA time zone, e.g. Europe/Berlin.")
    weekdays: list[str] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    reveal: str | None = Field(None, pattern=_HHMM, description="HH:MM local; before the next post if unset.")

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value  # Discord ids are numbers in YAML

    @field_validator("time", "reveal", mode="before")
    @classmethod
    def _times(cls, value: Any) -> Any:
        return _clock(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Europe/Berlin") from exc
        return value

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekdays(cls, value: Any) -> Any:
        words = value.split() if isinstance(value, str) else value
        if not isinstance(words, list):
            return value
        days: list[str] = []
        try:
            for word in words:
                days += parse_weekdays(str(word))
        except AdminError as exc:
            raise ValueError(str(exc).replace("`", "'")) from exc
        return [d for d in WEEKDAYS if d in days]

    def schedule(self) -> ChannelSchedule:
        return ChannelSchedule(
            platform=self.platform,
            channel=self.channel,
            time=self.time,
            timezone=self.timezone,
            weekdays=tuple(self.weekdays),
            reveal=self.reveal,
            source="file",
        )


class _ConfigFile(BaseModel):
    model_config = ConfigDict(extra="ignore")  # the file holds other sections too

    daily: list[dict[str, Any]] | None = None


def load_daily_config(path: Path | None) -> list[ChannelSchedule]:
    """The schedules of the config file; none without a file. Raises DailyConfigError naming the
    file and the entry (number and channel) that is wrong."""
    if path is None:
        return []
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise DailyConfigError(f"{path}: can't read the config file ({exc.strerror or exc}).") from exc
    except yaml.YAMLError as exc:
        raise DailyConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise DailyConfigError(f"{path}: expected a mapping with a `daily:` list at the top.")
    try:
        entries = _ConfigFile.model_validate(data).daily or []
    except ValidationError as exc:
        raise DailyConfigError(f"{path}: `daily:` must be a list of channel entries.") from exc
    schedules: dict[str, ChannelSchedule] = {}
    for n, raw in enumerate(entries, start=1):
        label = f"daily entry {n} ({raw.get('platform', '?')} {raw.get('channel', '?')})"
        try:
            schedule = DailyEntry.model_validate(raw).schedule()
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'entry'}: {error['msg']}"
                for error in exc.errors()
            )
            raise DailyConfigError(f"{path}: {label}: {problems}") from exc
        if schedule.key in schedules:
            raise DailyConfigError(f"{path}: {label}: this channel is listed twice.")
        schedules[schedule.key] = schedule
    return list(schedules.values())


def from_settings(item: ChannelSettings) -> ChannelSchedule | None:
    """An admin's schedule for a channel; None when the row doesn't set one. A time without
    weekdays (set after `admin daily here off`) means every day: a time set never means silence."""
    if not item.daily_time:
        return None
    return ChannelSchedule(
        platform=item.platform,
        channel=item.channel,
        time=item.daily_time,
        timezone=item.daily_timezone,
        weekdays=tuple(d for d in WEEKDAYS if d in item.daily_weekdays) or WEEKDAYS,
        reveal=item.reveal_time,
        source="admin",
    )


def overrides(item: ChannelSettings) -> bool:
    """Whether an admin's row decides a channel's schedule over the file: it sets a time, or it
    switched the daily question off (no time and no weekdays). A row that only says whether the
    bot answers in the channel leaves the file's schedule alone."""
    return bool(item.daily_time) or not item.daily_weekdays


def merge(file: list[ChannelSchedule], admin: list[ChannelSettings]) -> dict[str, ChannelSchedule]:
    """The schedules in force: the file's, with admin settings winning for the same channel."""
    schedules = {s.key: s for s in file}
    for item in admin:
        if not overrides(item):
            continue
        key = f"{item.platform}:{item.channel}"
        try:
            schedule = from_settings(item)
        except (ValidationError, ZoneInfoNotFoundError, ValueError):
            continue  # a row the admin command validated; a hand-edited bad one can't stop the others
        if schedule is None:
            schedules.pop(key, None)
        else:
            schedules[key] = schedule
    return schedules
