"""Buttons and selects: a whole quiz by clicks, every answer format, feedback, failures, and
components that still work in a new bot process (dispatched through discord.py's dynamic items)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.quizmaster.grading import grade, parse
from agents.quizmaster.node import answer_form, choices
from agents.reply import Reply
from bots.discord import DiscordAdapter
from bots.discord.sender import SORRY
from bots.discord.views import START_OVER
from bots.platform.core import ConversationService, Turn
from bots.platform.gateway import Gateway
from bots.startup.settings import Settings
from knowledge.question_bank import load_questions
from tests.bots.discord.fake_discord import (
    DiscordWorld,
    answer_correctly,
    component,
    custom_ids,
    message_from,
    question_id,
)
from tools.state import StateStore, database_url

QUESTIONS = load_questions()
BANK = {q.id: q for q in QUESTIONS}


def spy_turns(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> list[Turn]:
    """The turns the adapter hands the (real) gateway."""
    seen: list[Turn] = []
    real = gateway.turn

    async def turn(turn: Turn, event: str | None = None) -> Reply | None:
        seen.append(turn)
        return await real(turn, event)

    monkeypatch.setattr(gateway, "turn", turn)
    return seen


async def test_a_whole_quiz_by_buttons_and_selects(world: DiscordWorld) -> None:
    _, message = await world.quiz("12 questions")  # in the thread /quiz opens
    kinds: set[str] = set()
    for n in range(1, 13):
        assert f"Question {n} of 12" in message.content
        question = BANK[question_id(message)]
        kinds.add(question.type)
        click = await answer_correctly(world, message, question)
        assert click.names()[0] in ("defer", "edit_message")  # answered at once, within 3 s
        assert "✅ Correct!" in click.texts()
        message = click.sent[-1]
    assert "12/12 correct" in message.content and not message.components
    assert "single" in kinds and len(kinds) > 1  # buttons and at least one select kind were used


@pytest.mark.parametrize("kind", ["multiple", "ordering", "matching"])
async def test_selects_send_the_answer_the_quizmaster_reads(
    world: DiscordWorld, gateway: Gateway, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    question = next(q for q in QUESTIONS if q.type == kind)
    reply = Reply(text="question", route="quizmaster", choices=choices(question), form=answer_form(question))
    turns = spy_turns(gateway, monkeypatch)
    sent = await world.adapter.poster.post(str(world.channel.id), reply)
    message = next(s.message for s in world.sent if s.message.id == int(sent))
    assert not any(c.startswith("aif:v:") for c in custom_ids(message))  # the select replaces letter buttons
    await answer_correctly(world, message, question)
    [turn] = turns
    assert turn.text.startswith(f"quiz:answer:{question.id}:")
    assert grade(question, parse(question, turn.text)).correct


async def test_ordering_can_start_over_and_refuses_a_step_twice(world: DiscordWorld) -> None:
    question = next(q for q in QUESTIONS if q.type == "ordering" and len(q.options) >= 4)
    reply = Reply(text="question", route="quizmaster", form=answer_form(question))
    sent = await world.adapter.poster.post(str(world.channel.id), reply)
    message = next(s.message for s in world.sent if s.message.id == int(sent))
    first = question.answer_letters[0]
    picked = await world.click(message, component(message, "aif:seq:").custom_id, values=[first])
    again = await world.click(picked.edited, component(picked.edited, "aif:seq:").custom_id, values=[first])
    assert again.names() == ["send_message"] and "already step 1" in again.calls[0][1]["content"]
    restart = await world.click(
        picked.edited, component(picked.edited, "aif:seq:").custom_id, values=[START_OVER]
    )
    assert component(restart.edited, "aif:seq:").custom_id == component(message, "aif:seq:").custom_id


async def test_a_button_still_works_in_a_new_bot_process(
    world: DiscordWorld, full_context: AgentContext, tmp_path: Path
) -> None:
    """The quiz lives in the checkpoint database and the button's id says what it means: a new
    process (new bot, new graph, new database connections) resolves the old message's button."""
    _, old_message = await world.quiz("2 questions")
    question = BANK[question_id(old_message)]
    store = await StateStore.open(database_url(None, tmp_path / "state.sqlite3"))
    try:
        async with sqlite_checkpointer(tmp_path / "checkpoints.sqlite3") as saver:
            gateway = Gateway(ConversationService(build_graph(saver), full_context), store)
            restarted = DiscordAdapter(Settings(), gateway, sync_commands=False)
            await restarted.bot.setup_hook()  # what login runs: cogs and dynamic items
            assert restarted.bot._connection._view_store.persistent_views == []  # nothing kept per message
            click = await answer_correctly(world, old_message, question, client=restarted.bot)
            assert "✅ Correct!" in click.texts() and "Question 2 of 2" in click.texts()
    finally:
        await store.close()


async def test_feedback_buttons_store_one_rating_per_person(
    world: DiscordWorld, state_store: StateStore
) -> None:
    asked = await world.slash("ask", question="what is Amazon Polly?")
    answer = asked.sent[-1]
    assert {"aif:fb:+", "aif:fb:-"} <= set(custom_ids(answer))
    liked = await world.click(answer, "aif:fb:+")
    assert liked.calls[0] == ("defer", {"ephemeral": True, "thinking": True})
    assert "Thanks" in liked.texts()
    await world.click(answer, "aif:fb:-", user=world.bob)
    assert await state_store.feedback_totals() == {"helpful": 1, "not_helpful": 1}
    await world.click(answer, "aif:fb:-")  # Alice changes her mind
    assert await state_store.feedback_totals() == {"helpful": 0, "not_helpful": 2}


async def test_a_failing_click_gets_an_apology_and_the_bot_keeps_working(
    world: DiscordWorld, gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, message = await world.quiz("2 questions")
    question = BANK[question_id(message)]
    real = gateway.turn
    failures = [RuntimeError("the database went away")]

    async def flaky(turn: Turn, event: str | None = None) -> Reply | None:
        if failures:
            raise failures.pop()
        return await real(turn, event)

    monkeypatch.setattr(gateway, "turn", flaky)
    failed = await answer_correctly(world, message, question)
    assert failed.followups()[-1] == {
        "content": SORRY,
        "ephemeral": True,
        "allowed_mentions": failed.followups()[-1]["allowed_mentions"],
    }
    retried = await answer_correctly(world, message, question)  # the same button, again
    assert "✅ Correct!" in retried.texts()

    failures.append(RuntimeError("again"))
    broken = await world.slash("stats")
    assert broken.names() == ["defer", "followup"] and broken.followups()[0]["content"] == SORRY
    assert "answered" in (await world.slash("stats")).texts()


async def test_components_fit_discord_limits_for_every_question(world: DiscordWorld) -> None:
    for question in QUESTIONS:
        reply = Reply(
            text=question.stem, route="quizmaster", choices=choices(question), form=answer_form(question)
        )
        view_message = message_from(world, world.channel, world.bot.user, components=_components(reply))
        ids = custom_ids(view_message)
        assert ids and all(len(c) <= 100 for c in ids), question.id
        assert len(view_message.components) <= 5


def _components(reply: Reply) -> list[dict[str, Any]]:
    from bots.discord.views import build_view

    view = build_view(reply)
    assert view is not None
    return view.to_components()
