"""Streaks count a channel's consecutive posts, each on the channel's local date, across DST changes
and time zones; weekdays-only schedules don't break at the weekend."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from agents.quizmaster.daily import Streak, leaders, streaks
from agents.state import UserRef
from bots.daily import DAILY_PREFIX
from tests.bots.daily.fakes import local
from tools.state.daily import DailyStore


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def run_days(scheduler, platform: str, channel: str, instants, plan) -> list:
    """Tick at each instant (a post time); then members answer per `plan[i]`: user → right?
    (a user missing from the plan doesn't answer that day). Returns the posts."""
    store = DailyStore.of(scheduler.state)
    posts = []
    for i, instant in enumerate(instants):
        with time_machine.travel(instant, tick=False):
            await scheduler.tick()
            post = (await store.history(platform, channel))[-1]  # the one just posted
            question = scheduler.quiz.by_id[post.question]
            right = question.answer_letters[0]
            wrong = next(k for k in sorted(question.options) if k != right)
            for user, correct in plan[i].items():
                text = await scheduler.answer(
                    UserRef(platform=platform, id=user, name=user.title()),
                    f"{DAILY_PREFIX}{post.id}:{right if correct else wrong}",
                )
                assert text.startswith("✅" if correct else "❌"), text
            posts.append(post)
    return posts


async def test_streaks_across_the_new_york_spring_forward(make_scheduler, write_config):
    config = write_config(
        [{"platform": "slack", "channel": "C1", "time": "20:30", "timezone": "America/New_York"}]
    )
    scheduler, _ = await make_scheduler(config)
    # 20:30 local is 01:30 UTC the next day in EST and 00:30 UTC from March 8 (EDT)
    instants = [utc(2026, 3, 6, 1, 30), utc(2026, 3, 7, 1, 30), utc(2026, 3, 8, 1, 30)] + [
        utc(2026, 3, d, 0, 30) for d in (9, 10, 11, 12)
    ]
    plan = [
        {"ana": True, "ben": True, "cy": True},
        {"ana": True, "ben": True, "cy": True},
        {"ana": True, "ben": True},  # cy misses March 7
        {"ana": True, "ben": True, "cy": True},  # March 8, the first day of summer time
        {"ana": True, "ben": False, "cy": True},
        {"ana": True, "ben": True, "cy": True},
        {"ana": True, "ben": True, "cy": True},
    ]
    posts = await run_days(scheduler, "slack", "C1", instants, plan)
    assert [p.day for p in posts] == [date(2026, 3, d) for d in range(5, 12)]
    table = await scheduler.channel_streaks("slack", "C1")
    assert (table["ana"].answered, table["ana"].correct, table["ana"].best_correct) == (7, 7, 7)
    assert (table["ben"].answered, table["ben"].correct, table["ben"].best_correct) == (7, 2, 4)
    assert (table["cy"].answered, table["cy"].best_answered) == (4, 4)
    assert [s.user for s in leaders(table)] == ["ana", "ben", "cy"]


async def test_streaks_across_the_berlin_fall_back_after_midnight(make_scheduler, write_config):
    config = write_config(
        [{"platform": "slack", "channel": "C2", "time": "00:30", "timezone": "Europe/Berlin"}]
    )
    scheduler, _ = await make_scheduler(config)
    # 00:30 local is 22:30 UTC the day before in summer time (to October 25) and 23:30 UTC after
    instants = [utc(2026, 10, d, 22, 30) for d in (21, 22, 23, 24)] + [
        utc(2026, 10, d, 23, 30) for d in (25, 26, 27)
    ]
    posts = await run_days(scheduler, "slack", "C2", instants, [{"ana": True}] * 7)
    assert [p.day for p in posts] == [date(2026, 10, d) for d in range(22, 29)]
    assert (await scheduler.channel_streaks("slack", "C2"))["ana"].answered == 7


async def test_weekdays_only_streaks_continue_over_the_weekend(make_scheduler, write_config):
    config = write_config(
        [{"platform": "slack", "channel": "C3", "time": "09:00", "timezone": "UTC", "weekdays": "mon-fri"}]
    )
    scheduler, poster = await make_scheduler(config)
    days = [date(2026, 6, 4), date(2026, 6, 5), date(2026, 6, 8)]  # Thursday, Friday, Monday
    instants = [local(d, "09:00", "UTC") for d in days]
    posts = await run_days(scheduler, "slack", "C3", instants, [{"ana": True}] * 3)
    with time_machine.travel(local(date(2026, 6, 6), "09:00", "UTC"), tick=False):
        await scheduler.tick()  # Saturday: nothing
    assert [p.day for p in posts] == days and len(poster.questions) == 3
    assert (await scheduler.channel_streaks("slack", "C3"))["ana"].answered == 3


async def test_streaks_per_channel_in_different_time_zones(make_scheduler, write_config):
    config = write_config(
        [
            {"platform": "slack", "channel": "CNZ", "time": "07:00", "timezone": "Pacific/Auckland"},
            {"platform": "slack", "channel": "CLA", "time": "19:00", "timezone": "America/Los_Angeles"},
        ]
    )
    scheduler, _ = await make_scheduler(config)
    # Auckland 07:00 (UTC+12 in June) is 19:00 UTC the day before; Los Angeles 19:00 (UTC-7) is
    # 02:00 UTC the day after: the same UTC hours carry different local dates in each channel
    nz, la = [], []
    la_plan = [{"ana": True}, {}, {"ana": True}, {"ana": True}]  # no answer in LA on June 2
    for n, d in enumerate((1, 2, 3, 4)):  # in time order, as the bot lives them
        nz += await run_days(scheduler, "slack", "CNZ", [utc(2026, 6, d, 19, 0)], [{"ana": True}])
        la += await run_days(scheduler, "slack", "CLA", [utc(2026, 6, d + 1, 2, 0)], [la_plan[n]])
    assert [p.day for p in nz] == [date(2026, 6, d) for d in (2, 3, 4, 5)]
    assert [p.day for p in la] == [date(2026, 6, d) for d in (1, 2, 3, 4)]
    assert (await scheduler.channel_streaks("slack", "CNZ"))["ana"].answered == 4
    la_streak = (await scheduler.channel_streaks("slack", "CLA"))["ana"]
    assert (la_streak.answered, la_streak.best_answered) == (2, 2)


def test_an_open_post_does_not_break_a_streak_until_it_closes() -> None:
    answers = {"ana": {1: True, 2: True}, "ben": {1: True, 2: False, 3: True}}
    open_ = streaks([1, 2, 3], answers, open_post=3)
    closed = streaks([1, 2, 3], answers)
    assert (open_["ana"].answered, open_["ana"].correct) == (2, 2)
    assert (closed["ana"].answered, closed["ana"].best_answered) == (0, 2)
    assert (closed["ben"].answered, closed["ben"].correct, closed["ben"].best_correct) == (3, 1, 1)


def test_leaders_rank_by_answer_streak_then_correct_streak() -> None:
    table = {
        "u1": Streak(user="u1", name="Zed", answered=3, correct=1),
        "u2": Streak(user="u2", name="Amy", answered=3, correct=3),
        "u3": Streak(user="u3", name="Bob", answered=5, correct=0),
        "u4": Streak(user="u4", name="Cat", answered=0, best_answered=9),
        "u5": Streak(user="u5", name="Dan", answered=1, correct=1),
    }
    assert [s.user for s in leaders(table)] == ["u3", "u2", "u1"]
