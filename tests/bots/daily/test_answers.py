"""Answers to the daily question: private feedback, the first answer counts, FSRS cards, the reveal
in the thread with statistics, citations and streak leaders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from agents.state import UserRef
from bots.daily import DAILY_PREFIX
from tests.bots.daily.fakes import local
from tools.metrics import METRICS
from tools.state.daily import DailyStore

BERLIN = "Europe/Berlin"
MONDAY = date(2026, 6, 1)


@pytest.fixture
def config(write_config):
    return write_config(
        [{"platform": "slack", "channel": "C1", "time": "09:00", "timezone": BERLIN, "reveal": "17:00"}]
    )


def member(user: str, name: str, platform: str = "slack") -> UserRef:
    return UserRef(platform=platform, id=user, name=name)


def letters(question) -> tuple[str, str]:
    """(a right letter, a wrong letter)."""
    right = question.answer_letters[0]
    return right, next(k for k in sorted(question.options) if k != right)


async def posted(scheduler, poster, day: date = MONDAY):
    with time_machine.travel(local(day, "09:00", BERLIN), tick=False):
        await scheduler.tick()
    post = await DailyStore.of(scheduler.state).find("slack", "C1", day)
    assert post is not None and post.status == "posted"
    return post, scheduler.quiz.by_id[post.question]


async def test_first_answer_counts_feedback_is_private_and_tells_when_the_reveal_is(make_scheduler, config):
    scheduler, poster = await make_scheduler(config)
    post, question = await posted(scheduler, poster)
    right, wrong = letters(question)
    with time_machine.travel(local(MONDAY, "10:30", BERLIN), tick=False):
        first = await scheduler.answer(member("U1", "Ana"), f"{DAILY_PREFIX}{post.id}:{wrong}")
        second = await scheduler.answer(member("U1", "Ana"), f"{DAILY_PREFIX}{post.id}:{right}")
    assert first.startswith(f"❌ Not this time: {wrong} isn't the answer.")
    assert "17:00 Europe/Berlin (in 6 h 30 min)" in first
    assert question.explanation.correct not in first and f" {right} " not in first  # not before the reveal
    assert second.startswith(f"You already answered this one ({wrong}); only your first answer counts.")
    assert await DailyStore.of(scheduler.state).tally(post.id) == (1, 0)


async def test_a_daily_answer_updates_the_members_fsrs_card_and_channel_progress(make_scheduler, config):
    scheduler, poster = await make_scheduler(config)
    post, question = await posted(scheduler, poster)
    right, wrong = letters(question)
    progress = scheduler.quiz.progress
    with time_machine.travel(local(MONDAY, "10:00", BERLIN), tick=False):
        ok = await scheduler.answer(member("U1", "Ana"), f"{DAILY_PREFIX}{post.id}:{right}")
        await scheduler.answer(member("U2", "Ben"), f"{DAILY_PREFIX}{post.id}:{wrong}")
    assert ok.startswith(f"✅ Right: {right} is correct.")
    assert progress.answered("slack", "U1") == {question.id}
    # FSRS: a wrong answer (Again) comes back after a minute, a right one (Good) after ten
    soon = local(MONDAY, "10:05", BERLIN)
    assert progress.due("slack", "U2", soon) == [question.id]
    assert progress.due("slack", "U1", soon) == []
    assert sorted(progress.leaderboard("slack:C1")) == [("U1", 1, 1), ("U2", 0, 1)]
    assert progress.accuracy_by_task("slack", "U2") == {question.task: (0, 1)}


async def test_reveal_in_the_thread_with_statistics_citations_and_leaders(
    make_scheduler, config, notes_index
):
    scheduler, poster = await make_scheduler(config, index=lambda: notes_index)
    post, question = await posted(scheduler, poster)
    right, wrong = letters(question)
    with time_machine.travel(local(MONDAY, "12:00", BERLIN), tick=False) as clock:
        for user, name, letter in (("U1", "Ana", right), ("U2", "Ben", right), ("U3", "<!here> Cy", wrong)):
            await scheduler.answer(member(user, name), f"{DAILY_PREFIX}{post.id}:{letter}")
        clock.move_to(local(MONDAY, "16:59", BERLIN))
        await scheduler.tick()
        assert poster.reveals == []
        revealed_before = METRICS.registry.get_sample_value(
            "aifbot_daily_posts_total", {"platform": "slack", "status": "revealed"}
        )
        clock.move_to(local(MONDAY, "17:00", BERLIN))
        await scheduler.tick()
        clock.shift(timedelta(minutes=1))
        await scheduler.tick()
        late = await scheduler.answer(member("U4", "Dee"), f"{DAILY_PREFIX}{post.id}:{right}")
    [reveal] = poster.reveals
    assert reveal.reply_to == post.message and reveal.channel == "C1"
    text = reveal.reply.text
    assert f"{right}) {question.options[right]}" in text
    assert question.explanation.correct in text
    assert "3 answered, 67 % correct." in text
    assert "1. Ana: 1 in a row (1 right in a row)" in text
    assert "2. Ben: 1 in a row" in text and "3. here Cy: 1 in a row (0 right in a row)" in text
    assert "<!here>" not in text
    cited = reveal.reply.citations
    assert [c.section for c in cited] == question.sources
    assert all(c.source and c.title != c.section for c in cited)  # titles from the notes index
    assert (await DailyStore.of(scheduler.state).get(post.id)).status == "revealed"
    assert (
        METRICS.registry.get_sample_value(
            "aifbot_daily_posts_total", {"platform": "slack", "status": "revealed"}
        )
        == (revealed_before or 0) + 1
    )
    assert late.startswith("This daily question is closed")
    assert await DailyStore.of(scheduler.state).tally(post.id) == (3, 2)


async def test_default_reveal_is_before_the_next_post_and_a_failed_reveal_is_retried(
    make_scheduler, write_config
):
    config = write_config([{"platform": "slack", "channel": "C1", "time": "09:00", "timezone": BERLIN}])
    scheduler, poster = await make_scheduler(config)
    post, _ = await posted(scheduler, poster)
    with time_machine.travel(local(MONDAY + timedelta(days=1), "08:55", BERLIN), tick=False) as clock:
        poster.failures = 1
        await scheduler.tick()  # the reveal fails once
        assert poster.reveals == [] and (await DailyStore.of(scheduler.state).get(post.id)).status == "posted"
        clock.shift(timedelta(minutes=1))
        await scheduler.tick()
        clock.move_to(local(MONDAY + timedelta(days=1), "09:00", BERLIN))
        await scheduler.tick()  # then today's question
    assert [s.reply_to for s in poster.sent] == [None, post.message, None]
    assert "Nobody answered this one." in poster.reveals[0].reply.text


async def test_bad_buttons_get_friendly_answers(make_scheduler, config):
    scheduler, poster = await make_scheduler(config)
    post, _ = await posted(scheduler, poster)
    with time_machine.travel(local(MONDAY, "10:00", BERLIN), tick=False):
        unknown = await scheduler.answer(member("U1", "Ana"), "daily:answer:nope:A")
        missing = await scheduler.answer(member("U1", "Ana"), f"{DAILY_PREFIX}999:A")
        elsewhere = await scheduler.answer(member("U1", "Ana", "discord"), f"{DAILY_PREFIX}{post.id}:A")
        no_option = await scheduler.answer(member("U1", "Ana"), f"{DAILY_PREFIX}{post.id}:F")
    assert "don't recognise" in unknown
    assert "isn't open any more" in missing and "isn't open any more" in elsewhere
    assert no_option == "There is no option F; choose from A–D."
    assert await DailyStore.of(scheduler.state).tally(post.id) == (0, 0)  # nothing was counted
