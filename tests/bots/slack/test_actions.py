"""Clicks over HTTP mode: banking approval by buttons (DM and channel), double clicks, answer
feedback, daily-question buttons, and the channel poster the scheduler uses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.errors import SlackApiError

from agents.reply import AnswerForm, Choice, Reply
from agents.state import UserRef
from bots.daily import DAILY_PREFIX
from bots.slack import SlackAdapter
from bots.startup.server import make_web_app
from bots.startup.settings import Settings
from tests.bots.slack.conftest import SlackHTTP
from tests.bots.slack.fake_slack import BOT_USER, FakeSlack
from tests.bots.slack.payloads import click, find_element, form_state, mention, message


async def dm(slack_http: SlackHTTP, fake: FakeSlack, text: str, n: int) -> str:
    """Send a DM and return the text of the bot's n-th DM message."""
    await slack_http.event(message(text, channel="DU1", channel_type="im"))
    replies = await fake.wait_for("chat.postMessage", n, channel="DU1")
    return replies[-1].text_of_blocks()


async def test_banking_approval_by_buttons_in_a_dm_answered_once(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    assert "account number" in await dm(slack_http, fake_slack, "check my account", 1)
    assert "full name" in await dm(slack_http, fake_slack, "7777", 2)
    assert "pending" in await dm(slack_http, fake_slack, "Manju", 3)
    assert "Shall I send" in await dm(slack_http, fake_slack, "please resubmit the address proof", 4)
    approval = fake_slack.made("chat.postMessage", channel="DU1")[-1]
    _, approve = find_element(approval, value="approve")
    _, cancel = find_element(approval, value="cancel")
    assert approve["style"] == "primary" and cancel["style"] == "danger"

    payload = click(approval, fake_slack.response_url(), value="approve")
    await slack_http.action(payload)
    await slack_http.action(payload)  # a double click
    [*_, done] = await fake_slack.wait_for("chat.postMessage", 5, channel="DU1")
    assert "Done: request RS-" in done.text_of_blocks()
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage", channel="DU1")) == 5


async def test_banking_started_in_a_channel_moves_to_a_dm_with_a_public_pointer(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    first = mention(f"<@{BOT_USER}> check my account", channel="C1", user="U4")
    await slack_http.event(first)
    [asked] = await fake_slack.wait_for("chat.postMessage", channel="DU4")
    assert "account number" in asked.text_of_blocks()
    [pointer] = await fake_slack.wait_for("chat.postMessage", channel="C1")
    assert pointer.params["thread_ts"] == first["ts"] and "<@U4>" in pointer.text_of_blocks()
    assert "direct message" in pointer.text_of_blocks()

    for n, text in enumerate(["7777", "Manju", "please resubmit the address proof"], start=2):
        await slack_http.event(message(text, channel="DU4", user="U4", channel_type="im"))
        await fake_slack.wait_for("chat.postMessage", n, channel="DU4")
    approval = fake_slack.made("chat.postMessage", channel="DU4")[-1]
    assert "Shall I send" in approval.text_of_blocks()

    await slack_http.action(click(approval, fake_slack.response_url(), user="U4", value="approve"))
    [*_, done] = await fake_slack.wait_for("chat.postMessage", 5, channel="DU4")
    assert "Done: request RS-" in done.text_of_blocks()
    await fake_slack.settle()
    shown = "\n".join(c.text_of_blocks() for c in fake_slack.made("chat.postMessage", channel="C1"))
    assert "Manju" not in shown and "7777" not in shown  # nothing of it in the channel for all to see
    assert not fake_slack.made("chat.postEphemeral")


async def test_feedback_buttons_store_the_rating_and_thank_privately(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter
) -> None:
    await slack_http.event(mention(f"<@{BOT_USER}> what is Amazon Polly?", channel="C1"))
    [answer] = await fake_slack.wait_for("chat.postMessage")
    await slack_http.action(click(answer, fake_slack.response_url(), user="U2", action_id="aif:feedback:up"))
    # through the click's response_url: shown at once, next to the clicked message
    [thanks] = await fake_slack.wait_for("response_url")
    assert thanks.params["response_type"] == "ephemeral" and "Thanks" in thanks.params["text"]
    assert thanks.params["replace_original"] is False
    assert await slack.listeners.gateway.state.feedback_totals() == {"helpful": 1, "not_helpful": 0}


@pytest.fixture
async def daily_http(
    slack_settings: Settings, gateway, fake_slack: FakeSlack
) -> AsyncIterator[tuple[SlackHTTP, SlackAdapter, list]]:
    clicks: list[tuple[UserRef, str]] = []

    async def answer(user: UserRef, value: str) -> str:  # the scheduler's answer handler
        clicks.append((user, value))
        return "✅ Right! <!channel> is shown, not pinged."

    adapter = SlackAdapter(slack_settings, gateway, daily=answer)
    app = make_web_app({})
    adapter.mount(app)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield SlackHTTP(client, fake_slack), adapter, clicks
    await adapter.close()
    await client.close()


async def test_the_poster_posts_daily_questions_and_their_buttons_go_to_the_daily_handler(
    daily_http: tuple[SlackHTTP, SlackAdapter, list], fake_slack: FakeSlack
) -> None:
    slack_http, adapter, clicks = daily_http
    question = Reply(
        text="Daily question: which service turns text into speech?",
        route="quizmaster",
        choices=[Choice(label="A", value="daily:answer:1:A"), Choice(label="B", value="daily:answer:1:B")],
    )
    ts = await adapter.poster.post("C1", question)
    [posted] = fake_slack.made("chat.postMessage")
    assert posted.ts == ts and posted.params.get("thread_ts") is None
    reveal = await adapter.poster.post("C1", Reply(text="The answer was A.", route="quizmaster"), reply_to=ts)
    assert fake_slack.made("chat.postMessage")[-1].params["thread_ts"] == ts and reveal != ts

    payload = click(posted, fake_slack.response_url(), user="U8", value="daily:answer:1:A")
    await slack_http.action(payload)
    await slack_http.action(payload)  # a double click
    [feedback] = await fake_slack.wait_for("chat.postEphemeral")
    assert feedback.params["user"] == "U8" and "Right!" in feedback.params["text"]
    assert feedback.params.get("thread_ts") == ts  # the reveal made the thread: shown in it
    await fake_slack.settle()
    assert clicks == [(UserRef(platform="slack", id="U8", name="user-U8"), "daily:answer:1:A")]
    assert "<!channel>" not in fake_slack.dumped()
    assert not fake_slack.made("chat.postMessage", thread_ts=ts)[1:]  # the graph was not asked

    # a daily question in another format: its form's Submit answers the daily handler too
    form = AnswerForm(
        question="d1-002",
        type="multiple",
        options={"A": "Polly", "B": "Lex", "C": "Transcribe", "D": "Kendra"},
        pick=2,
        prefix=DAILY_PREFIX,
        answer_key="17",
    )
    await adapter.poster.post("C1", Reply(text="Daily question (Select TWO.)", route="quizmaster", form=form))
    multiple = fake_slack.made("chat.postMessage")[-1]
    state = form_state(multiple, {"aif:pick:multi": ["C", "A"]})
    await slack_http.action(
        click(multiple, fake_slack.response_url(), user="U8", state=state, action_id="aif:submit")
    )
    await fake_slack.wait_for("chat.postEphemeral", 2)
    assert clicks[-1][1] == "daily:answer:17:A,C"

    fake_slack.not_in.add("C5")
    with pytest.raises(SlackApiError):  # the scheduler retries and logs failures
        await adapter.poster.post("C5", question)
