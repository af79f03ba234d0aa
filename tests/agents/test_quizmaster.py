"""Practice sessions through the real graph, and answers in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.checkpoints import sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.quizmaster import prompts as say
from agents.quizmaster.grading import AnswerError, button_value, grade, parse
from agents.state import UserRef
from bots.platform.core import ConversationService, Turn
from knowledge.question_bank import Question, load_questions

BANK = {q.id: q for q in load_questions()}


def first(kind: str) -> Question:
    return next(q for q in BANK.values() if q.type == kind)


def right_answer(q: Question) -> str:
    if isinstance(q.answer, dict):
        return " ".join(f"{k}-{v}" for k, v in q.answer.items())
    return (" " if q.type == "ordering" else " and ").join(q.answer_letters)


def wrong_answer(q: Question) -> str:
    return next(k for k in sorted(q.options) if k not in q.answer_letters)


@pytest.mark.parametrize("kind", ["single", "multiple", "ordering", "matching"])
def test_every_format_grades(kind: str) -> None:
    q = first(kind)
    assert grade(q, parse(q, right_answer(q))).correct
    assert grade(q, parse(q, right_answer(q).lower())).correct


def test_answer_shapes() -> None:
    single = first("single")
    multiple = next(q for q in BANK.values() if q.type == "multiple" and "F" not in q.options)
    assert parse(single, button_value(single, "B")) == ["B"]
    assert parse(single, "b") == ["B"] and parse(single, "I think C.") == ["C"]
    with pytest.raises(AnswerError, match="no option F"):
        parse(single, "F")
    with pytest.raises(AnswerError, match="exactly"):
        parse(multiple, "A")  # half an answer
    with pytest.raises(AnswerError, match="no option"):
        parse(multiple, "A and F")


@pytest.fixture
async def quiz(tmp_path: Path, agent_context: AgentContext):
    async with sqlite_checkpointer(tmp_path / "cp.sqlite3") as saver:
        service = ConversationService(build_graph(saver), agent_context)

        async def send(text: str, user: str = "U1"):
            reply = await service.handle(
                Turn(text=text, user=UserRef(platform="discord", id=user), channel="C")
            )
            state = await service.graph.aget_state({"configurable": {"thread_id": "discord:C:main"}})
            return reply, state.values.get("quiz")

        yield send


async def test_a_whole_session(quiz, agent_context: AgentContext) -> None:
    reply, session = await quiz("quiz me with 3 questions on domain 3")
    assert reply.route == "quizmaster" and reply.pending == "quiz"
    assert "Question 1 of 3" in reply.text and session.label == "domain 3"
    q = BANK[session.current]
    assert all(BANK[i].domain == 3 for i in session.questions)
    if q.type in ("single", "multiple"):
        assert [c.label for c in reply.choices] == sorted(q.options)

    reply, session = await quiz(right_answer(q))
    assert reply.text.startswith("✅ Correct!") and reply.citations
    assert "Question 2 of 3" in reply.text

    q2 = BANK[session.current]
    reply, session = await quiz("hint")
    assert reply.text.startswith("Hint:")
    reply, session = await quiz("skip")
    assert reply.text.startswith("Skipped.")
    reply, session = await quiz("stop")
    assert reply.pending is None and session is None
    assert "1/1 correct" in reply.text
    assert agent_context.quiz.progress.accuracy_by_domain("discord", "U1") == {3: (1, 1)}
    assert q2.id not in agent_context.quiz.progress.answered("discord", "U1")


async def test_wrong_answers_are_explained(quiz) -> None:
    _, session = await quiz("quiz me on easy questions about domain 1")
    q = BANK[session.current]
    if q.type != "single":
        pytest.skip("the first question drawn is not single-answer")
    wrong = wrong_answer(q)
    reply, _ = await quiz(wrong)
    assert "Not quite" in reply.text and q.explanation.wrong[wrong] in reply.text


async def test_a_quiz_survives_a_restart(tmp_path: Path, agent_context: AgentContext) -> None:
    user = UserRef(platform="slack", id="U9")
    async with sqlite_checkpointer(tmp_path / "cp.sqlite3") as saver:
        first_reply = await ConversationService(build_graph(saver), agent_context).handle(
            Turn(text="quiz me on domain 2", user=user)
        )
    async with sqlite_checkpointer(tmp_path / "cp.sqlite3") as saver:  # the bot restarted
        again = await ConversationService(build_graph(saver), agent_context).handle(
            Turn(text="resume", user=user)
        )
    assert again.text.split("\n")[:2] == first_reply.text.split("\n")[:2]


async def test_the_same_button_twice_counts_once(quiz, agent_context: AgentContext) -> None:
    _, session = await quiz("quiz me on domain 4")
    q = BANK[session.current]
    press = button_value(q, q.answer_letters[0]) if q.type == "single" else right_answer(q)
    await quiz(press)
    reply, _ = await quiz(press)
    if q.type == "single":
        assert reply.text.startswith(say.ALREADY_ANSWERED)
    assert sum(n for _, n in agent_context.quiz.progress.accuracy_by_domain("discord", "U1").values()) == 1


async def test_open_quiz_offers_resume_or_replace(quiz) -> None:
    await quiz("quiz me on domain 5")
    reply, _ = await quiz("give me 3 questions about RAG")
    assert reply.text == say.OPEN_QUIZ.format(n=1, total=5)
    reply, session = await quiz("new quiz on domain 1")
    assert session.label == "domain 1"


async def test_an_answer_with_nothing_open(quiz) -> None:
    reply, _ = await quiz("B")
    assert reply.text in (say.NOTHING_OPEN,) or reply.route != "quizmaster"


async def _answer_all(quiz, n: int, right: bool = True) -> None:
    for _ in range(n):
        _, session = await quiz("resume")
        if session is None:
            return
        q = BANK[session.current]
        await quiz(right_answer(q) if right or q.type != "single" else wrong_answer(q))


async def test_wrong_answers_come_back_for_review(quiz, agent_context: AgentContext) -> None:
    from datetime import UTC, datetime, timedelta

    services = agent_context.quiz
    await quiz("quiz me with 3 questions on domain 2")
    await _answer_all(quiz, 3, right=False)
    services.clock = lambda: datetime.now(UTC) + timedelta(days=1)
    _, session = await quiz("review")
    assert session.label == "review: due cards"
    wrong = {a for a in services.progress.due("discord", "U1", services.clock())}
    assert set(session.questions) <= wrong and session.questions


async def test_review_targets_weak_task_statements(quiz) -> None:
    _, session = await quiz("review my weak spots")
    assert session.label.startswith("review: ") and len(session.questions) == 5


async def test_stats_with_chart(quiz) -> None:
    reply, _ = await quiz("my stats")
    assert reply.text.startswith("No answers yet")
    await quiz("quiz me with 10 questions")
    await _answer_all(quiz, 10)
    reply, _ = await quiz("how am I doing?")
    assert "10 answered" in reply.text and "Daily streak: 1" in reply.text and "Predicted score" in reply.text
    assert reply.image_png and reply.image_png.startswith(b"\x89PNG")


async def test_leaderboard(quiz) -> None:
    await quiz("quiz me with 2 questions", user="U1")
    await _answer_all(quiz, 2)
    reply, _ = await quiz("leaderboard", user="U2")
    assert "This week" in reply.text and "1. U1: " in reply.text


async def test_reset_needs_confirmation(quiz, agent_context: AgentContext) -> None:
    await quiz("quiz me with 1 question")
    await _answer_all(quiz, 1)
    reply, _ = await quiz("reset my progress")
    assert reply.text == say.CONFIRM_RESET and [c.label for c in reply.choices] == ["Yes, reset", "Cancel"]
    assert (await quiz("no"))[0].text == say.RESET_KEPT
    await quiz("reset my progress")
    assert (await quiz("quiz:reset:yes"))[0].text == say.RESET_DONE.format(n=1)
    assert agent_context.quiz.progress.answered("discord", "U1") == set()


async def test_mock_exam_runs_out_of_time(quiz, agent_context: AgentContext) -> None:
    from datetime import UTC, datetime, timedelta

    services = agent_context.quiz
    start = datetime.now(UTC)
    services.clock = lambda: start
    reply, _ = await quiz("start a mock exam")
    assert reply.text.startswith(say.MOCK_START) and "question 1 of 65" in reply.text
    for _ in range(3):
        reply, _ = await quiz("A" if "Reply with one letter" in reply.text else "resume")
    assert "✅" not in reply.text and "❌" not in reply.text  # no feedback during the exam
    services.clock = lambda: start + timedelta(minutes=91)
    reply, _ = await quiz("B")
    assert reply.text.startswith(say.TIME_UP) and "Scaled score:" in reply.text
