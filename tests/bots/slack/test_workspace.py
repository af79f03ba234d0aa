"""Slack as a real workspace sees the bot: people talking to each other in a thread it joined,
per-channel manners, App Home, the 👀 indicator, admin channel names, and token checks."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bots.slack import SlackAdapter
from bots.slack.startup import SlackTokenError
from bots.startup.settings import Settings
from tests.bots.slack.conftest import SlackHTTP
from tests.bots.slack.fake_slack import BOT_USER, Call, FakeSlack
from tests.bots.slack.payloads import app_home_opened, mention, message, tokens_revoked

REVOKED_STOP_BOUND_S = 20.0


async def _replies(fake: FakeSlack, thread: str) -> int:
    return len(fake.made("chat.postMessage", thread_ts=thread)) + len(fake.made("chat.postEphemeral"))


class Decisions:
    """What the thread manners decided for each message text (a spy on `Gateway.wants`), so a
    test waits for the decision itself instead of guessing how long silence takes."""

    def __init__(self, slack: SlackAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: dict[str, bool] = {}
        gateway = slack.listeners.gateway
        wants = gateway.wants

        async def spy(message, *args):  # type: ignore[no-untyped-def]
            decided = await wants(message, *args)
            self.seen[message.text] = decided
            return decided

        monkeypatch.setattr(gateway, "wants", spy)

    async def of(self, text: str, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < deadline, f"no decision for {text!r}"
            await asyncio.sleep(0.02)
        return self.seen[text]


async def _play(
    slack_http: SlackHTTP,
    fake: FakeSlack,
    decisions: Decisions,
    thread: str,
    script: list[tuple[str, str, bool]],
) -> None:
    """Each message of a thread conversation: one bot reply to each meant for it, none to the rest."""
    answered = await _replies(fake, thread)
    for text, author, meant in script:
        kind = mention if text.startswith(f"<@{BOT_USER}>") else message
        event = kind(text, user=author, thread_ts=thread)
        await slack_http.event(event)
        if kind is mention:  # Slack sends a mention twice: as app_mention and as message
            await slack_http.event(message(text, user=author, thread_ts=thread, ts=event["ts"]))
        if meant:
            await fake.wait_for(
                "chat.postMessage", answered + 1 - len(fake.made("chat.postEphemeral")), thread_ts=thread
            )
        else:
            assert await decisions.of(text) is False, f"{text!r} from {author} was taken as meant for the bot"
        now = await _replies(fake, thread)
        assert now - answered == (1 if meant else 0), f"{text!r} from {author}"
        answered = now
    await fake.settle(quiet=1.0)
    assert await _replies(fake, thread) == answered  # nothing late either


async def test_in_a_thread_it_answers_only_what_is_meant_for_it(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    decisions = Decisions(slack, monkeypatch)
    start = mention(f"<@{BOT_USER}> what is Amazon Polly?", user="UANN")
    await slack_http.event(start)
    thread = start["ts"]
    await fake_slack.wait_for("chat.postMessage", thread_ts=thread)
    # (text, author, meant for the bot?)
    script = [
        ("<@UBOB> can you review my PR?", "UANN", False),  # addressed to someone else
        ("lol same", "UBOB", False),  # chit-chat between people
        ("thanks, that helps!", "UANN", False),
        ("what is Amazon SageMaker?", "UBOB", False),  # someone else, not mentioning it
        ("and what does Amazon Lex do?", "UANN", True),  # the person it's talking to
        (f"<@{BOT_USER}> what is Amazon Transcribe?", "UBOB", True),  # a mention, from anyone
        ("haha ok", "UANN", False),
    ]
    await _play(slack_http, fake_slack, decisions, thread, script)


async def test_a_quiz_in_a_thread_takes_answers_from_anyone_and_ignores_talk(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    decisions = Decisions(slack, monkeypatch)
    start = mention(f"<@{BOT_USER}> quiz me on domain 1", user="UANN")
    await slack_http.event(start)
    thread = start["ts"]
    [question] = await fake_slack.wait_for("chat.postMessage", thread_ts=thread)
    assert "Question 1 of" in question.text_of_blocks()
    script = [
        ("lol same", "UBOB", False),
        ("did you see the game last night?", "UANN", False),  # not an answer, not a request
        ("<@UDAN> what do you think?", "UBOB", False),
        ("I think B", "UCARL", True),  # an answer, from anyone
    ]
    await _play(slack_http, fake_slack, decisions, thread, script)
    assert "Pick one option" not in fake_slack.dumped()


async def test_a_channel_can_ask_for_answers_only_when_mentioned(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    fake_slack.admins.add("UADM")
    await slack_http.command("admin mentions #general on", user="UADM", channel="C3")
    [saved] = await fake_slack.wait_for("response_url")
    assert "only when mentioned" in saved.params["text"] and "<#C1>" in saved.params["text"]

    start = mention(f"<@{BOT_USER}> what is Amazon Polly?", user="UANN", channel="C1")
    await slack_http.event(start)
    thread = start["ts"]
    await fake_slack.wait_for("chat.postMessage", thread_ts=thread)
    await slack_http.event(message("and what does Amazon Lex do?", user="UANN", thread_ts=thread))
    assert await _replies(fake_slack, thread) == 1  # a follow-up without a mention: silent
    follow = mention(f"<@{BOT_USER}> and Amazon Lex?", user="UANN", thread_ts=thread)
    await slack_http.event(follow)
    await fake_slack.wait_for("chat.postMessage", 2, thread_ts=thread)


@pytest.mark.parametrize("typed", ["#quiz", "<#C2|quiz>", "<#C2>", "here"])
async def test_admin_takes_a_channel_however_it_is_typed(
    slack_http: SlackHTTP, fake_slack: FakeSlack, typed: str
) -> None:
    fake_slack.admins.add("UADM")
    await slack_http.command(f"admin ignore {typed}", user="UADM", channel="C2" if typed == "here" else "C1")
    [saved] = await fake_slack.wait_for("response_url")
    assert saved.params["text"].startswith("Saved.") and "<#C2>" in saved.params["text"]


async def test_admin_says_when_a_channel_name_is_unknown(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    fake_slack.admins.add("UADM")
    await slack_http.command("admin ignore #nowhere", user="UADM", channel="C1")
    [said] = await fake_slack.wait_for("response_url")
    assert "can't find a channel called `#nowhere`" in said.params["text"]
    assert fake_slack.made("conversations.list")


async def test_opening_app_home_publishes_the_progress_view_and_welcomes_once(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    await slack_http.event(app_home_opened("U7"))
    [published] = await fake_slack.wait_for("views.publish")
    assert published.params["user_id"] == "U7"
    view = published.params["view"]
    view = view if isinstance(view, dict) else json.loads(view)
    assert view["type"] == "home"
    buttons = [e["value"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["review my due questions", "quiz me", "start a mock exam"]
    [welcome] = await fake_slack.wait_for("chat.postMessage", channel="DU7")
    assert "study companion" in welcome.text_of_blocks()

    await slack_http.event(app_home_opened("U7"))
    await fake_slack.wait_for("views.publish", 2)
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage", channel="DU7")) == 1  # welcomed once


async def test_a_mention_shows_eyes_while_it_is_answered(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    event = mention(f"<@{BOT_USER}> what is Amazon Polly?")
    await slack_http.event(event)
    [added] = await fake_slack.wait_for("reactions.add")
    [removed] = await fake_slack.wait_for("reactions.remove")
    [answer] = fake_slack.made("chat.postMessage")
    assert added.params["name"] == removed.params["name"] == "eyes"
    assert added.params["timestamp"] == event["ts"]
    assert added.at <= answer.at <= removed.at


async def test_markdown_reaches_slack_as_mrkdwn(slack_http: SlackHTTP, fake_slack: FakeSlack) -> None:
    await slack_http.event(mention(f"<@{BOT_USER}> what is Amazon Bedrock?"))
    await fake_slack.wait_for("chat.postMessage")
    await fake_slack.settle()
    for call in fake_slack.made("chat.postMessage"):
        assert "**" not in call.text_of_blocks()


async def test_a_daily_answer_before_the_reveal_is_told_at_the_top_level(
    slack_settings: Settings, gateway, fake_slack: FakeSlack
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from agents.reply import Choice, Reply
    from bots.startup.server import make_web_app
    from tests.bots.slack.payloads import click

    async def answer(user, value: str) -> str:  # type: ignore[no-untyped-def]
        return "✅ Right!"

    adapter = SlackAdapter(slack_settings, gateway, daily=answer)
    app = make_web_app({})
    adapter.mount(app)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        question = Reply(
            text="Daily question", route="quizmaster", choices=[Choice(label="A", value="daily:answer:1:A")]
        )
        ts = await adapter.poster.post("C1", question)
        [posted] = fake_slack.made("chat.postMessage")
        await SlackHTTP(client, fake_slack).action(
            click(posted, fake_slack.response_url(), user="U8", value="daily:answer:1:A")
        )
        [feedback] = await fake_slack.wait_for("chat.postEphemeral")
        # the post's thread is empty until the reveal: in it the note would be shown to nobody
        assert feedback.params["user"] == "U8" and feedback.params.get("thread_ts") is None and ts
    finally:
        await adapter.close()
        await client.close()


# -- tokens ------------------------------------------------------------------------------------------
def _settings(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack, bot: str, app: str = "xapp-1") -> Settings:
    monkeypatch.setenv("AIFBOT_SLACK_BOT_TOKEN", bot)
    monkeypatch.setenv("AIFBOT_SLACK_APP_TOKEN", app)
    monkeypatch.setenv("AIFBOT_SLACK_API_URL", fake.api_url)
    return Settings()


@pytest.mark.parametrize(
    ("bot", "app", "named", "why"),
    [
        ("xoxp-a-user-token", "xapp-1", "AIFBOT_SLACK_BOT_TOKEN", "user token"),
        ("xapp-1-swapped", "xapp-1", "AIFBOT_SLACK_BOT_TOKEN", "app-level token"),
        ("xoxb-ok", "xoxb-swapped", "AIFBOT_SLACK_APP_TOKEN", "bot token"),
        ("xoxb-revoked", "xapp-1", "AIFBOT_SLACK_BOT_TOKEN", "invalid_auth"),
        ("xoxb-ok", "xapp-revoked", "AIFBOT_SLACK_APP_TOKEN", "invalid_auth"),
    ],
)
async def test_a_wrong_token_stops_the_start_with_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, gateway, bot: str, app: str, named: str, why: str
) -> None:
    fake_slack.revoked |= {"xoxb-revoked", "xapp-revoked"}
    adapter = SlackAdapter(_settings(monkeypatch, fake_slack, bot, app), gateway)
    try:
        with pytest.raises(SlackTokenError) as raised:
            await asyncio.wait_for(adapter.run(http=False), 20)
        said = str(raised.value)
        assert named in said and why in said and "\n" not in said
        assert not fake_slack.made("socket_connected")  # no retry loop: never connected
        assert not await adapter.ready()
    finally:
        await adapter.close()


async def test_a_bot_token_is_identified_and_a_persons_token_refused_by_what_slack_says(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, gateway
) -> None:
    from bots.slack.startup import identify

    adapter = SlackAdapter(_settings(monkeypatch, fake_slack, "xoxb-ok"), gateway)
    try:
        identity = await identify(adapter.client)
        assert (identity.user_id, identity.bot_id, identity.app_id) == (BOT_USER, "BBOT", "A1")
        fake_slack.person_tokens.add("xoxb-ok")  # auth.test answers as a person: no bot_id
        with pytest.raises(SlackTokenError, match="belongs to a person"):
            await identify(adapter.client)
    finally:
        await adapter.close()


async def test_a_token_revoked_while_serving_stops_within_20_s(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack, gateway
) -> None:
    settings = _settings(monkeypatch, fake_slack, "xoxb-live", "xapp-live")
    adapter = SlackAdapter(settings, gateway, token_check_interval=0.5)
    running = asyncio.create_task(adapter.run(http=False))
    try:
        await fake_slack.wait_for("socket_connected")
        deadline = time.monotonic() + 10
        while not await adapter.ready():  # /readyz: ready once the socket is connected
            assert time.monotonic() < deadline and not running.done()
            await asyncio.sleep(0.05)
        fake_slack.revoked.add("xoxb-live")
        revoked_at = time.monotonic()
        with pytest.raises(SlackTokenError) as raised:
            await asyncio.wait_for(running, REVOKED_STOP_BOUND_S)
        assert time.monotonic() - revoked_at < REVOKED_STOP_BOUND_S
        assert "AIFBOT_SLACK_BOT_TOKEN" in str(raised.value) and "invalid_auth" in str(raised.value)
        assert not await adapter.ready()
    finally:
        running.cancel()
        await adapter.close()


async def test_a_tokens_revoked_event_stops_serving(slack_http: SlackHTTP, slack: SlackAdapter) -> None:
    running = asyncio.create_task(slack.run(http=True))
    try:
        deadline = time.monotonic() + 10
        while not await slack.ready():
            assert time.monotonic() < deadline and not running.done()
            await asyncio.sleep(0.05)
        await slack_http.event(tokens_revoked())
        with pytest.raises(SlackTokenError):
            await asyncio.wait_for(running, REVOKED_STOP_BOUND_S)
        assert not await slack.ready()
    finally:
        running.cancel()


def _home_text(call: Call) -> str:
    view = call.params["view"]
    view = view if isinstance(view, dict) else json.loads(view)
    return Call("views.publish", {"blocks": view["blocks"]}).text_of_blocks()


async def test_the_home_tab_is_refreshed_after_quiz_activity(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    from tests.bots.slack.driver import right_answer

    await slack_http.event(app_home_opened("U1"))
    [first] = await fake_slack.wait_for("views.publish")
    assert "No answers yet" in _home_text(first)
    await slack_http.command("quiz 1 question on domain 2", channel="D1")
    [question] = await fake_slack.wait_for("chat.update")
    await slack_http.action(right_answer(question, fake_slack.response_url()))
    [*_, refreshed] = await fake_slack.wait_for("views.publish", 3)
    assert "Readiness" in _home_text(refreshed) and "Cards due" in _home_text(refreshed)


def test_standard_markdown_becomes_slack_mrkdwn() -> None:
    from bots.slack.blocks import mrkdwn

    text = "## Bedrock\n**Managed** foundation models, *serverless*.\n- one\n* two\n[docs](https://aws.amazon.com/bedrock)"
    assert mrkdwn(text) == (
        "*Bedrock*\n*Managed* foundation models, _serverless_.\n• one\n• two\n<https://aws.amazon.com/bedrock|docs>"
    )
    assert (
        mrkdwn("run `**not bold**` and\n```\n**kept**\n```") == "run `**not bold**` and\n```\n**kept**\n```"
    )
    assert mrkdwn("<!here> ~~old~~") == "&lt;!here&gt; ~old~"
