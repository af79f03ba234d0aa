"""Where schedules come from (the config file, admin settings on top), how they are validated, and the
APScheduler jobs that follow them at run time in each channel's time zone."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bots.daily.config import DailyConfigError, load_daily_config, merge
from bots.daily.schedule import ChannelSchedule
from bots.daily.scheduler import DailyScheduler
from bots.platform.admin import run_admin
from tests.bots.daily.fakes import local
from tools.state import ChannelSettings

NEW_YORK = ZoneInfo("America/New_York")


def test_the_cron_trigger_keeps_local_time_across_the_dst_change() -> None:
    schedule = ChannelSchedule(platform="slack", channel="C1", time="09:00", timezone="America/New_York")
    trigger = schedule.trigger()
    assert trigger.timezone == NEW_YORK
    before = trigger.get_next_fire_time(None, datetime(2026, 3, 7, 0, 0, tzinfo=UTC))
    after = trigger.get_next_fire_time(None, datetime(2026, 3, 7, 15, 0, tzinfo=UTC))
    assert before == datetime(2026, 3, 7, 9, 0, tzinfo=NEW_YORK)
    assert before.astimezone(UTC) == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # EST
    assert after.astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # EDT
    # our own due check agrees with the trigger
    assert schedule.post_at(date(2026, 3, 8)) == after.astimezone(UTC)


async def test_running_scheduler_follows_an_admins_change_at_run_time(make_scheduler, write_config):
    config = write_config(
        [{"platform": "slack", "channel": "C1", "time": "09:00", "timezone": "America/New_York"}]
    )
    scheduler, poster = await make_scheduler(config)
    with time_machine.travel(datetime(2026, 3, 7, 15, 0, tzinfo=UTC), tick=False):
        scheduler.start()
        file_job = scheduler.job(scheduler.schedules["slack:C1"])
        assert file_job.trigger.timezone == NEW_YORK
        assert file_job.next_run_time == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
        assert scheduler._aps.get_job("daily:tick") is not None

        said = await run_admin(
            scheduler.state,
            platform="slack",
            workspace="T1",
            channel="C2",
            user="U-admin",
            args="daily here 10:15 Asia/Tokyo mon-fri",
        )
        assert said.startswith("Saved.")
        await scheduler.tick()
        job = scheduler.job(scheduler.schedules["slack:C2"])
        assert job.trigger.timezone == ZoneInfo("Asia/Tokyo")
        assert job.next_run_time == datetime(2026, 3, 9, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo"))  # Monday

        await run_admin(
            scheduler.state,
            platform="slack",
            workspace="T1",
            channel="C2",
            user="U-admin",
            args="daily here 11:00 Asia/Tokyo mon-fri",
        )
        await scheduler.tick()
        assert scheduler.job(scheduler.schedules["slack:C2"]).next_run_time == datetime(
            2026, 3, 9, 11, 0, tzinfo=ZoneInfo("Asia/Tokyo")
        )
        scheduler.shutdown()
    with time_machine.travel(local(date(2026, 3, 9), "11:00", "Asia/Tokyo"), tick=False):
        await scheduler.tick()  # the new time is the one that posts
    # C1's Saturday post (14:00 UTC) was caught up at start; C2 posted at its new time
    assert [s.channel for s in poster.questions] == ["C1", "C2"]


def test_admin_settings_override_the_file_for_the_same_channel() -> None:
    file = [
        ChannelSchedule(platform="slack", channel="C1", time="09:00"),
        ChannelSchedule(platform="slack", channel="C2", time="09:00"),
        ChannelSchedule(platform="discord", channel="9", time="09:00"),
    ]
    admin = [
        ChannelSettings(platform="slack", channel="C1", daily_time="07:30", daily_timezone="Asia/Tokyo"),
        ChannelSettings(platform="slack", channel="C2", answers=False),  # no schedule set: file stays
        ChannelSettings(platform="discord", channel="9", daily_weekdays=[]),  # switched off
        ChannelSettings(platform="discord", channel="10", daily_time="12:00", reveal_time="18:00"),
        ChannelSettings(platform="discord", channel="11", daily_time="12:00", daily_weekdays=[]),
    ]
    schedules = merge(file, admin)
    assert sorted(schedules) == ["discord:10", "discord:11", "slack:C1", "slack:C2"]
    assert len(schedules["discord:11"].weekdays) == 7  # a time set after "off": every day
    assert (schedules["slack:C1"].time, schedules["slack:C1"].timezone) == ("07:30", "Asia/Tokyo")
    assert schedules["slack:C1"].source == "admin" and schedules["slack:C2"].source == "file"
    assert schedules["discord:10"].reveal == "18:00"


def test_the_config_file_is_validated_with_friendly_readings(tmp_path) -> None:
    path = tmp_path / "aifbot.yaml"
    path.write_text(
        "policies: {guardrails: policy.yaml}\n"
        "daily:\n"
        "  - {platform: slack, channel: C123, time: '09:00', timezone: Europe/Berlin,\n"
        "     weekdays: [mon, tue, wed, thu, fri], reveal: 17:00}\n"  # YAML reads 17:00 as 1020
        "  - {platform: discord, channel: 123456789012345678, time: 7:30, weekdays: mon-wed}\n",
        encoding="utf-8",
    )
    slack, discord = load_daily_config(path)
    assert (slack.reveal, slack.weekdays, slack.timezone) == (
        "17:00",
        ("mon", "tue", "wed", "thu", "fri"),
        "Europe/Berlin",
    )
    assert (discord.channel, discord.time, discord.weekdays, discord.timezone) == (
        "123456789012345678",
        "07:30",
        ("mon", "tue", "wed"),
        "UTC",
    )
    assert load_daily_config(None) == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            "daily:\n  - {platform: slack, channel: C1, time: '09:00'}\n"
            "  - {platform: slack, channel: C2, time: '09:00', timezone: Mars/Olympus}\n",
            "daily entry 2 (slack C2): timezone: Value error, unknown time zone 'Mars/Olympus'",
        ),
        ("daily:\n  - {platform: slack, channel: C1, time: '25:00'}\n", "daily entry 1 (slack C1): time:"),
        (
            "daily:\n  - {platform: teams, channel: C1, time: '09:00'}\n",
            "daily entry 1 (teams C1): platform:",
        ),
        ("daily:\n  - {platform: slack, channel: C1, time: '09:00', weekdays: [someday]}\n", "weekdays"),
        ("daily:\n  - {platform: slack, channel: C1, time: '09:00', color: red}\n", "color: Extra inputs"),
        (
            "daily:\n  - {platform: slack, channel: C1, time: '09:00'}\n"
            "  - {platform: slack, channel: C1, time: '10:00'}\n",
            "daily entry 2 (slack C1): this channel is listed twice",
        ),
        ("daily: [unclosed\n", "not valid YAML"),
        ("daily: 5\n", "`daily:` must be a list"),
    ],
)
def test_config_errors_name_the_file_and_the_entry(tmp_path, entries: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(entries, encoding="utf-8")
    with pytest.raises(DailyConfigError) as info:
        load_daily_config(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_a_missing_config_file_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(DailyConfigError, match="can't read the config file"):
        load_daily_config(tmp_path / "nope.yaml")


async def test_a_bad_file_stops_startup_but_a_broken_edit_keeps_the_running_schedules(
    make_scheduler, write_config, state_store, quiz, tmp_path, caplog
):
    bad = tmp_path / "bad.yaml"
    bad.write_text("daily:\n  - {platform: slack, channel: C1, time: noon}\n", encoding="utf-8")
    with pytest.raises(DailyConfigError, match=r"bad\.yaml: daily entry 1"):
        DailyScheduler(state_store, quiz, config_path=bad)

    config = write_config([{"platform": "slack", "channel": "C1", "time": "09:00"}])
    scheduler, _ = await make_scheduler(config)
    config.write_text("daily:\n  - {platform: slack, channel: C1, time: noon}\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="bots.daily.scheduler"):
        schedules = await scheduler.load_schedules()
    assert schedules["slack:C1"].time == "09:00"
    assert "keeping the previous ones" in caplog.text


def test_reveal_times() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    daily = ChannelSchedule(platform="slack", channel="C", time="09:00", timezone="Europe/Berlin")
    posted = datetime(2026, 6, 1, 9, 0, tzinfo=berlin)
    assert daily.reveal_at(posted) == datetime(2026, 6, 2, 8, 55, tzinfo=berlin)
    friday = datetime(2026, 6, 5, 9, 0, tzinfo=berlin)
    weekdays = daily.model_copy(update={"weekdays": ("mon", "tue", "wed", "thu", "fri")})
    assert weekdays.reveal_at(friday) == datetime(2026, 6, 8, 8, 55, tzinfo=berlin)  # Monday
    evening = daily.model_copy(update={"reveal": "17:00"})
    assert evening.reveal_at(posted) == datetime(2026, 6, 1, 17, 0, tzinfo=berlin)
    early = daily.model_copy(update={"reveal": "08:00"})  # before the post: the next morning
    assert early.reveal_at(posted) == datetime(2026, 6, 2, 8, 0, tzinfo=berlin)
    late = daily.model_copy(update={"reveal": "09:30", "time": "09:00"})
    assert late.reveal_at(datetime(2026, 6, 1, 9, 40, tzinfo=berlin)) == datetime(
        2026, 6, 2, 8, 55, tzinfo=berlin
    )  # a caught-up post after the reveal time: capped before the next post


async def test_apscheduler_runs_the_tick_that_posts(make_scheduler, write_config):
    """The wiring, on the real clock: start() schedules the tick at once, and the tick posts a
    question due this minute (polling for the effect, not timing it)."""
    now = datetime.now(UTC)
    config = write_config([{"platform": "slack", "channel": "C1", "time": now.strftime("%H:%M")}])
    scheduler, poster = await make_scheduler(config)
    scheduler.start()
    for _ in range(600):
        if poster.sent:
            break
        await asyncio.sleep(0.05)
    scheduler.shutdown()
    assert [s.channel for s in poster.sent] == ["C1"]
