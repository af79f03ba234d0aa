"""The Block Kit renderer: limits, escaping, widgets per question format, block and action ids."""

from __future__ import annotations

import json

import pytest

from agents.reply import AnswerForm, Choice, Citation, Reply
from bots.slack.blocks import (
    BLOCK_LIMIT,
    SECTION_LIMIT,
    SlackMessage,
    mrkdwn,
    read_form,
    render,
    thread_of,
)
from tests.bots.slack.fake_slack import Call

POLLY = Citation(n=1, section="amazon-polly", title="Amazon Polly", source="d1/05-aws-ai-services.md")


def sections(message: SlackMessage) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section" and "accessory" not in b]


def check_ids(messages: list[SlackMessage]) -> None:
    """Slack's rules: block ids unique in a message, action ids unique in a block; a fallback text."""
    for message in messages:
        assert message.text.strip()
        assert len(message.blocks) <= BLOCK_LIMIT
        ids = [b["block_id"] for b in message.blocks if "block_id" in b]
        assert len(ids) == len(set(ids))
        for block in message.blocks:
            actions = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
            assert len(actions) == len(set(actions))


def test_long_text_is_split_into_sections_within_the_limit() -> None:
    paragraph = "Amazon Polly turns text into lifelike speech. " * 40  # ~1,800 characters
    text = "\n\n".join([paragraph] * 5)  # ~9,000 characters
    [message] = render(Reply(text=text, route="tutor"))
    parts = sections(message)
    assert len(parts) >= 3 and all(len(p) <= SECTION_LIMIT for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # nothing lost
    check_ids([message])


def test_more_than_50_blocks_become_several_messages() -> None:
    from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

    from bots.slack.blocks import _grouped

    blocks = [SectionBlock(text=MarkdownTextObject(text=f"Paragraph {i}.")) for i in range(60)]
    groups = _grouped(blocks)
    assert [len(g) for g in groups] == [BLOCK_LIMIT, 10]
    assert groups[1][0].text.text == "Paragraph 50."


def test_long_replies_are_split_by_their_total_text_as_well() -> None:
    # 60 sections of ~2,800 characters: far under 50 blocks a message, far over 12,000 characters
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 560 for i in range(60))
    messages = render(Reply(text=text, route="tutor", citations=[POLLY]), thread="111.222")
    check_ids(messages)
    assert sum(len(sections(m)) for m in messages) == 60
    for message in messages:
        shown = Call("chat.postMessage", {"blocks": message.blocks}).text_of_blocks()
        assert len(shown) <= 12_000 and len(message.blocks) <= BLOCK_LIMIT
    assert messages[-1].blocks[-1]["type"] == "actions"
    assert not any(b["type"] == "actions" for m in messages[:-1] for b in m.blocks)


def test_user_mentions_are_escaped_everywhere_and_sections_are_verbatim() -> None:
    hostile = "<!channel> <!here> <@U123> <#C1> & <https://evil.example|click>"
    reply = Reply(
        text=f"You said: {hostile}",
        route="tutor",
        notice=hostile,
        citations=[Citation(n=1, section="x", title=hostile, source="y")],
    )
    messages = render(reply, thread="1.2")
    dumped = json.dumps([m.model_dump() for m in messages])
    for live in ("<!channel>", "<!here>", "<@U123>", "<#C1>", "<https://"):
        assert live not in dumped
    assert "&lt;!channel&gt;" in sections(messages[0])[0] and "&lt;!channel&gt;" in messages[0].text
    texts = [b["text"] for m in messages for b in m.blocks if b["type"] == "section"]
    texts += [e for m in messages for b in m.blocks if b["type"] == "context" for e in b["elements"]]
    assert all(t["type"] == "mrkdwn" and t["verbatim"] for t in texts)
    # button labels are plain text, which Slack never renders as mentions
    [quiz] = render(Reply(text="Q", route="quizmaster", choices=[Choice(label="<!here>", value="x")]))
    assert quiz.blocks[-1]["elements"][0]["text"] == {"type": "plain_text", "text": "<!here>"}


def test_markdown_becomes_slack_mrkdwn() -> None:
    assert mrkdwn("**Amazon Titan** and __Nova__") == "*Amazon Titan* and *Nova*"
    assert mrkdwn("## Pricing") == "*Pricing*"
    assert mrkdwn("[docs](https://aws.amazon.com/polly/)") == "<https://aws.amazon.com/polly/|docs>"
    assert mrkdwn("a -> b & c") == "a -&gt; b &amp; c"


def test_citations_and_notice_are_context_blocks_and_tutor_answers_get_feedback_buttons() -> None:
    reply = Reply(text="Polly is TTS. [1]", route="tutor", citations=[POLLY], notice="Offline excerpts.")
    [message] = render(reply, thread="9.9")
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["section", "context", "context", "actions"]
    assert message.blocks[1]["elements"][0]["text"] == "Offline excerpts."
    assert "[1] Amazon Polly" in message.blocks[2]["elements"][0]["text"]
    feedback = message.blocks[3]
    assert [e["value"] for e in feedback["elements"]] == ["+1", "-1"]
    assert thread_of(feedback["block_id"]) == "9.9"
    # no citations, or not the tutor: no feedback buttons
    assert [b["type"] for b in render(Reply(text="Hi", route="help"))[0].blocks] == ["section"]
    assert "actions" not in json.dumps(
        render(Reply(text="Q", route="quizmaster", citations=[POLLY]))[0].blocks
    )


