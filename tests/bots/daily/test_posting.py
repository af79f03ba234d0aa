"""Posting the daily question: on time, exactly once across restarts and replicas, caught up after
downtime, retried after failures. The clock is moved with time-machine and the scheduler's tick is
called directly (APScheduler only decides when the tick runs)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from bots.daily import DAILY_PREFIX
from bots.daily.scheduler import backoff
from tests.bots.daily.fakes import RecordingPoster, local
from tools.metrics import METRICS
from tools.state.daily import DailyStore

BERLIN = "Europe/Berlin"
MONDAY = date(2026, 6, 1)  # a Monday in summer time
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


@pytest.fixture
def berlin_config(write_config):
    return write_config(
        [{"platform": "slack", "channel": "C123", "time": "09:00", "timezone": BERLIN, "weekdays": WEEKDAYS}]
    )


def metric(status: str, platform: str = "slack") -> float:
    value = METRICS.registry.get_sample_value(
        "aifbot_daily_posts_total", {"platform": platform, "status": status}
    )
    return value or 0.0


async def test_posts_at_the_channels_local_time_with_answer_buttons_once(make_scheduler, berlin_config):
    scheduler, poster = await make_scheduler(berlin_config)
    posted_before = metric("posted")
    with time_machine.travel(local(MONDAY, "08:59", BERLIN), tick=False) as clock:
        await scheduler.tick()
        assert poster.sent == []
        clock.move_to(local(MONDAY, "09:00", BERLIN))  # 07:00 UTC
        await scheduler.tick()
        clock.shift(timedelta(minutes=1))
        await scheduler.tick()
        await scheduler.run_channel("slack:C123")  # the cron trigger firing late changes nothing
    assert len(poster.sent) == 1
    sent = poster.sent[0]
    assert sent.channel == "C123" and sent.reply_to is None
    post = await DailyStore.of(scheduler.state).find("slack", "C123", MONDAY)
    assert post is not None and post.status == "posted" and post.message == sent.message
    assert post.attempts == 1 and post.claimed_by == "host-a:1"
    question = scheduler.quiz.by_id[post.question]
    assert question.type == "single" and question.stem in sent.reply.text
    assert [c.value for c in sent.reply.choices] == [f"{DAILY_PREFIX}{post.id}:{k}" for k in "ABCD"]
    assert sent.reply.form is not None and sent.reply.form.value(["B"]) == f"{DAILY_PREFIX}{post.id}:B"
    # default reveal: five minutes before the next post (Tuesday 09:00 Berlin)
    assert post.reveal_at == local(MONDAY + timedelta(days=1), "08:55", BERLIN)
    assert "Tue 08:55 Europe/Berlin" in sent.reply.text
    assert metric("posted") == posted_before + 1


async def test_no_post_on_days_off(make_scheduler, berlin_config):
    scheduler, poster = await make_scheduler(berlin_config)
    saturday = MONDAY + timedelta(days=5)
    with time_machine.travel(local(saturday, "09:00", BERLIN), tick=False):
        await scheduler.tick()
    assert poster.sent == []


async def test_two_processes_on_one_database_post_once(make_scheduler, berlin_config):
    first, poster_a = await make_scheduler(berlin_config, instance="host-a:1")
    second, poster_b = await make_scheduler(berlin_config, instance="host-b:1")
    with time_machine.travel(local(MONDAY, "09:00", BERLIN), tick=False):
        # both cron triggers fire and both ticks run at the same moment
        await asyncio.gather(
            first.run_channel("slack:C123"),
            second.run_channel("slack:C123"),
            first.tick(),
            second.tick(),
        )
    assert len(poster_a.sent) + len(poster_b.sent) == 1
    assert poster_a.calls + poster_b.calls == 1


async def test_restart_at_the_post_minute_does_not_post_again(make_scheduler, berlin_config):
    before, poster_before = await make_scheduler(berlin_config, instance="host-a:1")
    with time_machine.travel(local(MONDAY, "09:00", BERLIN), tick=False) as clock:
        await before.tick()
        before.shutdown()
        clock.shift(timedelta(seconds=40))
        after, poster_after = await make_scheduler(berlin_config, instance="host-a:2")
        await after.tick()
        clock.shift(timedelta(hours=1))
        await after.tick()
    assert len(poster_before.sent) == 1
    assert poster_after.sent == []


async def test_a_claim_whose_process_died_is_taken_over_once_after_the_cutoff(
    make_scheduler, berlin_config, caplog
):
    hung = RecordingPoster(hold=asyncio.Event())
    dying, _ = await make_scheduler(berlin_config, instance="host-a:1", poster=hung)
    with time_machine.travel(local(MONDAY, "09:00", BERLIN), tick=False) as clock:
        task = asyncio.create_task(dying.tick())
        while hung.calls == 0:  # the claim is in the database and the post is in flight
            await asyncio.sleep(0.01)
        task.cancel()  # the process dies mid-post
        with pytest.raises(asyncio.CancelledError):
            await task
        dying.shutdown()
        post = await DailyStore.of(dying.state).find("slack", "C123", MONDAY)
        assert post is not None and post.status == "claimed"

        heir, poster_heir = await make_scheduler(berlin_config, instance="host-b:1")
        other, poster_other = await make_scheduler(berlin_config, instance="host-c:1")
        clock.shift(timedelta(minutes=3))  # a slow post may still be going on: hands off
        await heir.tick()
        assert poster_heir.sent == []
        clock.shift(timedelta(minutes=3))  # past the 5-minute cutoff
        with caplog.at_level(logging.WARNING, logger="bots.daily.scheduler"):
            await asyncio.gather(heir.tick(), other.tick())
        clock.shift(timedelta(minutes=1))
        await asyncio.gather(heir.tick(), other.tick())
    assert len(poster_heir.sent) + len(poster_other.sent) == 1
    post = await DailyStore.of(heir.state).find("slack", "C123", MONDAY)
    assert post.status == "posted" and post.attempts == 2 and post.claimed_by in ("host-b:1", "host-c:1")
    assert "host-a:1 claimed it" in caplog.text and "taking over" in caplog.text


async def test_a_post_missed_during_downtime_is_caught_up_within_the_window(make_scheduler, berlin_config):
    scheduler, poster = await make_scheduler(berlin_config)
    with time_machine.travel(local(MONDAY, "11:45", BERLIN), tick=False):  # started 2 h 45 min late
        await scheduler.tick()
        await scheduler.tick()
    assert len(poster.sent) == 1
    post = await DailyStore.of(scheduler.state).find("slack", "C123", MONDAY)
    assert post.day == MONDAY and post.status == "posted"


async def test_a_post_missed_beyond_the_window_is_skipped_and_logged(make_scheduler, berlin_config, caplog):
    scheduler, poster = await make_scheduler(berlin_config)
    missed_before = metric("missed")
    with time_machine.travel(local(MONDAY, "12:01", BERLIN), tick=False) as clock:
        with caplog.at_level(logging.WARNING, logger="bots.daily.scheduler"):
            await scheduler.tick()
            await scheduler.tick()
        assert poster.sent == []
        assert caplog.text.count("missed: outside the 3:00:00 catch-up window") == 1
        assert metric("missed") == missed_before + 1
        clock.move_to(local(MONDAY + timedelta(days=1), "09:00", BERLIN))  # the next day is normal
        await scheduler.tick()
    assert len(poster.sent) == 1
    assert await DailyStore.of(scheduler.state).find("slack", "C123", MONDAY) is None


async def test_a_late_evening_post_is_caught_up_after_midnight_for_its_own_day(make_scheduler, write_config):
    config = write_config([{"platform": "slack", "channel": "C9", "time": "23:30", "timezone": BERLIN}])
    scheduler, poster = await make_scheduler(config)
    with time_machine.travel(local(MONDAY + timedelta(days=1), "00:40", BERLIN), tick=False):
        await scheduler.tick()
    assert len(poster.sent) == 1
    assert await DailyStore.of(scheduler.state).find("slack", "C9", MONDAY) is not None


async def test_a_failing_post_is_retried_with_backoff_logged_and_posted_once(
    make_scheduler, berlin_config, caplog
):
    scheduler, poster = await make_scheduler(berlin_config, poster=RecordingPoster(failures=2))
    failed_before = metric("failed")
    store = DailyStore.of(scheduler.state)
    with (
        caplog.at_level(logging.WARNING, logger="bots.daily.scheduler"),
        time_machine.travel(local(MONDAY, "09:00", BERLIN), tick=False) as clock,
    ):
        await scheduler.tick()  # attempt 1 fails
        post = await store.find("slack", "C123", MONDAY)
        assert post.status == "failed" and post.attempts == 1 and "ratelimited" in post.error
        clock.shift(timedelta(seconds=30))  # within the backoff: no attempt
        await scheduler.tick()
        assert poster.calls == 1
        clock.shift(timedelta(seconds=30))  # 1 minute after the failure: attempt 2 fails
        await scheduler.tick()
        assert poster.calls == 2
        clock.shift(backoff(2))  # attempt 3 succeeds
        await scheduler.tick()
        for _ in range(3):
            clock.shift(timedelta(minutes=5))
            await scheduler.tick()
    assert poster.calls == 3 and len(poster.sent) == 1
    post = await store.find("slack", "C123", MONDAY)
    assert post.status == "posted" and post.attempts == 3 and post.error is None
    assert "failed (attempt 1, retry in 0:01:00): RuntimeError: platform error: ratelimited" in caplog.text
    assert "failed (attempt 2, retry in 0:02:00)" in caplog.text
    assert metric("failed") == failed_before + 2


async def test_a_post_that_keeps_failing_gives_up_after_the_attempt_limit(
    make_scheduler, berlin_config, caplog
):
    scheduler, poster = await make_scheduler(
        berlin_config, poster=RecordingPoster(failures=100), max_attempts=3
    )
    with (
        caplog.at_level(logging.WARNING, logger="bots.daily.scheduler"),
        time_machine.travel(local(MONDAY, "09:00", BERLIN), tick=False) as clock,
    ):
        for _ in range(40):
            await scheduler.tick()
            clock.shift(timedelta(minutes=4))
    assert poster.calls == 3 and poster.sent == []
    assert "failed 3 times, giving up" in caplog.text


async def test_post_now_posts_todays_question_once(make_scheduler, berlin_config):
    scheduler, poster = await make_scheduler(berlin_config)
    with time_machine.travel(local(MONDAY, "07:30", BERLIN), tick=False) as clock:
        [result] = await scheduler.post_now("slack", "C123")
        assert result.status == "posted" and result.day == MONDAY and result.message == poster.sent[0].message
        [again] = await scheduler.post_now(None, None)
        assert again.status == "already_posted" and again.post_id == result.post_id
        clock.move_to(local(MONDAY, "09:00", BERLIN))  # the scheduled time: already done today
        await scheduler.tick()
    assert len(poster.sent) == 1
    post = await DailyStore.of(scheduler.state).get(result.post_id)
    assert post.reveal_at == local(MONDAY + timedelta(days=1), "08:55", BERLIN)


async def test_post_now_in_an_unscheduled_channel_and_on_a_platform_without_poster(
    make_scheduler, write_config
):
    config = write_config([{"platform": "discord", "channel": "42", "time": "09:00"}])
    scheduler, poster = await make_scheduler(config)  # this process only posts to Slack
    with time_machine.travel(datetime(2026, 6, 1, 15, 0, tzinfo=UTC), tick=False):
        [discord] = await scheduler.post_now(None, None)
        [adhoc] = await scheduler.post_now(None, "C777")
    assert discord.status == "no_poster" and "AIFBOT_DISCORD_TOKEN" in (discord.error or "")
    assert adhoc.status == "posted" and adhoc.platform == "slack" and adhoc.day == date(2026, 6, 1)
    assert [s.channel for s in poster.sent] == ["C777"]


async def test_preview_claims_nothing_and_matches_the_post(make_scheduler, berlin_config):
    scheduler, poster = await make_scheduler(berlin_config)
    with time_machine.travel(local(MONDAY, "08:00", BERLIN), tick=False) as clock:
        preview = await scheduler.preview("C123")
        assert "not posted yet" in preview.text and preview.choices == []
        assert await DailyStore.of(scheduler.state).find("slack", "C123", MONDAY) is None
        clock.move_to(local(MONDAY, "09:00", BERLIN))
        await scheduler.tick()
        after = await scheduler.preview("C123")
    posted = poster.sent[0].reply
    assert posted.text in preview.text and posted.text in after.text  # exactly what is posted
    assert preview.citations == [] and posted.citations == []  # nothing that names the answer
    assert "Buttons: " + " · ".join(c.label for c in posted.choices) in preview.text
    assert "posted (posted)" in after.text


async def test_post_now_says_what_is_missing(make_scheduler, write_config):
    config = write_config([{"platform": "slack", "channel": "C1", "time": "09:00"}])
    scheduler, _ = await make_scheduler(config)
    scheduler.posters.pop("slack")  # no Slack token: no poster
    with time_machine.travel(datetime(2026, 6, 1, 15, 0, tzinfo=UTC), tick=False):
        [scheduled] = await scheduler.post_now("slack", "C1")
        [unscheduled] = await scheduler.post_now("slack", "C123")
    assert scheduled.status == "no_poster" and "set AIFBOT_SLACK_BOT_TOKEN" in (scheduled.error or "")
    assert "no daily schedule" not in (scheduled.error or "")
    assert "C123 has no daily schedule" in (unscheduled.error or "")
