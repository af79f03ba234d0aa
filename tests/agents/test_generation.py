from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.messages import AIMessage

from agents.quizmaster.generation import (
    DraftQuestion,
    generate_questions,
    review_path,
    write_review_file,
)
from knowledge import question_bank
from knowledge.documents import Section, load_notes
from knowledge.question_bank import Question, load_questions
from tests.fakes import ScriptedModel, tool_call

RAG = "retrieval-augmented-generation-rag"
KB = "amazon-bedrock-knowledge-bases"


@pytest.fixture(scope="module")
def notes() -> dict[str, Section]:
    return {s.id: s for s in load_notes()}


@pytest.fixture(scope="module")
def bank_ids() -> set[str]:
    return {q.id for q in load_questions()}


def draft(**changes: Any) -> dict[str, Any]:
    """Arguments of a valid single-response draft grounded in the RAG section."""
    args: dict[str, Any] = {
        "task": "3.1",
        "type": "single",
        "difficulty": "medium",
        "scenario": True,
        "stem": "A university wants its student portal chatbot to answer from its own, weekly-updated "
        "policies without retraining a model. Which approach fits BEST?",
        "options": {
            "A": "Pre-train a new foundation model on the policies",
            "B": "Retrieval-augmented generation over the policy documents",
            "C": "Raise the temperature inference parameter",
            "D": "Fine-tune the model every week",
        },
        "answer": "B",
        "explanation": {
            "correct": "RAG searches the university's own data sources for relevant passages and adds "
            "them to the prompt, so answers stay current with no retraining of the model weights.",
            "wrong": {
                "A": "Pre-training is the costliest option and still lags weekly changes.",
                "C": "Temperature changes randomness, not what the model knows.",
                "D": "Weekly fine-tuning costs a training run each week and does not add citations.",
            },
        },
        "sources": [RAG],
    }
    return args | changes


def scripted(*drafts: dict[str, Any]) -> ScriptedModel:
    return ScriptedModel(script=[tool_call("DraftQuestion", **d) for d in drafts])


class FlakyModel(ScriptedModel):
    """Raises on the given calls (0-based), answers from the script otherwise."""

    fail_on: set[int]

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
        if len(self.seen) in self.fail_on:
            self.seen.append(list(messages))
            raise RuntimeError("ThrottlingException: rate exceeded")
        return super()._generate(messages, stop, run_manager, **kwargs)


async def test_a_grounded_draft_gets_the_next_free_id(notes: dict[str, Section], bank_ids: set[str]) -> None:
    highest = max(int(i[3:]) for i in bank_ids if i.startswith("d3-"))
    model = scripted(draft(), draft(stem="A second grounded question about retrieval-augmented generation?"))

    report = await generate_questions(model, [notes[RAG]], 3, 2, bank_ids, random.Random(1))

    assert report.rejected == []
    assert [q.id for q in report.accepted] == [f"d3-{highest + 1:03d}", f"d3-{highest + 2:03d}"]
    question = report.accepted[0]
    assert question.domain == 3 and question.task == "3.1" and question.sources == [RAG]
    system, human = model.seen[0]
    assert "never copy" in system.content.lower()
    assert f"[{RAG}]" in human.content and notes[RAG].text in human.content
    assert "task statement 3.1" in human.content


async def test_ids_count_on_from_the_highest_existing(notes: dict[str, Section]) -> None:
    existing = {"d3-007", "d3-041", "d1-300", "d3-draft"}
    report = await generate_questions(scripted(draft()), [notes[RAG]], 3, 1, existing, random.Random(0))
    assert [q.id for q in report.accepted] == ["d3-042"]


async def test_an_invalid_draft_is_rejected_with_the_reason(notes: dict[str, Section]) -> None:
    model = scripted(draft(answer="E"), draft())

    report = await generate_questions(model, [notes[RAG]], 3, 2, set(), random.Random(0))

    [(what, why)] = report.rejected
    assert RAG in what and "university" in what
    assert why.startswith("invalid:") and "four options and one answer letter" in why
    assert [q.id for q in report.accepted] == ["d3-001"]  # the rejected draft used no id


async def test_a_draft_outside_the_schema_is_rejected_as_invalid(notes: dict[str, Section]) -> None:
    model = scripted(draft(difficulty="brutal"))
    report = await generate_questions(model, [notes[RAG]], 3, 1, set(), random.Random(0))
    [(_, why)] = report.rejected
    assert why.startswith("invalid: difficulty")