def test_approval_choices_are_primary_and_danger_buttons_carrying_their_values() -> None:
    reply = Reply(
        text="Shall I send a resubmission request?",
        route="banking",
        private=True,
        pending="approval",
        choices=[Choice(label="Approve", value="approve"), Choice(label="Cancel", value="cancel")],
    )
    [message] = render(reply, thread="dm")
    buttons = message.blocks[-1]["elements"]
    assert [(b["value"], b["style"], b["action_id"]) for b in buttons] == [
        ("approve", "primary", "aif:choice:0"),
        ("cancel", "danger", "aif:choice:1"),
    ]
    assert thread_of(message.blocks[-1]["block_id"]) == "dm"


FORMS = {
    "single": AnswerForm(question="d1-001", type="single", options=dict(zip("ABCD", "wxyz", strict=True))),
    "multiple": AnswerForm(
        question="d1-002",
        type="multiple",
        options={k: f"Option {k} " + "long " * 30 for k in "ABCDE"},
        pick=2,
    ),
    "ordering": AnswerForm(
        question="d1-003", type="ordering", options={"A": "Train", "B": "Deploy", "C": "Prep"}
    ),
    "matching": AnswerForm(
        question="d1-004",
        type="matching",
        options={"A": "SHAP", "B": "LIME", "C": "PDP"},
        targets={"1": "Average effect", "2": "Local model", "3": "Shapley", "4": "Model card"},
    ),
}


@pytest.mark.parametrize("kind", list(FORMS))
def test_each_question_format_gets_its_widget(kind: str) -> None:
    form = FORMS[kind]
    choices = [Choice(label=k, value=form.value([k])) for k in form.options] if kind == "single" else []
    [message] = render(Reply(text="Question", route="quizmaster", form=form, choices=choices), thread="5.5")
    check_ids([message])
    interactive = [b for b in message.blocks if b["type"] == "actions" or "accessory" in b]
    assert all(thread_of(b["block_id"]) == "5.5" for b in interactive)
    if kind == "single":
        [block] = interactive
        assert [e["value"] for e in block["elements"]] == [f"quiz:answer:d1-001:{k}" for k in "ABCD"]
        return
    submit = interactive[-1]["elements"][0]
    assert submit["action_id"] == "aif:submit" and submit["value"] == f"{kind}|quiz:answer:|{form.question}"
    if kind == "multiple":
        [box] = interactive[0]["elements"]
        assert box["type"] == "checkboxes" and [o["value"] for o in box["options"]] == list("ABCDE")
        assert all(len(o["text"]["text"]) <= 75 for o in box["options"])
    elif kind == "ordering":
        selects = [b["accessory"] for b in interactive[:-1]]
        assert [s["action_id"] for s in selects] == [
            "aif:pick:order:1",
            "aif:pick:order:2",
            "aif:pick:order:3",
        ]
        assert all([o["value"] for o in s["options"]] == ["A", "B", "C"] for s in selects)
    else:
        selects = [b["accessory"] for b in interactive[:-1]]
        assert [s["action_id"] for s in selects] == [
            "aif:pick:match:A",
            "aif:pick:match:B",
            "aif:pick:match:C",
        ]
        assert all([o["value"] for o in s["options"]] == ["1", "2", "3", "4"] for s in selects)


def test_a_submitted_form_becomes_the_answer_text() -> None:
    def chosen(value: str) -> dict:
        return {"type": "static_select", "selected_option": {"value": value}}

    multiple = {
        "aif:pick:multi": {"type": "checkboxes", "selected_options": [{"value": "C"}, {"value": "A"}]}
    }
    assert read_form("multiple|quiz:answer:|d1-002", multiple) == "quiz:answer:d1-002:A,C"
    ordering = {
        "aif:pick:order:2": chosen("A"),
        "aif:pick:order:1": chosen("C"),
        "aif:pick:order:3": chosen("B"),
    }
    assert read_form("ordering|quiz:answer:|d1-003", ordering) == "quiz:answer:d1-003:C A B"
    matching = {
        "aif:pick:match:B": chosen("2"),
        "aif:pick:match:A": chosen("3"),
        "aif:pick:match:C": chosen("1"),
    }
    assert read_form("matching|quiz:answer:|d1-004", matching) == "quiz:answer:d1-004:A-3 B-2 C-1"
    unfinished = {"aif:pick:order:1": chosen("C"), "aif:pick:order:2": {"selected_option": None}}
    assert read_form("ordering|quiz:answer:|d1-003", unfinished) == "quiz:answer:d1-003:C"  # asked again
    # a daily post's form answers the daily handler, keyed by the post
    assert read_form("multiple|daily:answer:|17", multiple) == "daily:answer:17:A,C"
