"""The question bank meets the exam-shaped rules it promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from knowledge.documents import load_notes
from knowledge.question_bank import TASKS, Question, bank_stats, load_questions

WEIGHTS = {"1": 20, "2": 24, "3": 28, "4": 14, "5": 14}


@pytest.fixture(scope="module")
def bank() -> list[Question]:
    return load_questions()


def test_size_and_domain_weights(bank: list[Question]) -> None:
    stats = bank_stats(bank)
    assert stats.total >= 520  # issue 19's floor, grown from 324
    for domain, weight in WEIGHTS.items():
        share = 100 * stats.by_domain[domain] / stats.total
        assert abs(share - weight) <= 3, (domain, share)


def test_every_task_statement_and_format(bank: list[Question]) -> None:
    stats = bank_stats(bank)
    assert all(stats.by_task[task] >= 25 for task in TASKS), stats.by_task
    assert stats.by_type["multiple"] >= 25
    assert stats.by_type["ordering"] >= 12 and stats.by_type["matching"] >= 12
    assert stats.scenario_share >= 0.5


def test_single_answers_are_balanced(bank: list[Question]) -> None:
    positions = bank_stats(bank).single_answer_positions
    total = sum(positions.values())
    assert all(0.20 <= n / total <= 0.30 for n in positions.values()), positions


def test_no_duplicate_stems_or_ids(bank: list[Question]) -> None:
    stems = [re.sub(r"\W+", " ", q.stem.lower()).strip() for q in bank]
    assert len(set(stems)) == len(stems)
    assert len({q.id for q in bank}) == len(bank)


def test_every_cited_section_exists(bank: list[Question]) -> None:
    sections = {s.id for s in load_notes()}
    missing = {(q.id, s) for q in bank for s in q.sources if s not in sections}
    assert not missing


def test_answer_keys_are_options(bank: list[Question]) -> None:
    for q in bank:
        assert set(q.answer_letters) <= set(q.options), q.id


def test_schema_rejects_bad_questions(tmp_path: Path, bank: list[Question]) -> None:
    item = bank[0].model_dump(mode="json")
    item["answer"] = "E" if item["type"] == "single" else item["answer"]
    item["type"] = "single"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump([item]))
    with pytest.raises(ValueError, match=r"bad\.yaml, question 1"):
        load_questions([path])


def test_option_length_gives_no_answer_away(bank: list[Question]) -> None:
    from knowledge.questions.check_cues import (
        MULTIPLE_LIMIT,
        SINGLE_LIMIT,
        multiple_cue,
        single_cue_by_domain,
    )

    for domain, (cued, total) in single_cue_by_domain(bank).items():
        assert cued / total <= SINGLE_LIMIT, f"domain {domain}: key strictly longest in {cued}/{total}"
    cued, total = multiple_cue(bank)
    assert cued / total <= MULTIPLE_LIMIT, f"multiple response: N longest = key in {cued}/{total}"


def test_the_cue_check_sees_a_cue(bank: list[Question]) -> None:
    from knowledge.questions.check_cues import key_strictly_longest, longest_are_key

    single = next(q for q in bank if q.type == "single")
    cued = single.model_copy(update={"options": {**single.options, single.answer: "x" * 300}})  # type: ignore[dict-item]
    assert key_strictly_longest(cued)
    multiple = next(q for q in bank if q.type == "multiple")
    longer = {k: ("y" * 300 if k in multiple.answer_letters else v) for k, v in multiple.options.items()}
    assert longest_are_key(multiple.model_copy(update={"options": longer}))


def test_mended_items(bank: list[Question]) -> None:
    by_id = {q.id: q for q in bank}
    assert "Only" not in by_id["d1-020"].options["B"]
    assert "scoring" not in by_id["d1-053"].options["D"]
    assert "different tasks" not in by_id["d2-049"].stem
    retention = by_id["d5-043"]
    assert "Object Lock" in retention.options[retention.answer_letters[0]]  # locked from the first step
