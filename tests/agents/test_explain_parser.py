"""Recognising a pasted multiple-choice question in the layouts people paste."""

from __future__ import annotations

import pytest

from agents.tutor.mcq import parse_pasted_question

OPTIONS = ["Amazon Polly", "Amazon Transcribe", "Amazon Translate", "Amazon Lex"]
STEM = "Which AWS service turns recorded phone calls into text?"


def lettered(style: str, lower: bool = False, inline: bool = False) -> str:
    letters = "abcd" if lower else "ABCD"
    marks = [style.format(letter) for letter in letters]
    joiner = " " if inline else "\n"
    return joiner.join(f"{m} {o}" for m, o in zip(marks, OPTIONS, strict=True))


@pytest.mark.parametrize(
    "body",
    [
        lettered("{}."),
        lettered("{})"),
        lettered("({})"),
        lettered("{}:", lower=True),
        lettered("{}.", inline=True),
        lettered("({})", inline=True),
        lettered("{})", lower=True, inline=True),
    ],
)
def test_layouts(body: str) -> None:
    for text in (
        f"{STEM}\n{body}",
        f"{STEM} {body}\nwhich is right?",
        f"which one is right?\n{STEM}\n{body}",
    ):
        question = parse_pasted_question(text)
        assert question is not None, text
        assert list(question.options) == ["A", "B", "C", "D"]
        assert list(question.options.values()) == OPTIONS
        assert question.stem.endswith(STEM)
        assert "which is right" not in question.stem.lower()


@pytest.mark.parametrize(
    ("phrase", "n"),
    [("(Select TWO.)", 2), ("Choose 2 answers.", 2), ("(Choose three.)", 3), ("Select THREE", 3)],
)
def test_select_n(phrase: str, n: int) -> None:
    text = f"Which services analyse text? {phrase}\nA. one\nB. two\nC. three\nD. four\nE. five"
    question = parse_pasted_question(text)
    assert question is not None and question.pick == n


@pytest.mark.parametrize(
    ("stem", "qualifier"),
    [
        ("Which service is NOT a managed AI service?", "negative"),
        ("All of the following are benefits EXCEPT:", "negative"),
        ("Which option is LEAST likely to reduce bias?", "negative"),
        ("Which solution meets the need with the LEAST operational overhead?", "least_overhead"),
        ("Which solution is the MOST cost-effective?", "cost"),
        ("Which service should the company use?", "best"),
    ],
)
def test_qualifiers(stem: str, qualifier: str) -> None:
    question = parse_pasted_question(f"{stem}\nA. one\nB. two\nC. three\nD. four")
    assert question is not None and question.qualifier == qualifier


def test_plain_questions_are_not_multiple_choice() -> None:
    for text in (
        "What is RAG?",
        "Explain the difference between a. supervised and b. unsupervised learning",
        "I scored 600 on practice test A. Is that bad?",
        "",
    ):
        assert parse_pasted_question(text) is None, text


def test_answer_key_is_taken_out_of_the_options() -> None:
    question = parse_pasted_question(f"{STEM}\n{lettered('{}.')}\nCorrect answer: B")
    assert question is not None
    assert question.key == ["B"]
    assert question.options["D"] == "Amazon Lex"


def test_bad_input_is_reported() -> None:
    no_stem = parse_pasted_question(lettered("{}."))
    assert no_stem is not None and "no stem" in no_stem.problems
    skipped = parse_pasted_question(
        f"{STEM}\nA. Amazon Polly\nB. Amazon Transcribe\nD. Amazon Lex\nE. Kendra"
    )
    assert skipped is not None and "skipped letters" in skipped.problems
    assert list(skipped.options) == ["A", "B", "D", "E"]
    twice = parse_pasted_question(f"{STEM}\nA. Polly\nB. Transcribe\nB. Translate\nC. Lex")
    assert twice is not None and "duplicate letters" in twice.problems
    assert list(twice.options) == ["A", "B", "C", "D"]
    many = parse_pasted_question(STEM + "\n" + "\n".join(f"{x}. option {x}" for x in "ABCDEFG"))
    assert many is not None and "more than six options" in many.problems
    figure = parse_pasted_question(f"Refer to the diagram. {STEM}\n{lettered('{}.')}")
    assert figure is not None and figure.missing_figure