async def test_citing_a_section_it_was_not_given_is_ungrounded(notes: dict[str, Section]) -> None:
    model = scripted(draft(sources=[RAG, KB]))
    report = await generate_questions(model, [notes[RAG]], 3, 1, set(), random.Random(0))
    assert report.accepted == []
    [(_, why)] = report.rejected
    assert why.startswith("ungrounded:") and KB in why and RAG not in why


async def test_an_explanation_foreign_to_the_notes_is_ungrounded(notes: dict[str, Section]) -> None:
    off_topic = {"correct": "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "wrong": {}}
    wrong = draft()["explanation"]["wrong"]
    model = scripted(draft(explanation=off_topic | {"wrong": wrong}))
    report = await generate_questions(model, [notes[RAG]], 3, 1, set(), random.Random(0))
    [(_, why)] = report.rejected
    assert why.startswith("ungrounded:") and "content word" in why


async def test_a_model_error_rejects_that_draft_and_generation_continues(notes: dict[str, Section]) -> None:
    model = FlakyModel(script=[tool_call("DraftQuestion", **draft())], fail_on={0})

    report = await generate_questions(model, [notes[RAG]], 3, 2, set(), random.Random(0))

    [(what, why)] = report.rejected
    assert RAG in what and why.startswith("model error:") and "ThrottlingException" in why
    assert [q.id for q in report.accepted] == ["d3-001"]
    assert len(model.seen) == 2


async def test_sections_spread_across_the_domains_task_statements(notes: dict[str, Section]) -> None:
    model = ScriptedModel(script=[AIMessage(content="Sorry, I can't.") for _ in range(4)])

    report = await generate_questions(model, list(notes.values()), 3, 4, set(), random.Random(7))

    tasks = [re.search(r"task statement (\d\.\d)", m[1].content).group(1) for m in model.seen]
    assert sorted(tasks) == ["3.1", "3.2", "3.3", "3.4"]
    assert len(report.rejected) == 4 and report.accepted == []
    with pytest.raises(ValueError, match="domain 3"):
        await generate_questions(model, [notes["artificial-intelligence-ai"]], 3, 1, set(), random.Random(0))


def _questions(*ids: str) -> list[Question]:
    return [Question.model_validate(draft() | {"id": i, "domain": 3}) for i in ids]


def test_the_review_file_round_trips_and_appends(tmp_path: Path) -> None:
    path = tmp_path / "d3-drafts.yaml"
    first, second = _questions("d3-091"), _questions("d3-092")
    matching = Question.model_validate(
        {
            **draft(),
            "id": "d3-093",
            "domain": 3,
            "type": "matching",
            "options": {"A": "RAG", "B": "Fine-tuning", "C": "Pre-training"},
            "targets": {"1": "Adds passages to the prompt", "2": "Trains on labelled data", "3": "Builds"},
            "answer": {"A": "1", "B": "2", "C": "3"},
            "explanation": {"correct": draft()["explanation"]["correct"]},
        }
    )

    assert write_review_file(first, path) == path
    write_review_file([*second, matching], path)

    assert load_questions([path]) == [*first, *second, matching]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "never served" in text and "knowledge/questions/d3.yaml" in text
    assert text.count("never served") == 1
    with pytest.raises(ValueError, match="d3-092"):
        write_review_file(second, path)


def test_drafts_are_never_served_by_the_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert review_path(3) == question_bank.QUESTIONS_DIR / "drafts" / "d3-drafts.yaml"
    assert review_path(3) not in set(question_bank.QUESTIONS_DIR.glob("*.yaml"))

    monkeypatch.setattr(question_bank, "QUESTIONS_DIR", tmp_path)
    served = _questions("d3-001")[0].model_dump(mode="json")
    (tmp_path / "d3.yaml").write_text(yaml.safe_dump([served]), encoding="utf-8")
    written = write_review_file(_questions("d3-002", "d3-003"))

    assert written == tmp_path / "drafts" / "d3-drafts.yaml"
    assert [q.id for q in load_questions([written])] == ["d3-002", "d3-003"]
    assert [q.id for q in load_questions()] == ["d3-001"]


def test_the_draft_schema_is_a_question_without_id_and_domain() -> None:
    assert set(DraftQuestion.model_fields) == set(Question.model_fields) - {"id", "domain"}
