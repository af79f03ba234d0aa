"""The shared state database: dedupe across processes, channel settings, feedback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bots.platform.admin import parse_weekdays, run_admin
from tools.state import ChannelSettings, Feedback, StateStore, StateStoreError, database_url
from tools.state import store as store_module


def test_database_urls_get_async_drivers(tmp_path: Path) -> None:
    assert database_url(None, tmp_path / "s.db") == f"sqlite+aiosqlite:///{tmp_path}/s.db"
    assert database_url("postgresql://u:p@h/db", tmp_path).startswith("postgresql+psycopg://u:p@h/db")
    assert database_url("sqlite:///x.db", tmp_path) == "sqlite+aiosqlite:///x.db"


async def test_an_event_is_claimed_once_even_by_two_stores_on_one_database(tmp_path: Path) -> None:
    url = database_url(None, tmp_path / "shared.sqlite3")
    first, second = await asyncio.gather(StateStore.open(url), StateStore.open(url))
    try:
        claims = await asyncio.gather(*(store.claim_event("slack:Ev1") for store in (first, second) * 5))
        assert sorted(claims) == [False] * 9 + [True]
        assert await first.claim_event("slack:Ev2")
        assert await first.forget_events() == 0  # nothing old yet
    finally:
        await first.close()
        await second.close()


async def test_unreachable_database_is_one_clear_error_without_the_password() -> None:
    with pytest.raises(StateStoreError) as info:
        await StateStore.open(database_url("postgresql://aifbot:s3cret@127.0.0.1:9/aifbot", Path()))
    assert "s3cret" not in str(info.value)


async def test_channels_are_answered_everywhere_until_an_admin_picks_some(state_store: StateStore) -> None:
    assert await state_store.answers_in("slack", "T1", "C1")
    await state_store.save_channel(ChannelSettings(platform="slack", channel="C2", workspace="T1"))
    assert not await state_store.answers_in("slack", "T1", "C1")
    assert await state_store.answers_in("slack", "T1", "C2")
    assert await state_store.answers_in("slack", "T2", "C9")  # another workspace is unaffected


async def test_another_replica_follows_an_admins_channel_choice_within_the_ttl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = database_url(None, tmp_path / "shared.sqlite3")
    admin_side, other = await StateStore.open(url), await StateStore.open(url)
    clock = [1000.0]
    monkeypatch.setattr(store_module.time, "monotonic", lambda: clock[0])
    try:
        assert await other.answers_in("slack", "T1", "C1")  # read once, then remembered
        await admin_side.save_channel(
            ChannelSettings(platform="slack", channel="C1", workspace="T1", answers=False)
        )
        assert not await admin_side.answers_in("slack", "T1", "C1")  # the admin's replica: at once
        assert await other.answers_in("slack", "T1", "C1")
        clock[0] += store_module.CHOICES_TTL_S
        assert not await other.answers_in("slack", "T1", "C1")
    finally:
        await admin_side.close()
        await other.close()


async def test_feedback_is_one_vote_per_user_and_answer(state_store: StateStore) -> None:
    vote = Feedback(platform="slack", user="U1", message="1.2", conversation="slack:C1:1.2", rating=1)
    await state_store.record_feedback(vote)
    await state_store.record_feedback(vote.model_copy(update={"rating": -1}))
    await state_store.record_feedback(vote.model_copy(update={"user": "U2"}))
    assert await state_store.feedback_totals() == {"helpful": 1, "not_helpful": 1}


async def test_admin_commands_choose_channels_and_daily_times(state_store: StateStore) -> None:
    async def admin(args: str) -> str:
        return await run_admin(
            state_store, platform="slack", workspace="T1", channel="C1", user="U1", args=args
        )

    assert "every channel" in await admin("channels")
    assert "Saved" in await admin("answer here")
    reply = await admin("daily <#C2|study> 9:30 Europe/Berlin mon-fri")
    assert "09:30 Europe/Berlin (mon,tue,wed,thu,fri)" in reply
    assert "not a time zone" in await admin("daily here 09:00 Mars/Olympus")
    assert "not a time" in await admin("daily here 25:00")
    assert "not a channel" in await admin("daily <!channel> 09:00")
    saved = await state_store.channel("slack", "C2")
    assert saved and saved.daily_time == "09:30" and saved.updated_by == "U1"
    assert "no daily question" in await admin("daily <#C2> off")
    assert "Admin commands" in await admin("")


def test_weekday_ranges_wrap_around_the_weekend() -> None:
    assert parse_weekdays("fri-mon") == ["mon", "fri", "sat", "sun"]
    assert parse_weekdays("weekdays") == ["mon", "tue", "wed", "thu", "fri"]


async def test_an_ignored_channel_is_not_answered(state_store: StateStore) -> None:
    await state_store.save_channel(
        ChannelSettings(platform="slack", channel="C3", workspace="T1", answers=False)
    )
    assert not await state_store.answers_in("slack", "T1", "C3")
    assert await state_store.answers_in("slack", "T1", "C1")
