"""Reading a learner's answer in any of the four formats, and grading it."""

from __future__ import annotations

import re

from pydantic import BaseModel

from agents.reply import ANSWER_PREFIX
from knowledge.question_bank import Question

_LETTER = re.compile(r"(?<![A-Za-z])([A-Fa-f])(?![A-Za-z])")
_PAIR = re.compile(r"([A-Fa-f])\s*(?:-|:|=|->|→|to)\s*(\d)")
BUTTON_PREFIX = ANSWER_PREFIX


class AnswerError(ValueError):
    """The text is not a usable answer to this question; the message says how to answer."""


class Grade(BaseModel):
    correct: bool
    given: str
    expected: str


def _letters(text: str) -> list[str]:
    return [m.upper() for m in _LETTER.findall(text)]


def button_value(question: Question, value: str) -> str:
    """A button's value: namespaced, so it still means the same after a restart."""
    return f"{BUTTON_PREFIX}{question.id}:{value}"


def parse(question: Question, text: str) -> list[str] | dict[str, str]:
    """The answer as letters (single, multiple, ordering) or letter → target (matching)."""
    if text.startswith(BUTTON_PREFIX):
        _, _, rest = text[len(BUTTON_PREFIX) :].partition(":")
        text = rest
    valid = sorted(question.options)
    span = f"{valid[0]}–{valid[-1]}"
    if question.type == "matching":
        pairs = {k.upper(): v for k, v in _PAIR.findall(text)}
        if set(pairs) != set(valid) or not set(pairs.values()) <= set(question.targets):
            raise AnswerError(
                f"Match every item to a number, like: {' '.join(f'{k}-{i}' for i, k in enumerate(valid, 1))}"
            )
        return pairs
    letters = _letters(text)
    unknown = [x for x in letters if x not in question.options]
    if unknown:
        raise AnswerError(f"There is no option {', '.join(unknown)}; choose from {span}.")
    if question.type == "single":
        if len(set(letters)) != 1:
            raise AnswerError(f"Pick one option, {span}.")
        return letters[:1]
    if question.type == "multiple":
        wanted = len(question.answer_letters)
        if len(set(letters)) != wanted:
            raise AnswerError(f"Pick exactly {wanted} options, like: {', '.join(valid[:wanted])}.")
        return sorted(set(letters))
    if sorted(letters) != valid:
        raise AnswerError(f"Put all of {span} in order, each once, like: {' '.join(reversed(valid))}.")
    return letters


def expected_text(question: Question) -> str:
    if isinstance(question.answer, dict):
        return " ".join(f"{k}-{v}" for k, v in sorted(question.answer.items()))
    return (" " if question.type == "ordering" else ", ").join(question.answer_letters)


def grade(question: Question, answer: list[str] | dict[str, str]) -> Grade:
    if isinstance(question.answer, dict):
        correct = answer == question.answer
        given = " ".join(f"{k}-{v}" for k, v in sorted(answer.items()))  # type: ignore[union-attr]
    elif question.type == "multiple":
        correct = sorted(answer) == sorted(question.answer_letters)
        given = ", ".join(answer)
    else:
        correct = list(answer) == question.answer_letters
        given = (" " if question.type == "ordering" else ", ").join(answer)
    return Grade(correct=correct, given=given, expected=expected_text(question))
