"""`/aif …` over HTTP mode: acknowledged at once, a visible "thinking" message replaced by the
answer, private commands in the user's DM, admin commands for admins only, quizzes by buttons."""

from __future__ import annotations

from bots.slack import SlackAdapter
from tests.bots.slack.conftest import SlackHTTP
from tests.bots.slack.driver import open_question, right_answer
from tests.bots.slack.fake_slack import FakeSlack
from tests.bots.slack.payloads import click


async def test_an_unknown_command_gets_a_friendly_ephemeral_usage(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    response = await slack_http.command("dance <!channel>")
    assert response.status == 200 and await response.text() == ""  # acknowledged, nothing shown yet
    [reply] = await fake_slack.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral"
    usage = reply.params["text"]
    assert "I don't know the command" in usage and "`quiz &lt;topic&gt;`" in usage  # shown as <topic>
    await fake_slack.settle()
    assert not fake_slack.made("chat.postMessage")
    assert "<!channel>" not in fake_slack.dumped()


async def test_ask_shows_thinking_then_the_answer_in_its_place(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    await slack_http.command("ask what is Amazon Polly?", user_name="ann", channel="C1")
    [thinking] = await fake_slack.wait_for("chat.postMessage")
    assert thinking.params["channel"] == "C1" and "Thinking" in thinking.text_of_blocks()
    [update] = await fake_slack.wait_for("chat.update")
    assert update.params["ts"] == thinking.ts  # the thinking state is replaced by the answer
    shown = update.text_of_blocks()
    assert "<@U1> asked: /aif ask what is Amazon Polly?" in shown  # named by id, not user_name
    assert "text-to-speech" in shown.lower() and "Sources:" in shown
    assert update.params["text"]


async def test_a_quiz_by_buttons_from_the_slash_command_to_the_summary(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    await slack_http.command("quiz 3 questions on domain 1", channel="C1")
    [thinking] = await fake_slack.wait_for("chat.postMessage")
    [question] = await fake_slack.wait_for("chat.update")
    assert "Question 1 of 3" in question.text_of_blocks()
    thread = thinking.ts
    for n in range(3):
        await slack_http.action(right_answer(question, fake_slack.response_url(), wrong=n == 1))
        replies = await fake_slack.wait_for("chat.postMessage", n + 2)
        question = replies[-1]
        assert question.params["thread_ts"] == thread  # the quiz goes on in the command's thread
        shown = question.text_of_blocks()
        assert ("Not quite" if n == 1 else "✅ Correct!") in shown
        if n < 2:
            assert f"Question {n + 2} of 3" in shown
    assert "Quiz done" in shown and "2/3 correct" in shown
    assert open_question(question) is None


async def test_stats_are_private_first_and_shared_with_their_chart_on_request(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    await slack_http.command("quiz 1 question on domain 2", channel="C1")  # something to chart
    [question] = await fake_slack.wait_for("chat.update")
    await slack_http.action(right_answer(question, fake_slack.response_url()))
    await fake_slack.wait_for("chat.postMessage", 2)
    posted = len(fake_slack.made("chat.postMessage"))

    await slack_http.command("stats", channel="C1")
    [*_, stats] = await fake_slack.wait_for("response_url", 1)
    assert stats.params["response_type"] == "ephemeral" and "1 answered" in stats.text_of_blocks()
    assert "Share to channel" in stats.text_of_blocks()
    await fake_slack.settle()
    assert len(fake_slack.made("chat.postMessage")) == posted  # nothing public yet
    assert not fake_slack.made("files.completeUploadExternal")

    await slack_http.action(click(stats, fake_slack.response_url(), user="U1", action_id="aif:share"))
    [*_, shared] = await fake_slack.wait_for("chat.postMessage", posted + 1)
    assert shared.params["channel"] == "C1" and shared.params.get("thread_ts") is None
    assert "<@U1> shared their stats" in shared.text_of_blocks() and "1 answered" in shared.text_of_blocks()
    [complete] = await fake_slack.wait_for("files.completeUploadExternal")
    [upload] = fake_slack.made("file_upload")
    assert upload.params["head"] == b"\x89PNG\r\n\x1a\n".hex() and upload.params["bytes"] > 1000
    assert complete.params["channel_id"] == "C1"


async def test_help_is_ephemeral(slack_http: SlackHTTP, fake_slack: FakeSlack) -> None:
    await slack_http.command("help", channel="C1")
    [shown] = await fake_slack.wait_for("response_url")
    assert shown.params["response_type"] == "ephemeral" and "quiz" in shown.text_of_blocks().lower()
    await fake_slack.settle()
    assert not fake_slack.made("chat.postMessage")


async def test_bank_goes_to_the_users_dm_with_a_note_in_the_channel(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    await slack_http.command("bank why is my account not active?", user="U5", channel="C1")
    [opened] = await fake_slack.wait_for("conversations.open")
    assert opened.params["users"] == "U5"
    [note] = await fake_slack.wait_for("response_url")
    assert note.params["response_type"] == "ephemeral" and "direct message" in note.params["text"]
    [thinking] = await fake_slack.wait_for("chat.postMessage", channel="DU5")
    [answer] = await fake_slack.wait_for("chat.update", channel="DU5")
    assert answer.params["ts"] == thinking.ts and "account number" in answer.text_of_blocks()
    assert not fake_slack.made("chat.postMessage", channel="C1")


async def test_a_channel_the_bot_is_not_in_gets_the_answer_by_dm(
    slack_http: SlackHTTP, fake_slack: FakeSlack
) -> None:
    fake_slack.not_in.add("C9")
    await slack_http.command("ask what is Amazon Polly?", channel="C9", user="U3")
    [answer] = await fake_slack.wait_for("chat.update", channel="DU3")
    assert "text-to-speech" in answer.text_of_blocks().lower()
    [note] = await fake_slack.wait_for("response_url")
    assert "direct message" in note.params["text"]


async def test_admin_commands_are_for_workspace_admins_and_are_stored(
    slack_http: SlackHTTP, fake_slack: FakeSlack, slack: SlackAdapter
) -> None:
    await slack_http.command("admin answer here", user="U1", channel="C1")
    [refused] = await fake_slack.wait_for("response_url")
    assert "Only workspace admins" in refused.params["text"]
    assert await slack.listeners.gateway.state.channel("slack", "C1") is None

    fake_slack.admins.add("UADMIN")
    await slack_http.command("admin answer here", user="UADMIN", channel="C1")
    await slack_http.command(
        "admin daily <#C2|quiz> 09:30 Europe/Berlin mon-fri", user="UADMIN", channel="C1"
    )
    await fake_slack.wait_for("response_url", 3)
    saved = await slack.listeners.gateway.state.channel("slack", "C1")
    assert saved is not None and saved.answers and saved.workspace == "T1" and saved.updated_by == "UADMIN"
    posts = await slack.listeners.gateway.state.channel("slack", "C2")
    assert posts is not None and posts.daily_time == "09:30" and posts.daily_timezone == "Europe/Berlin"

    await slack_http.command("admin channels", user="UADMIN", channel="C1")
    [*_, listing] = await fake_slack.wait_for("response_url", 4)
    assert "<#C1>" in listing.params["text"] and "<#C2>" in listing.params["text"]  # live channel links
    [check] = fake_slack.made("users.info", user="UADMIN")[:1]
    assert check.params["user"] == "UADMIN"
