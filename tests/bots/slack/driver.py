"""Answering the bot's quiz questions the way a person does in Slack: through the widget the
message shows (buttons, checkboxes, selects), with the right answer from the question bank."""

from __future__ import annotations

from functools import cache
from typing import Any

from knowledge.question_bank import Question, load_questions
from tests.bots.slack.fake_slack import Call
from tests.bots.slack.payloads import click, find_element, form_state


@cache
def bank() -> dict[str, Question]:
    return {q.id: q for q in load_questions()}


def open_question(call: Call) -> tuple[str, str] | None:
    """(question id, widget kind) of the question a message shows, if any."""
    for block in call.blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        for element in elements:
            value = element.get("value") or ""
            if element["action_id"] == "aif:submit":
                kind, _, question = value.split("|")
                return question, kind
            if value.startswith("quiz:answer:"):
                return value.split(":")[2], "single"
    return None


def right_answer(call: Call, response_url: str, *, user: str = "U1", wrong: bool = False) -> dict[str, Any]:
    """The block_actions payload that answers the message's question (rightly, or not)."""
    found = open_question(call)
    assert found, f"no open question in {call.text_of_blocks()[:300]}"
    qid, kind = found
    question = bank()[qid]
    letters = question.answer_letters
    if kind == "single":
        letter = next(k for k in sorted(question.options) if k != letters[0]) if wrong else letters[0]
        return click(call, response_url, user=user, value=f"quiz:answer:{qid}:{letter}")
    if kind == "multiple":
        others = [k for k in sorted(question.options) if k not in letters]
        picks: dict[str, Any] = {"aif:pick:multi": others[: len(letters)] if wrong else sorted(letters)}
    elif kind == "ordering":
        order = list(reversed(letters)) if wrong else letters
        picks = {f"aif:pick:order:{i}": letter for i, letter in enumerate(order, start=1)}
    else:
        pairs = dict(question.answer)  # type: ignore[arg-type]
        if wrong:  # every item gets its neighbour's target
            items = sorted(pairs)
            pairs = {item: pairs[items[i - 1]] for i, item in enumerate(items)}
        picks = {f"aif:pick:match:{letter}": target for letter, target in pairs.items()}
    find_element(call, action_id="aif:submit")
    return click(call, response_url, user=user, state=form_state(call, picks), action_id="aif:submit")
