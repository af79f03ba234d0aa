"""Scenario ranking, comparison sides, how-it-works parts and outline length, through the whole
graph on the real notes (and the pure parts on their own)."""

from __future__ import annotations

import pytest

from agents.tutor.answer import _named_in
from agents.tutor.composer import MORE_OFFER
from agents.tutor.intents import classify
from tests.agents.conftest import Send


def plain(text: str) -> str:
    return " ".join(text.replace("**", "").lower().split())


async def test_a_scenario_pick_is_scored_by_the_stems_needs(send: Send) -> None:
    # "store", "reuse" and "features" are needs the Feature Store's cues name; the heading's words
    # scattered through the stem do not make it a service the stem already uses
    reply, _ = await send(
        "A team wants to store and reuse features across training and inference. Which SageMaker feature?"
    )
    assert reply.citations[0].section == "amazon-sagemaker-feature-store"
    assert reply.text.startswith("**Amazon SageMaker Feature Store** fits this scenario best.")


async def test_a_service_the_stem_names_by_its_short_name_is_context(send: Send) -> None:
    reply, _ = await send(
        "An auditor asks a healthcare company for a record of which IAM user deleted a Bedrock custom"
        " model last Tuesday. Which AWS service provides this record?"
    )
    assert reply.citations[0].section == "aws-cloudtrail"


async def test_a_concept_scenario_names_the_approach_and_keeps_negations(send: Send) -> None:
    reply, _ = await send(
        "A support team built a chatbot on Bedrock, but it answers questions about the company's refund"
        " policy incorrectly because the model was never trained on internal documents. The policies"
        " change weekly. What approach should the team use, without retraining the model?"
    )
    assert reply.citations[0].section == "retrieval-augmented-generation-rag"
    assert "you typed incorrectly" not in reply.text  # not "corrected" into its opposite


def test_a_stem_names_a_topic_only_word_for_word() -> None:
    assert _named_in("AWS Identity and Access Management (IAM)", "which IAM user deleted it")
    assert _named_in("Amazon Bedrock", "a chatbot built on Bedrock")
    assert not _named_in("Amazon SageMaker Feature Store", "store and reuse features in SageMaker")


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        ("when would I pick Comprehend over Textract", ["Comprehend", "Textract"]),
        ("is Lex the same as Polly?", ["Lex", "Polly"]),
        ("are transparency and explainability the same thing", ["transparency", "explainability"]),
    ],
)
def test_comparisons_are_recognised_in_other_phrasings(text: str, sides: list[str]) -> None:
    question = classify(text)
    assert question.intent in ("comparison", "which") and question.sides == sides


def test_a_long_stem_with_and_different_is_not_a_comparison() -> None:
    text = (
        "A lender uses an ML model to approve loans and regulators ask it to show whether the model treats"
        " applicants of different ages unfairly. Which AWS service helps?"
    )
    assert classify(text).intent == "scenario"


async def test_a_comparison_side_is_matched_on_whole_words(send: Send) -> None:
    # "transformers" shares a stem with "AWS Transform": the side is the architecture
    reply, _ = await send("diffusion models versus transformers")
    sections = [c.section for c in reply.citations]
    assert "transformers-and-the-attention-mechanism" in sections and "aws-transform" not in sections


async def test_a_comparison_with_room_adds_when_to_pick_each(send: Send) -> None:
    reply, _ = await send("when would I pick Comprehend over Textract")
    sections = [c.section for c in reply.citations]
    assert sections[:2] == ["amazon-comprehend", "amazon-textract"]
    assert plain(reply.text).count("when to pick it") == 2


async def test_how_do_i_fix_it_shows_the_ways_to_fix(send: Send) -> None:
    await send("what is overfitting")
    reply, _ = await send("how do I fix it")
    assert "early stopping" in plain(reply.text)


async def test_how_does_x_reduce_cost_is_a_how_question_about_x(send: Send) -> None:
    assert classify("how does LoRA reduce the cost of fine-tuning").intent == "how"
    reply, _ = await send("how does LoRA reduce the cost of fine-tuning")
    assert reply.citations[0].section == "parameter-efficient-fine-tuning-peft-and-lora"


