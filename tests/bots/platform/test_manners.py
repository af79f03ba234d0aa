"""Thread manners: which messages of a thread the bot joined are meant for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots.platform.admin import AdminError, find_channel, parse_channel
from bots.platform.manners import ThreadMessage, ThreadView, for_the_bot, is_chitchat, looks_like_answer

TALKING = ThreadView(known=True, owner="UANN")
QUIZ = ThreadView(known=True, owner="UANN", quiz_open=True)


@pytest.mark.parametrize(
    "text", ["B", "b.", "I think C", "my answer is D", "A, C", "a and c", "C A B D", "A-2 B-1 C-3", "(b)"]
)
def test_answers_look_like_answers(text: str) -> None:
    assert looks_like_answer(text)


@pytest.mark.parametrize(
    "text", ["lol same", "a bit later", "can you review my PR?", "Bedrock is cool", "", "ABC corp rocks"]
)
def test_talk_does_not_look_like_an_answer(text: str) -> None:
    assert not looks_like_answer(text)


@pytest.mark.parametrize("text", ["lol same", "thanks, that helps!", "ok cool", "👍", "+1", "haha"])
def test_small_talk(text: str) -> None:
    assert is_chitchat(text)


@pytest.mark.parametrize("text", ["what is RAG?", "and Amazon Lex?", "thanks, now explain fine-tuning"])
def test_questions_are_not_small_talk(text: str) -> None:
    assert not is_chitchat(text)


@pytest.mark.parametrize(
    ("view", "author", "text", "others", "meant"),
    [
        (TALKING, "UANN", "and what about Amazon Lex?", False, True),  # the person it talks to
        (TALKING, "UBOB", "what about Amazon Lex?", False, False),  # someone else, no mention
        (TALKING, "UANN", "can you review my PR?", True, False),  # addressed to someone else
        (TALKING, "UANN", "thanks, that helps!", False, False),  # small talk
        (QUIZ, "UCARL", "I think B", False, True),  # a quiz takes answers from anyone
        (QUIZ, "UANN", "did you see the game?", False, False),  # not an answer
        (QUIZ, "UANN", "next", False, True),  # the quiz's owner steering it
        (QUIZ, "UBOB", "skip", False, False),  # ... not someone else
        (QUIZ, "UBOB", "B", True, False),  # an answer addressed to a person: theirs to read
        (ThreadView(known=True, owner="UANN", flow_open=True), "UANN", "7777", False, True),
        (ThreadView(), "UANN", "what is RAG?", False, False),  # a thread it never joined
        (ThreadView(known=True, owner="UANN", mentions_only=True), "UANN", "and Lex?", False, False),
    ],
)
def test_for_the_bot(view: ThreadView, author: str, text: str, others: bool, meant: bool) -> None:
    assert for_the_bot(ThreadMessage(author=author, text=text, mentions_others=others), view) is meant


def test_a_mention_is_always_for_the_bot() -> None:
    message = ThreadMessage(author="UBOB", text="hi", mentions_bot=True)
    assert for_the_bot(message, ThreadView(known=True, owner="UANN", mentions_only=True))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("here", "CHERE"),
        ("<#C0123ABCD|quiz>", "C0123ABCD"),
        ("<#C0123ABCD>", "C0123ABCD"),
        ("C0123ABCD", "C0123ABCD"),
    ],
)
async def test_channels_are_read_however_they_are_typed(typed: str, expected: str) -> None:
    assert parse_channel(typed, "CHERE") == expected
    assert await find_channel(typed, "CHERE", None) == expected


async def test_a_channel_name_is_looked_up() -> None:
    async def resolve(name: str) -> str | None:
        return {"quiz": "C0QUIZ0001"}.get(name)

    assert await find_channel("#Quiz", "CHERE", resolve) == "C0QUIZ0001"
    with pytest.raises(AdminError, match="can't find"):
        await find_channel("#nope", "CHERE", resolve)


CASES = Path(__file__).with_name("manners_cases.jsonl")
VIEWS = {
    "talking": TALKING,
    "quiz": QUIZ,
    "flow": ThreadView(known=True, owner="UANN", flow_open=True),
}


def manners_accuracy(split: str) -> tuple[int, int]:
    """(right, total) of the labelled thread messages of one split (dev or heldout)."""
    right = total = 0
    for line in CASES.read_text().splitlines():
        case = json.loads(line)
        if case["split"] != split:
            continue
        author = "UANN" if case["author"] == "owner" else "UBOB"
        said = ThreadMessage(author=author, text=case["text"], mentions_others=case["others"])
        right += for_the_bot(said, VIEWS[case["view"]]) is case["meant"]
        total += 1
    return right, total


def test_the_labelled_thread_messages() -> None:
    dev, heldout = manners_accuracy("dev"), manners_accuracy("heldout")
    print(f"manners: dev {dev[0]}/{dev[1]}, held-out {heldout[0]}/{heldout[1]}")
    assert dev[0] == dev[1]
    assert heldout[0] >= 0.85 * heldout[1]
