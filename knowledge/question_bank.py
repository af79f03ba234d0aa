"""The practice question bank: every `*.yaml` directly in `knowledge/questions/` (d1.yaml,
d1-more.yaml, ...; sub-folders such as drafts/ are not loaded), validated by these models."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from knowledge.documents import YAML_LOADER

QUESTIONS_DIR = Path(__file__).parent / "questions"
TASKS = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "5.1", "5.2")
QuestionType = Literal["single", "multiple", "ordering", "matching"]
Letter = Literal["A", "B", "C", "D", "E", "F"]


class Explanation(BaseModel):
    correct: str = Field(min_length=20, description="Why the right answer is right.")
    wrong: dict[str, str] = Field(
        default_factory=dict,
        description="Why each wrong option is wrong, by letter (single and multiple response).",
    )


class QuestionBody(BaseModel):
    """Everything a question says; the bank adds its id and domain (a drafting model fills this)."""

    task: str = Field(description="Task statement such as '3.2'.")
    type: QuestionType
    difficulty: Literal["easy", "medium", "hard"]
    scenario: bool = Field(description="A short business scenario, like most real exam items.")
    stem: str = Field(min_length=15)
    options: dict[Letter, str] = Field(
        description="Answer options (single, multiple), steps to order (ordering), or the "
        "items to match (matching), by letter."
    )
    targets: dict[str, str] = Field(
        default_factory=dict, description="Matching only: the right-hand column, keyed '1', '2', ..."
    )
    answer: Letter | list[Letter] | dict[Letter, str] = Field(
        description="single: 'B'; multiple: ['A', 'C']; ordering: letters in the right order; "
        "matching: {letter: target key}."
    )
    explanation: Explanation
    sources: list[str] = Field(min_length=1, description="Section ids in knowledge/notes/.")


class Question(QuestionBody):
    """One practice question in one of the exam's four formats."""

    id: str = Field(pattern=r"^d[1-5]-\d{3}$")
    domain: int = Field(ge=1, le=5)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.task not in TASKS or self.task.split(".")[0] != str(self.domain):
            raise ValueError(f"task {self.task} does not belong to domain {self.domain}")
        letters = set(self.options)
        if sorted(letters) != sorted("ABCDEF"[: len(letters)]):
            raise ValueError("options must be lettered A, B, C... without gaps")
        kind, answer = self.type, self.answer
        if kind == "single":
            if not isinstance(answer, str) or answer not in letters or len(letters) != 4:
                raise ValueError("single: four options and one answer letter among them")
            if set(self.explanation.wrong) != letters - {answer}:
                raise ValueError("single: explain each wrong option")
        elif kind == "multiple":
            if not isinstance(answer, list) or len(answer) < 2 or not set(answer) <= letters:
                raise ValueError("multiple: two or more answer letters among the options")
            if len(letters) < len(answer) + 2 or len(set(answer)) != len(answer):
                raise ValueError("multiple: at least two wrong options, no repeated letters")
            if f"Select {_WORDS[len(answer)]}" not in self.stem:
                raise ValueError(f"multiple: the stem says '(Select {_WORDS[len(answer)]}.)'")
            if set(self.explanation.wrong) != letters - set(answer):
                raise ValueError("multiple: explain each wrong option")
        elif kind == "ordering":
            if not isinstance(answer, list) or sorted(answer) != sorted(letters) or len(letters) < 3:
                raise ValueError("ordering: the answer orders every option (3 or more)")
        else:
            if not isinstance(answer, dict) or set(answer) != letters or len(letters) < 3:
                raise ValueError("matching: every item is matched (3 or more)")
            if set(answer.values()) - set(self.targets) or len(self.targets) < len(letters):
                raise ValueError("matching: every answer names a target")
        return self

    @cached_property
    def answer_letters(self) -> list[str]:
        return [self.answer] if isinstance(self.answer, str) else list(self.answer)


_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR"}


def load_questions(paths: Iterable[Path] | None = None) -> list[Question]:
    """Every question of the bank (or of the given files), validated."""
    questions: list[Question] = []
    for path in sorted(paths or QUESTIONS_DIR.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or []
        for n, item in enumerate(data, start=1):
            try:
                questions.append(Question.model_validate(item))
            except ValueError as exc:
                raise ValueError(f"{path.name}, question {n} ({item.get('id', '?')}): {exc}") from exc
    return questions


class BankStats(BaseModel):
    """`aifbot questions stats --json` (DESIGN.md)."""

    total: int
    by_domain: dict[str, int]
    by_task: dict[str, int]
    by_type: dict[str, int]
    single_answer_positions: dict[str, int]
    scenario_share: float = Field(description="Share of questions that are business scenarios.")


def bank_stats(questions: list[Question]) -> BankStats:
    def count(keys: Iterable[str], order: Iterable[str]) -> dict[str, int]:
        keys = list(keys)
        return {k: keys.count(k) for k in order}

    singles = [q.answer for q in questions if q.type == "single"]
    return BankStats(
        total=len(questions),
        by_domain=count((str(q.domain) for q in questions), "12345"),
        by_task=count((q.task for q in questions), TASKS),
        by_type=count((q.type for q in questions), ("single", "multiple", "ordering", "matching")),
        single_answer_positions=count((str(a) for a in singles), "ABCD"),
        scenario_share=round(sum(q.scenario for q in questions) / max(len(questions), 1), 4),
    )
