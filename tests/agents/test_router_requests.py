"""Quiz requests however phrased reach the quizmaster; study requests reach the tutor; a tutor
follow-up stays with the tutor."""

from __future__ import annotations

import pytest

from agents.router.classifier import NearestNeighbourClassifier, rule_route
from tests.agents.conftest import Send


@pytest.mark.parametrize(
    "text",
    [
        "start a quiz about guardrails",
        "let's do flashcards on SageMaker services",
        "ask me something about prompt engineering",
        "quiz about responsible AI",
        "I'd like a quick quiz on domain 2",
    ],
)
def test_quiz_requests_go_to_the_quizmaster(text: str) -> None:
    assert rule_route(text) == "quizmaster"


@pytest.mark.parametrize(
    "text",
    [
        "summarize domain 3 for me",
        "cheat sheet for domain 5",
        "what's in task 3.2",
        "explain RAG and then quiz me on it",
        "give me an overview of responsible AI",
    ],
)
def test_study_requests_go_to_the_tutor(text: str) -> None:
    assert rule_route(text) == "tutor"


@pytest.mark.parametrize(
    "text",
    [
        "give me a quick rundown of domain 1",
        "domain 4 in a nutshell?",
        "what should I know for task 2.3",
        "what topics are in task 4.2",
        "A bank needs to mask customer phone numbers and emails in model responses. What should it use?",
        "A lender wants human reviewers to check low-confidence loan predictions. Which AWS service?",
    ],
)
def test_summaries_and_scenarios_however_phrased_go_to_the_tutor(text: str) -> None:
    assert rule_route(text) == "tutor"


@pytest.mark.parametrize(
    "text",
    [
        "quiz me on domain 1",
        "give me practice questions for task 2.3",
        "what is my score in domain 4",
        "my bank account number 123456 is pending",
    ],
)
def test_the_summary_and_scenario_rules_leave_quizzes_and_accounts_alone(text: str) -> None:
    assert rule_route(text) != "tutor"


@pytest.mark.parametrize("text", ["what is a quiz in ground truth labeling?", "summarize my progress"])
def test_the_new_rules_stay_narrow(text: str) -> None:
    assert rule_route(text) is None


async def test_explain_like_im_five_is_study(classifier: NearestNeighbourClassifier) -> None:
    assert (await classifier.classify("explain embeddings like I'm five")).route == "tutor"


async def test_follow_ups_to_a_tutor_answer_stay_with_the_tutor(send: Send) -> None:
    await send("what is few-shot prompting?")
    for text in ("give me an example", "more", "explain it simpler"):
        reply, _ = await send(text)
        assert reply.route == "tutor", text


async def test_short_questions_pointing_back_stay_with_the_tutor(send: Send) -> None:
    await send("what is sagemaker canvas")
    for text in ("how is it different from autopilot?", "which one needs no code?", "why does it matter?"):
        reply, _ = await send(text)
        assert reply.route == "tutor", text
    reply, _ = await send("quiz me on that")  # a quiz request still reaches the quizmaster
    assert reply.route == "quizmaster"
