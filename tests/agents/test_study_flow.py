"""A scripted learner through the whole graph: a quiz with a side question, hints, all-options
feedback, a new-quiz request, a mock exam with flag / go to / review / stop / submit / review of
mistakes, and a study plan — never a dead end."""

from __future__ import annotations

from datetime import timedelta

from agents.context import AgentContext
from agents.quizmaster import prompts as say
from agents.quizmaster.side import NOW_VALUE
from knowledge.question_bank import Question


def right_answer(q: Question) -> str:
    if isinstance(q.answer, dict):
        return " ".join(f"{k}-{v}" for k, v in q.answer.items())
    return (" " if q.type == "ordering" else ", ").join(q.answer_letters)


def wrong_answer(q: Question) -> str:
    if q.type == "single":
        return next(k for k in sorted(q.options) if k not in q.answer_letters)
    if q.type == "multiple":
        return ", ".join([k for k in sorted(q.options) if k not in q.answer_letters][: len(q.answer_letters)])
    if q.type == "ordering":
        return " ".join(reversed(q.answer_letters))
    return " ".join(
        f"{k}-{v}" for k, v in zip(sorted(q.answer), reversed(sorted(q.answer.values())), strict=True)
    )


async def test_a_learner_through_every_flow(send, agent_context: AgentContext) -> None:
    services = agent_context.quiz
    assert services is not None
    bank = services.by_id

    # filters in plain words, together: format + count
    reply, state = await send("quiz me on 3 multiple response questions")
    quiz = state["quiz"]
    assert len(quiz.questions) == 3 and {bank[q].type for q in quiz.questions} == {"multiple"}
    first = bank[quiz.current]

    # a side question keeps the quiz and shows the open question again
    reply, state = await send("wait what is kiro?")
    assert reply.route == "quizmaster" and reply.pending == "quiz"
    assert first.stem in reply.text and state["quiz"].position == 0
    assert "Kiro" in reply.text or say.SIDE_LATER in reply.text
    reply, state = await send("resume")
    assert first.stem in reply.text

    # a hinted right answer: recorded as hinted, every option explained, citations inline
    reply, state = await send("hint")
    assert reply.text.startswith("Hint:")
    reply, state = await send(right_answer(first))
    assert "with a hint" in reply.text
    for letter in first.options:
        assert f"{letter}) {first.options[letter]}" in reply.text.split("Question 2 of 3")[0]
    assert "[1] " in reply.text.split("Question 2 of 3")[0]
    assert services.progress.hints("terminal", "local") == (1, 1)

    # "new quiz" over an answered quiz asks first; "resume" keeps it
    reply, state = await send("new quiz on domain 2")
    assert "Start a new quiz" in reply.text and state["quiz"].position == 1
    reply, state = await send("resume")
    second = bank[state["quiz"].current]
    assert second.stem in reply.text

    # skip explains every option too
    reply, state = await send("skip")
    assert reply.text.startswith("Skipped. The answer was") and "✗" in reply.text
    reply, state = await send("stop")
    assert reply.pending is None and ("Quiz done" in reply.text or "Quiz stopped" in reply.text)
    practised = {first.id}  # answered (skipped and unseen questions are not practice)

    # mock exam: questions practised in the last 14 days are avoided
    reply, state = await send("mock exam")
    exam = state["mock"]
    assert len(exam.questions) == 65 and not practised & set(exam.questions)
    q1 = bank[exam.current]
    reply, state = await send(wrong_answer(q1))
    assert "question 2 of 65" in reply.text
    reply, state = await send("flag")
    assert "flagged" in reply.text and state["mock"].flagged == [state["mock"].questions[1]]
    reply, state = await send("go to 5")
    assert "question 5 of 65" in reply.text
    reply, state = await send("review")
    assert "Answered: 1 of 65" in reply.text and "Flagged for review: 2" in reply.text
    assert "Unanswered: 2, 3" in reply.text

    # stop asks: submit or keep going later
    reply, state = await send("stop")
    assert "Submit now, or keep going later?" in reply.text and reply.pending == "quiz"
    assert state["mock"].answers  # nothing submitted
    reply, state = await send("keep going later")
    assert "Paused" in reply.text and reply.pending is None and state["mock"] is not None
    reply, state = await send("resume mock exam")
    assert "Welcome back" in reply.text and "question 5 of 65" in reply.text

    # submit asks to confirm, then scores and reviews every missed question
    reply, state = await send("submit")
    assert "Submit now?" in reply.text and "unanswered" in reply.text
    reply, state = await send("yes")
    assert "Mock exam result: FAIL" in reply.text and "Review of your 65 missed" in reply.text
    assert f"you: {wrong_answer(q1)}" in reply.text
    reply, state = await send("more")
    assert reply.text.count("· you: ") == 5
    assert services.progress.accuracy_by_domain("terminal", "local")

    # a study plan, its reminder and its progress in "my stats"
    exam_day = services.clock().date() + timedelta(days=30)
    reply, state = await send("stop")  # leaves the paged review
    reply, state = await send(f"my exam is on {exam_day.isoformat()}")
    assert "Study plan to your exam" in reply.text and "Forecast on exam day" in reply.text
    assert len(state["study_plan"].days) == 30
    reply, state = await send("remind me daily")
    assert reply.text == say.REMINDER_ON and state["study_plan"].reminder
    reply, state = await send("my stats")
    assert "Study plan: exam in 30 days" in reply.text and "Answered after a hint: 1" in reply.text


async def test_a_side_question_that_gives_the_answer_away_waits(send, agent_context: AgentContext) -> None:
    reply, state = await send("quiz me on 2 single answer questions on domain 3")
    question = agent_context.quiz.by_id[state["quiz"].current]  # type: ignore[union-attr]
    key_words = [w for w in question.options[question.answer].split() if len(w) > 4]  # type: ignore[index]
    reply, state = await send(f"what does {key_words[0]} mean?")
    assert say.SIDE_LATER in reply.text and question.stem in reply.text
    assert NOW_VALUE in [c.value for c in reply.choices]
    reply, state = await send(right_answer(question))
    assert "✅ Correct!" in reply.text and "Now your question" in reply.text
    assert state["quiz"].side is None and state["quiz"].position == 1
