"""The tutor through the whole graph on the real notes: intents, follow-ups, typos, summaries,
bad input, and 'explain X and then quiz me'."""

from __future__ import annotations

import re

from agents.tutor.intents import classify
from agents.tutor.prompts import LONG_PASTE, NOT_IN_NOTES
from tests.agents.conftest import Send


def plain(text: str) -> str:
    return " ".join(text.replace("**", "").lower().split())


async def test_a_definition_leads_with_the_defining_paragraph(send: Send) -> None:
    reply, _ = await send("what is RAG?")
    assert reply.route == "tutor"
    assert reply.text.startswith("Retrieval-augmented generation (RAG) is")
    assert "1. **No private knowledge**" in reply.text and "2. **Knowledge cut-off**" in reply.text
    assert reply.text.count("**") % 2 == 0
    assert reply.citations[0].section == "retrieval-augmented-generation-rag"


async def test_a_comparison_covers_both_sides(send: Send) -> None:
    reply, _ = await send("ROUGE vs BLEU")
    sections = [c.section for c in reply.citations]
    assert "rouge-metric" in sections and "bleu-metric" in sections
    assert "**ROUGE" in reply.text and "**BLEU" in reply.text
    reply, _ = await send("Q Business vs Q Developer", conversation="terminal:test:q")
    assert {"amazon-q-business", "amazon-q-developer"} <= {c.section for c in reply.citations}


async def test_follow_ups_never_serve_the_previous_answer_again(send: Send) -> None:
    first, _ = await send("what is top-p?")
    example, _ = await send("give me an example")
    assert example.route == "tutor" and example.text != first.text
    assert "SHAP" not in example.text
    more, _ = await send("more")
    assert more.route == "tutor" and more.text not in (first.text, example.text)


async def test_pricing_follow_up_finds_the_pricing_section(send: Send) -> None:
    await send("what is amazon bedrock?")
    reply, state = await send("and how is it priced?")
    assert "provisioned throughput" in plain(reply.text)
    assert state["tutor_memory"]["question"]["intent"] == "pricing"


async def test_a_follow_up_about_something_new_keeps_the_question_kind(send: Send) -> None:
    await send("what does sagemaker clarify do?")
    reply, _ = await send("and model monitor?")
    assert reply.citations[0].section == "amazon-sagemaker-model-monitor"
    reply, _ = await send("how is it different from clarify?")
    assert {"amazon-sagemaker-model-monitor", "amazon-sagemaker-clarify"} <= {
        c.section for c in reply.citations
    }


async def test_a_typo_is_corrected_against_the_notes(send: Send) -> None:
    reply, _ = await send("what is temprature in llms")
    assert reply.text != NOT_IN_NOTES
    assert "temperature (you typed temprature)" in reply.text
    assert reply.citations[0].section == "temperature-top-p-and-top-k-compared"


async def test_a_summary_is_an_outline_of_section_leads(send: Send) -> None:
    reply, _ = await send("summarize domain 3 for me")
    assert reply.route == "tutor"
    for task in ("3.1", "3.2", "3.3", "3.4"):
        assert f"**{task} " in reply.text
    assert len(reply.citations) >= 8 and "[8]" in reply.text


async def test_a_scenario_stem_with_two_options_in_it_is_still_a_scenario(send: Send) -> None:
    # "positive or negative" is what the team wants to know, not two services to compare
    text = "A support team wants to know whether customer emails are positive or negative. Which AWS service?"
    assert classify(text).intent == "scenario"
    reply, _ = await send(text)
    assert reply.citations[0].section == "amazon-comprehend"


async def test_how_prefers_the_section_whose_heading_names_the_subject(send: Send) -> None:
    # "transformers" shares a stem with "AWS Transform", whose section has a how-it-works part
    reply, _ = await send("how do transformers work")
    assert "transformers" in reply.citations[0].section
    assert "attention" in reply.text.lower()


async def test_a_scenario_answer_is_not_the_service_its_stem_names(send: Send) -> None:
    reply, _ = await send(
        "A company wants a record of who called the Bedrock API and when. Which AWS service?"
    )
    assert reply.citations[0].section != "amazon-bedrock"


async def test_a_domain_outline_leads_each_task_with_its_main_topics(send: Send) -> None:
    # sections come in the notes' order, each note file's main topic first, not alphabetically
    reply, _ = await send("give me a quick rundown of domain 1")
    assert reply.route == "tutor"
    assert "- **ML development lifecycle (ML pipeline)**:" in reply.text
    assert "- **Accuracy (classification metric)**:" not in reply.text
    assert "- **Artificial intelligence (AI)**: broad field" in reply.text  # the name is not repeated


async def test_a_topic_outside_the_notes_gets_an_honest_reply(send: Send) -> None:
    reply, _ = await send("how does AWS Ground Station schedule satellite contacts?")
    assert reply.route == "tutor"
    assert reply.text.startswith(NOT_IN_NOTES) and not reply.citations
    assert "nearest topics in the notes" in reply.text


async def test_a_long_paste_answers_the_question_at_its_end(send: Send) -> None:
    filler = "Some meeting notes about our project timeline and budget. " * 400  # ~23 KB
    reply, _ = await send(filler + "\nAnyway, what is Amazon Macie?")
    assert reply.text.startswith(LONG_PASTE.split("{")[0])
    assert "what is Amazon Macie?" in reply.text
    assert reply.citations[0].section == "amazon-macie"


async def test_explain_then_quiz_does_both_in_that_order(send: Send) -> None:
    reply, state = await send("explain prompt injection and then quiz me on it")
    answer, _, question = reply.text.partition("\n\n---\n\n")
    assert "prompt injection" in answer.lower() and reply.citations
    assert question and state["pending"] == "quiz" and state["active"] == "quizmaster"
    assert reply.choices  # the first question's buttons


def test_intents_are_recognised_offline() -> None:
    assert classify("bedrock vs jumpstart").sides == ["bedrock", "jumpstart"]
    which = classify("which one for summarising call transcripts: Comprehend or Transcribe?")
    assert which.intent == "which" and which.need == "summarising call transcripts"
    assert (
        classify(
            "A company wants to extract text from scanned invoices. Which AWS service should it use?"
        ).intent
        == "scenario"
    )
    assert classify("what's in task 3.2").task == "3.2"
    previous = classify("what is SageMaker Clarify")
    assert classify("how is it different from Inspector?", previous).sides == [
        "SageMaker Clarify",
        "Inspector",
    ]
    assert classify("and how is it priced?", previous).intent == "pricing"
    assert re.fullmatch("more", classify("tell me more", previous).intent)


PASTED = """A company wants to detect faces in images. Which service should it use?
A) Amazon Polly
B) Amazon Rekognition
C) Amazon Translate
D) Amazon Lex"""


async def test_a_pasted_question_goes_to_the_explainer(send: Send) -> None:
    reply, state = await send(PASTED)
    assert reply.route == "tutor" and state["confidence"] == 1.0
    assert "Rekognition" in reply.text.split("\n")[0]


async def test_compare_them_compares_the_last_two_topics(send: Send) -> None:
    await send("what is amazon titan")
    await send("and nova?")
    reply, _ = await send("compare them")
    assert [c.section for c in reply.citations][:2] == ["amazon-titan", "amazon-nova"]
    assert "**Amazon Titan**" in reply.text and "**Amazon Nova**" in reply.text


async def test_a_follow_up_after_everything_was_shown_says_so(send: Send) -> None:
    await send("what's the context window")
    for _ in range(4):
        reply, _ = await send("more")
    assert reply.text.startswith("That's everything the notes have on **Context window**")
