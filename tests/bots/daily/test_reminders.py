"""The study plan's daily reminder: the scheduler's tick, on a fake clock, DMs each opted-in
learner once a day from 09:00 UTC until the exam; a failing DM is logged and retried, never fatal.
Slack through the real slack_sdk client against the fake Web API; Discord through dpytest."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import discord.ext.test as dpytest
from slack_sdk.web.async_client import AsyncWebClient

from agents.quizmaster.plan import StudyPlan, build_plan
from agents.quizmaster.services import QuizServices
from bots.daily.scheduler import DailyScheduler
from bots.slack.poster import SlackPoster
from knowledge.question_bank import TASKS
from tests.bots.daily.fakes import Clock
from tests.bots.discord.fake_discord import start_world
from tests.bots.slack.fake_slack import FakeSlack
from tools.progress import Attempt

MONDAY = date(2026, 6, 1)
EXAM = MONDAY + timedelta(days=3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def opt_in(quiz: QuizServices, platform: str, user: str, *, reminder: bool = True) -> StudyPlan:
    plan = build_plan(EXAM, MONDAY, list(TASKS), {}, [])
    plan.reminder = reminder
    assert quiz.save_plan(platform, user, plan)
    return plan


def practice(quiz: QuizServices, user: str, when: datetime) -> None:
    question = quiz.questions[0]
    attempt = Attempt(
        platform="slack",
        user=user,
        question=question.id,
        domain=question.domain,
        task=question.task,
        correct=True,
        answer="A",
        session="s1",
        time=when,
    )
    assert quiz.progress.record(attempt)


async def test_one_reminder_a_day_from_nine_until_the_exam(make_scheduler, quiz: QuizServices) -> None:
    clock = Clock(at(MONDAY, 8, 59))
    scheduler, poster = await make_scheduler(None, clock=clock)
    opt_in(quiz, "slack", "U1")
    opt_in(quiz, "slack", "U2", reminder=False)  # has a plan, asked for no reminder
    opt_in(quiz, "discord", "42")  # no Discord poster in this process: left to the one that has it

    await scheduler.tick()
    assert poster.dms == []  # before the hour
    clock.now = at(MONDAY, 9)
    await scheduler.tick()
    [dm] = poster.dms
    assert dm.channel == "U1" and dm.reply.text.startswith("📅 Study plan: exam in 3 days")
    clock.now = at(MONDAY, 9, 1)
    await scheduler.tick()
    clock.now = at(MONDAY, 23, 59)
    await scheduler.tick()
    assert len(poster.dms) == 1  # once a day

    clock.now = at(MONDAY + timedelta(days=1), 14)  # the process was down at 09:00: sent when back
    practice(quiz, "U1", at(MONDAY + timedelta(days=1), 10))
    await scheduler.tick()
    assert len(poster.dms) == 2 and "exam in 2 days" in poster.dms[-1].reply.text
    assert "done today: 1" in poster.dms[-1].reply.text  # what was practised before it counts
    clock.now = at(EXAM, 9)
    await scheduler.tick()
    assert len(poster.dms) == 2  # none on the exam day (nor after)

    # opted out: no more reminders
    quiz.save_plan("slack", "U1", opt_in(quiz, "slack", "U1").model_copy(update={"reminder": False}))
    clock.now = at(MONDAY + timedelta(days=2), 9)
    await scheduler.tick()
    assert len(poster.dms) == 2
    assert poster.sent == []  # nothing went to a channel


async def test_a_failing_dm_is_logged_and_retried_and_replicas_send_once(
    make_scheduler, quiz: QuizServices, caplog
) -> None:
    clock = Clock(at(MONDAY, 9))
    first, poster = await make_scheduler(None, clock=clock)
    poster.failures = 1
    second, other = await make_scheduler(None, instance="host-b:1", clock=clock)
    opt_in(quiz, "slack", "U1")

    with caplog.at_level(logging.WARNING):
        await first.tick()  # the DM fails: logged, the scheduler carries on
    assert poster.dms == [] and "study plan reminder to slack:U1 failed" in caplog.text
    clock.now = at(MONDAY, 9, 0) + timedelta(seconds=30)
    await first.tick()
    assert poster.calls == 1  # the retry waits for its backoff (1 minute)
    await second.tick()  # the day was handed back: another replica may send it
    clock.now = at(MONDAY, 9, 2)
    await first.tick()
    assert len(poster.dms) + len(other.dms) == 1  # exactly one DM across both processes
    assert [d.channel for d in other.dms] == ["U1"]


async def test_slack_dms_the_reminder_through_the_web_api(
    fake_slack: FakeSlack, make_scheduler, quiz
) -> None:
    clock = Clock(at(MONDAY, 9))
    scheduler, _ = await make_scheduler(None, clock=clock)
    client = AsyncWebClient(token="xoxb-test-token", base_url=fake_slack.api_url)
    scheduler.add_poster(SlackPoster(client))  # the real poster replaces the recording one
    opt_in(quiz, "slack", "U7")
    await scheduler.tick()
    [dm] = fake_slack.made("chat.postMessage", channel="U7")  # a user id: the app's DM with them
    assert dm.params["text"].startswith("📅 Study plan: exam in 3 days") and not dm.params.get("thread_ts")
    await scheduler.tick()
    assert len(fake_slack.made("chat.postMessage")) == 1

    fake_slack.fail_next["chat.postMessage"] = "channel_not_found"  # e.g. the user left the workspace
    opt_in(quiz, "slack", "U8")
    await scheduler.tick()  # refused by Slack: logged, not raised
    saved = quiz.plan_store.get("slack", "U8")
    assert saved is not None and saved.last_reminded is None  # handed back for a later tick


async def test_discord_dms_the_reminder(gateway, quiz: QuizServices) -> None:
    world = await start_world(gateway)
    try:
        clock = Clock(at(MONDAY, 9))
        scheduler = DailyScheduler(gateway.state, quiz, instance="host-a:1", clock=clock)
        scheduler.add_poster(world.adapter.poster)
        opt_in(quiz, "discord", str(world.bob.id))
        await scheduler.tick()
        [dm] = world.messages()
        assert dm.message.channel.type.name == "private"
        assert dm.message.channel.recipient.id == world.bob.id
        assert dm.message.content.startswith("📅 Study plan: exam in 3 days")
        await scheduler.tick()
        assert len(world.messages()) == 1
        scheduler.stop()
    finally:
        await dpytest.empty_queue()
