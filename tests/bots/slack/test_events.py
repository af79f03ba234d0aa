"""HTTP mode end to end: signed Events API requests against the real aiohttp app of `aifbot serve`,
the real graph behind the gateway, and a fake Slack Web API recording what the bot sends."""

from __future__ import annotations

import json

from bots.slack import SlackAdapter
from tests.bots.slack.conftest import SlackHTTP
from tests.bots.slack.fake_slack import BOT_USER, FakeSlack
from tests.bots.slack.payloads import event_callback, mention, message


async def test_a_bad_signature_is_refused_with_401(slack_http: SlackHTTP, fake_slack: FakeSlack) -> None:
    body = json.dumps(event_callback(mention(f"<@{BOT_USER}> what is Amazon Polly?")))
    response = await slack_http.post(body, "application/json", secret="not-the-secret")
    assert response.status == 401
    unsigned = await slack_http.client.post(
        "/slack/events", data=body, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status == 401
    await fake_slack.settle()
    assert not fake_slack.made("chat.postMessage")


async def test_a_mention_is_answered_in_its_thread_with_citations(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    event = mention(f"<@{BOT_USER}> what is Amazon Polly?", channel="C1")
    response = await slack_http.event(event)
    assert await response.text() == ""  # the acknowledgement; the answer comes after it

    [answer] = await fake_slack.wait_for("chat.postMessage")
    assert answer.params["channel"] == "C1"
    assert answer.params["thread_ts"] == event["ts"]  # a new thread on the mentioning message
    assert answer.params["_token"] == "xoxb-test-token"
    blocks = answer.blocks
    assert blocks[0]["type"] == "section" and "text-to-speech" in blocks[0]["text"]["text"].lower()
    sources = [b for b in blocks if b["type"] == "context" and "Sources:" in b["elements"][0]["text"]]
    assert sources and "Amazon Polly" in sources[0]["elements"][0]["text"]
    feedback = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert feedback == ["aif:feedback:up", "aif:feedback:down"]
    assert answer.params["text"]  # a fallback text for notifications
    assert fake_slack.made("auth.test")  # bolt authorised the request with the bot token


async def test_a_direct_message_is_answered_in_the_dm_and_keeps_its_conversation(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter
) -> None:
    await slack_http.event(message("what is Amazon Transcribe?", channel="D1", channel_type="im"))
    [answer] = await fake_slack.wait_for("chat.postMessage", channel="D1")
    assert answer.params.get("thread_ts") is None  # a DM is answered at its top level
    assert "speech" in answer.text_of_blocks().lower()

    await slack_http.event(message("quiz me on that", channel="D1", channel_type="im"))
    _, quiz = await fake_slack.wait_for("chat.postMessage", 2, channel="D1")
    assert "Question 1 of" in quiz.text_of_blocks()
    state = await slack.listeners.gateway.conversations.graph.aget_state(
        {"configurable": {"thread_id": "slack:D1:dm"}}
    )
    assert len(state.values["messages"]) == 4  # both turns in the one DM conversation


async def test_a_thread_follow_up_without_a_mention_is_answered_only_in_threads_the_bot_is_in(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    first = mention(f"<@{BOT_USER}> what is Amazon Polly?")
    await slack_http.event(first)
    await fake_slack.wait_for("chat.postMessage")

    await slack_http.event(message("what is Amazon Rekognition?", thread_ts=first["ts"]))
    [_, follow_up] = await fake_slack.wait_for("chat.postMessage", 2)
    assert follow_up.params["thread_ts"] == first["ts"]
    assert "rekognition" in follow_up.text_of_blocks().lower()

    await slack_http.event(message("what is Amazon Lex?", thread_ts="1599999999.000001"))  # not ours
    await slack_http.event(message("what is Amazon Lex?"))  # top-level chatter
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage")) == 2


async def test_a_retried_event_and_the_message_twin_of_a_mention_are_answered_once(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    first = mention(f"<@{BOT_USER}> what is Amazon Polly?")
    await slack_http.event(first, event_id="EvRETRY1")
    await slack_http.event(first, event_id="EvRETRY1", retry=1)  # Slack's retry after a slow ack
    await fake_slack.wait_for("chat.postMessage")

    # in a thread the bot is in, one message with a mention arrives as app_mention AND message
    again = mention(f"<@{BOT_USER}> and Amazon Lex?", thread_ts=first["ts"])
    await slack_http.event(again)
    await slack_http.event(message(again["text"], ts=again["ts"], thread_ts=first["ts"]))
    await fake_slack.wait_for("chat.postMessage", 2)
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage")) == 2


async def test_bot_messages_edits_and_joins_are_ignored(slack_http: SlackHTTP, fake_slack: FakeSlack) -> None:
    first = mention(f"<@{BOT_USER}> what is Amazon Polly?")
    await slack_http.event(first)
    await fake_slack.wait_for("chat.postMessage")
    thread = first["ts"]
    await slack_http.event(message("I am a bot", thread_ts=thread, bot_id="B2", subtype="bot_message"))
    await slack_http.event(message("edited", thread_ts=thread, subtype="message_changed"))
    await slack_http.event(message("<@U2> has joined the channel", thread_ts=thread, subtype="channel_join"))
    await slack_http.event(message("hello", channel="D1", channel_type="im", bot_id="B2"))
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage")) == 1


async def test_channels_an_admin_excluded_get_no_answers_but_dms_do(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter
) -> None:
    from tools.state import ChannelSettings

    state = slack.listeners.gateway.state
    await state.save_channel(ChannelSettings(platform="slack", channel="C2", workspace="T1", answers=True))

    await slack_http.event(mention(f"<@{BOT_USER}> what is Amazon Polly?", channel="C1", user="U7"))
    [note] = await fake_slack.wait_for("chat.postEphemeral")
    assert note.params["user"] == "U7" and "don't answer in this channel" in note.params["text"]

    await slack_http.event(mention(f"<@{BOT_USER}> what is Amazon Polly?", channel="C2"))
    await fake_slack.wait_for("chat.postMessage", channel="C2")
    await slack_http.event(message("what is Amazon Polly?", channel="D1", channel_type="im"))
    await fake_slack.wait_for("chat.postMessage", channel="D1")
    await fake_slack.settle()
    assert not fake_slack.made("chat.postMessage", channel="C1")


async def test_mentions_in_user_text_never_become_live_mentions(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    text = "<!channel> <!here> <@U123> <!everyone> what is Amazon Polly?"
    await slack_http.event(mention(f"<@{BOT_USER}> {text}"))
    await slack_http.command(f"ask {text}")  # the slash command's answer shows who asked what
    await fake_slack.wait_for("chat.postMessage", 2)
    [update] = await fake_slack.wait_for("chat.update")
    assert "&lt;!channel&gt;" in update.text_of_blocks()  # shown, as text
    sent = fake_slack.dumped()
    for live in ("<!channel>", "<!here>", "<@U123>", "<!everyone>"):
        assert live not in sent
    sections = [b for c in fake_slack.calls for b in c.blocks if b["type"] in ("section", "context")]
    texts = [b["text"] for b in sections if "text" in b] + [
        e for b in sections for e in b.get("elements", [])
    ]
    assert texts and all(t.get("verbatim") for t in texts if t["type"] == "mrkdwn")


async def test_a_429_is_retried_after_retry_after(slack_http: SlackHTTP, fake_slack: FakeSlack) -> None:
    fake_slack.rate_limited["chat.postMessage"] = 1
    await slack_http.event(mention(f"<@{BOT_USER}> what is Amazon Polly?"))
    [answer] = await fake_slack.wait_for("chat.postMessage")
    [refused] = [c for c in fake_slack.calls if c.result.get("status") == 429]
    assert refused.params["text"] == answer.params["text"]
    assert answer.at - refused.at >= 0.9  # Retry-After: 1 was honoured before trying again
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage")) == 1


async def test_a_failing_answer_is_apologised_for_and_the_bot_keeps_answering(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    from tools.metrics import METRICS

    errors = METRICS.platform_errors.labels("slack", "invalid_blocks")
    before = errors._value.get()
    fake_slack.fail_next["chat.postMessage"] = "invalid_blocks"
    first = mention(f"<@{BOT_USER}> what is Amazon Polly?", user="U6")
    await slack_http.event(first)
    [sorry] = await fake_slack.wait_for("chat.postEphemeral")
    assert sorry.params["user"] == "U6"
    assert sorry.params.get("thread_ts") is None  # the mention's thread has no replies: top level
    assert "went wrong" in sorry.params["text"]
    assert errors._value.get() == before + 1

    await slack_http.event(mention(f"<@{BOT_USER}> what is Amazon Lex?"))
    [answer] = await fake_slack.wait_for("chat.postMessage")  # the refused one isn't counted
    assert "lex" in answer.text_of_blocks().lower()


async def test_the_acknowledgement_does_not_wait_for_the_answer(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter
) -> None:
    event = mention(f"<@{BOT_USER}> what is Amazon Polly?", channel="C1")
    async with slack.listeners._locks.hold(f"slack:C1:{event['ts']}"):  # the answer can't start yet
        response = await slack_http.event(event)
        assert response.status == 200  # acknowledged while the conversation is still busy
        assert not fake_slack.made("chat.postMessage")
    await fake_slack.wait_for("chat.postMessage")  # and answered once it's free
