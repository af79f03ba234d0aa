"""Quiz questions in the exam's other formats, answered with their Block Kit widgets: checkboxes
+ Submit (multiple response), a select per position (ordering) or per item (matching) + Submit.
The quizmaster gets a bank of one format only, so every question it asks has that widget."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bots.slack.conftest import SlackHTTP
from tests.bots.slack.driver import bank, open_question, right_answer
from tests.bots.slack.fake_slack import BOT_USER, FakeSlack
from tests.bots.slack.payloads import click, find_element, form_state, mention

FIRST_PICK = {"multiple": "aif:pick:multi", "ordering": "aif:pick:order:1", "matching": "aif:pick:match:A"}
PARTIAL = {"multiple": ["A"], "ordering": "A", "matching": "1"}
HINTS = {"multiple": "Pick exactly", "ordering": "in order", "matching": "Match every item"}


@pytest.fixture(params=["multiple", "ordering", "matching"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def gateway(full_context, state_store, tmp_path: Path, kind: str) -> AsyncIterator:
    """The real graph, with a question bank of one format (overrides the shared `gateway`)."""
    from agents.checkpoints import sqlite_checkpointer
    from agents.graph import build_graph
    from agents.quizmaster.services import QuizServices
    from bots.platform.core import ConversationService
    from bots.platform.gateway import Gateway
    from tools.progress import ProgressStore

    questions = [q for q in bank().values() if q.type == kind]
    quiz = QuizServices(questions, ProgressStore(tmp_path / "forms-progress.sqlite3"), random.Random(7))
    context = dataclasses.replace(full_context, quiz=quiz)
    async with sqlite_checkpointer(tmp_path / "forms-checkpoints.sqlite3") as saver:
        yield Gateway(ConversationService(build_graph(saver), context), state_store)


async def test_a_quiz_answered_with_the_form_widgets(
    slack_http: SlackHTTP, fake_slack: FakeSlack, kind: str
) -> None:
    first = mention(f"<@{BOT_USER}> quiz me 2 questions", channel="C1")
    await slack_http.event(first)
    [question] = await fake_slack.wait_for("chat.postMessage")
    assert open_question(question)[1] == kind
    _, submit = find_element(question, action_id="aif:submit")
    assert submit["style"] == "primary"

    # picking in a widget sends an action too; it is acknowledged and only read on Submit
    await slack_http.action(click(question, fake_slack.response_url(), action_id=FIRST_PICK[kind]))

    # an incomplete form: one box of the two or three asked / only the first step / the first item
    state = form_state(question, {FIRST_PICK[kind]: PARTIAL[kind]})
    await slack_http.action(click(question, fake_slack.response_url(), state=state, action_id="aif:submit"))
    _, hint = await fake_slack.wait_for("chat.postMessage", 2)
    assert HINTS[kind] in hint.text_of_blocks()  # a friendly hint, and the question stays open

    await slack_http.action(right_answer(question, fake_slack.response_url()))  # the form still works
    *_, graded = await fake_slack.wait_for("chat.postMessage", 3)
    assert graded.params["thread_ts"] == first["ts"]
    assert "✅ Correct!" in graded.text_of_blocks() and "Question 2 of 2" in graded.text_of_blocks()

    await slack_http.action(right_answer(graded, fake_slack.response_url(), wrong=True))
    *_, summary = await fake_slack.wait_for("chat.postMessage", 4)
    assert "Not quite" in summary.text_of_blocks() and "1/2 correct" in summary.text_of_blocks()