async def test_how_stays_with_the_section_that_names_the_subject(send: Send) -> None:
    # overfitting's "how to recognise it" list mentions validation, but k-fold is in the data sets
    reply, _ = await send("how does k-fold cross validation work")
    assert "k-fold" in reply.text.lower()


@pytest.mark.parametrize("domain", [1, 2, 3, 4, 5])
async def test_a_domain_outline_fits_a_chat_message(send: Send, domain: int) -> None:
    reply, _ = await send(f"summarize domain {domain}", conversation=f"terminal:test:d{domain}")
    words = len(reply.text.split()) + len((reply.notice or "").split())
    assert words <= 250
    lines = [line for line in reply.text.splitlines() if line.startswith("- **")]
    assert lines and all(line.rstrip().endswith("]") for line in lines)  # each line cited
    assert MORE_OFFER not in reply.text
    assert "…" not in reply.text.split("**")[1]  # the heading is whole


async def test_a_task_outline_names_what_it_cannot_show(send: Send) -> None:
    reply, _ = await send("what's in task 1.3")
    assert len(reply.text.split()) <= 250
    assert "- **ML development lifecycle (ML pipeline)**:" in reply.text
    assert "Also in 1.3:" in reply.text and "more." in reply.text


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        ("Bedrock or SageMaker?", ["Bedrock", "SageMaker"]),
        ("how do CloudWatch and CloudTrail differ", ["CloudWatch", "CloudTrail"]),
        ("what distinguishes supervised from unsupervised learning", ["supervised", "unsupervised learning"]),
        ("contrast transparency with explainability", ["transparency", "explainability"]),
        ("is bedrock better than jumpstart for a quick chatbot", ["bedrock", "jumpstart"]),
        ("pick between batch transform and async inference", ["batch transform", "async inference"]),
        ("Rekognition vs. Textract - which one reads receipts?", ["Rekognition", "Textract"]),
    ],
)
def test_more_comparison_phrasings_name_both_sides(text: str, sides: list[str]) -> None:
    assert classify(text).sides == sides


def test_a_short_x_or_y_question_with_a_need_asks_which() -> None:
    question = classify("Kendra or Q Business for enterprise search")
    assert question.intent == "which" and question.need == "enterprise search"
    assert classify("is RAG good or bad?").sides == []  # a question word first: not two names


async def test_an_ambiguous_side_is_read_in_the_other_sides_context(send: Send) -> None:
    reply, _ = await send("knowledge bases vs agents")
    sections = [c.section for c in reply.citations]
    assert sections[:2] == ["amazon-bedrock-knowledge-bases", "amazon-bedrock-agents"]


async def test_a_side_is_one_section_only_when_the_heading_has_all_its_words(send: Send) -> None:
    reply, _ = await send("model cards vs service cards")
    assert {"amazon-sagemaker-model-cards", "aws-ai-service-cards"} <= {c.section for c in reply.citations}


async def test_a_heading_named_inside_a_how_question_is_found(send: Send) -> None:
    reply, _ = await send("how does RAG reduce hallucinations")
    assert reply.citations[0].section == "retrieval-augmented-generation-rag"
    assert "hallucination" in reply.text.lower()


async def test_which_one_names_the_pick_with_the_need_in_plain_words(send: Send) -> None:
    await send("what is amazon comprehend")
    await send("how is it different from macie")
    reply, _ = await send("which one should I use to scan S3 buckets for PII?")
    assert reply.text.startswith("**Amazon Macie** is the better fit to scan S3 buckets for PII.")


async def test_a_cost_follow_up_finds_the_cost_section_that_discusses_the_topic(send: Send) -> None:
    await send("what is fine-tuning")
    reply, _ = await send("how much does it cost?")
    assert reply.citations[0].section == "fm-customization-options-and-their-cost-trade-offs"
    assert "don't cover pricing" not in reply.text
