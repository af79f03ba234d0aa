"""`aifbot eval answers`: the judge and a small set run through the graph."""

from __future__ import annotations

import json
from pathlib import Path

from agents.context import AgentContext
from bots.cli.answer_evaluation import AnswerCase, evaluate_answers_offline, judge, load_answer_set

CASE = AnswerCase(
    id="t1", text="what is RAG", key_facts=[["retriev"], ["prompt", "context"]], must_not=["85 questions"]
)


def test_every_key_fact_group_must_match_one_phrasing() -> None:
    assert judge(CASE, "**Retrieval**-augmented generation adds passages to the context.", None).passed
    missing = judge(CASE, "Retrieval-augmented generation.", None)
    assert not missing.passed and missing.missing == [["prompt", "context"]]
    assert judge(CASE, "Retrieval into the prompt; the exam has 85 questions", None).forbidden == [
        "85 questions"
    ]


def test_a_forbidden_phrase_is_matched_as_whole_words() -> None:
    case = AnswerCase(id="t2", text="give me an example", key_facts=[["example"]], must_not=["SHAP"])
    assert judge(case, "Example: settings shape the response.", None).passed
    assert judge(case, "Example: SHAP values per feature.", None).forbidden == ["SHAP"]


def test_broken_formatting_fails() -> None:
    assert judge(CASE, "Retrieval into the prompt: Sensitive data discovery**", None).formatting
    assert judge(CASE, "Retrieval into the prompt.\n\nRAG addresses two limits:\n\nThe end.", None).formatting
    assert judge(CASE, "Retrieval in the prompt.\n\n```python\nx = 1", None).formatting
    quoted = "Retrieval in the prompt.\n\nExample:\n\n> Ticket: wrong VAT → Category:"
    assert not judge(CASE, quoted, None).formatting


def test_a_repeated_answer_fails() -> None:
    text = "Retrieval into the prompt."
    assert judge(CASE, text, previous=text).repeated


def test_the_independent_format_loads(tmp_path: Path) -> None:
    row = {
        "id": "i1",
        "text": "bedrock?",
        "intent": "definition",
        "domain": 2,
        "task": "2.3",
        "key_facts": [["foundation model"]],
        "must_not": [],
        "conversation": "c1",
        "note": "extra",
    }
    path = tmp_path / "independent.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    [case] = load_answer_set([path])
    assert (case.id, case.conversation, case.dataset) == ("i1", "c1", "independent")


def test_a_sets_own_held_out_part_is_reported_apart(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": "bedrock?", "key_facts": [["bedrock"]], "split": "held"},
        {"id": "b", "text": "bedrock?", "key_facts": [["bedrock"]], "split": "tune"},
    ]
    path = tmp_path / "dev2.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert [c.dataset for c in load_answer_set([path])] == ["dev2-held", "dev2"]


def test_the_default_sets_include_dev2() -> None:
    assert "dev2" in {c.dataset for c in load_answer_set(None)}


def test_the_default_sets_include_dev3_and_its_held_part() -> None:
    cases = [c for c in load_answer_set(None) if c.dataset.startswith("dev3")]
    assert len(cases) >= 100 and sum(c.dataset == "dev3-held" for c in cases) == 35


async def test_a_set_runs_through_the_graph_with_follow_ups(
    tmp_path: Path, agent_context: AgentContext
) -> None:
    rows = [
        {
            "id": "a",
            "text": "what is amazon bedrock?",
            "intent": "definition",
            "domain": 2,
            "key_facts": [["foundation model"]],
            "conversation": "c",
        },
        {
            "id": "b",
            "text": "and how is it priced?",
            "intent": "pricing",
            "domain": 2,
            "key_facts": [["provisioned throughput"]],
            "conversation": "c",
        },
        {
            "id": "c",
            "text": "what is amazon macie",
            "intent": "definition",
            "domain": 5,
            "key_facts": [["no such phrase anywhere"]],
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = await evaluate_answers_offline(agent_context, load_answer_set([path]))
    assert report.dataset_size == 3 and report.share == round(2 / 3, 4)
    assert report.by_intent["pricing"].share == 1.0 and report.by_domain["5"].share == 0.0
    assert report.failures[0].startswith("c ")
