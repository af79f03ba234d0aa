"""The study plan: weighted by the exam's domain weights, the learner's weak task statements and
the FSRS due load; a forecast on the exam scale; one measure of weakness everywhere."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from agents.quizmaster import prompts as say
from agents.quizmaster.plan import build_plan, exam_date, plan_text, progress_line, task_shares
from agents.quizmaster.weakness import standings, weakest
from knowledge.question_bank import TASKS

TODAY = date(2026, 12, 2)


def focus_counts(plan) -> Counter:  # type: ignore[no-untyped-def]
    return Counter(t for d in plan.days for t in d.focus)


def test_exam_dates_in_plain_words() -> None:
    assert exam_date("my exam is on 2027-01-15", TODAY) == date(2027, 1, 15)
    assert exam_date("I sit it on 15 January 2027", TODAY) == date(2027, 1, 15)
    assert exam_date("exam on Jan 15, 2027", TODAY) == date(2027, 1, 15)
    assert exam_date("my exam is soon", TODAY) is None


def test_domain_weights_shape_the_plan_for_a_new_learner() -> None:
    shares = task_shares(list(TASKS), {})
    by_domain = Counter()
    for task, share in shares.items():
        by_domain[task[0]] += share
    assert abs(sum(shares.values()) - 1) < 1e-9
    assert by_domain["3"] > by_domain["2"] > by_domain["1"] > by_domain["4"]  # 28 > 24 > 20 > 14 %


def test_weak_task_statements_get_more_practice() -> None:
    weak = {"1.1": (1, 10), "1.2": (9, 10)}
    shares = task_shares(list(TASKS), weak)
    assert shares["1.1"] > shares["1.3"] > shares["1.2"]
    plan = build_plan(date(2027, 1, 15), TODAY, list(TASKS), weak, [])
    assert focus_counts(plan)["1.1"] > focus_counts(plan)["1.2"]


def test_due_cards_fill_days_and_mock_days_come_before_the_exam() -> None:
    due = [datetime(2026, 11, 30, tzinfo=UTC)] * 12 + [datetime(2026, 12, 4, 10, tzinfo=UTC)] * 3
    plan = build_plan(date(2026, 12, 20), TODAY, list(TASKS), {}, due, daily=20)
    assert len(plan.days) == 18 and plan.days[0].day == TODAY
    assert plan.days[0].reviews == 12 and plan.days[0].new == 8  # overdue cards today, new fill up
    assert plan.days[2].reviews == 3
    assert [d.kind for d in plan.days[-2:]] == ["mock", "light review"]
    assert plan.days[-1].new == 0


def test_forecast_on_the_exam_scale_rises_with_practice() -> None:
    accuracy = {t: (5, 10) for t in TASKS}
    short = build_plan(TODAY + timedelta(days=3), TODAY, list(TASKS), accuracy, [])
    long = build_plan(TODAY + timedelta(days=40), TODAY, list(TASKS), accuracy, [])
    assert short.now_score == long.now_score and 100 <= short.now_score < 700  # type: ignore[operator]
    assert short.forecast < long.forecast <= 1000  # type: ignore[operator]
    text = plan_text(long, TODAY)
    assert "Forecast on exam day" in text and f"~{long.forecast}" in text
    assert "exam in 40 days" in progress_line(long, TODAY, 4)


def test_one_measure_of_weakness() -> None:
    accuracy = {"3.1": (1, 5), "2.1": (3, 4), "5.1": (0, 1)}
    rows = standings(TASKS, accuracy)
    assert rows[0].task == "3.1"  # 2/7 smoothed is weaker than 1/3 for a single wrong answer
    assert [w.task for w in weakest(TASKS, accuracy, 2)] == ["3.1", "5.1"]
    untried = [r for r in rows if r.answered == 0]
    assert all(r.score == 0.5 for r in untried)


def test_the_reminder_only_when_asked_for_and_before_the_exam() -> None:
    from agents.quizmaster.plan import due_reminder

    plan = build_plan(TODAY + timedelta(days=10), TODAY, list(TASKS), {}, [])
    assert due_reminder({"study_plan": plan}, TODAY) is None
    plan.reminder = True
    assert "exam in 10 days" in (due_reminder({"study_plan": plan}, TODAY) or "")
    assert due_reminder({"study_plan": plan}, TODAY + timedelta(days=10)) is None
    assert due_reminder({}, TODAY) is None


def test_a_saved_plan_reminds_only_when_opted_in_and_readable() -> None:
    from agents.quizmaster.plan import stored_reminder

    plan = build_plan(TODAY + timedelta(days=10), TODAY, list(TASKS), {}, [])
    saved = plan.model_dump(mode="json")
    assert stored_reminder(saved, False, TODAY) is None
    assert "exam in 10 days" in (stored_reminder(saved, True, TODAY) or "")
    assert stored_reminder(saved, True, TODAY + timedelta(days=10)) is None  # exam day: none
    assert stored_reminder({"exam": "soon"}, True, TODAY) is None  # unreadable: none, no crash


async def test_the_plan_and_the_reminder_choice_are_saved_for_the_scheduler(send, agent_context) -> None:
    services = agent_context.quiz
    store = services.plan_store
    today = services.clock().date()
    exam = today + timedelta(days=20)
    assert store.get("terminal", "local") is None
    reply, state = await send("remind me daily")  # no plan yet: nothing to remind of, nothing saved
    assert reply.text == say.PLAN_FIRST and store.get("terminal", "local") is None
    reply, state = await send(f"my exam is on {exam.isoformat()}")
    saved = store.get("terminal", "local")
    assert saved is not None and saved.exam == exam and not saved.reminder and saved.target == "local"
    assert len(saved.plan["days"]) == 20 == len(state["study_plan"].days)
    reply, state = await send("remind me daily")
    assert (
        reply.text == say.REMINDER_ON
        and state["study_plan"].reminder
        and store.get("terminal", "local").reminder
    )  # type: ignore[union-attr]
    assert [p.user_id for p in store.due(datetime.combine(today, time(23), UTC), ["terminal"])] == ["local"]
    reply, state = await send(f"my exam is on {(exam + timedelta(days=5)).isoformat()}")  # a new plan
    saved = store.get("terminal", "local")
    assert saved is not None and saved.reminder and saved.exam == exam + timedelta(days=5)
    reply, state = await send("stop reminders")
    assert reply.text == say.REMINDER_OFF
    assert not state["study_plan"].reminder and not store.get("terminal", "local").reminder  # type: ignore[union-attr]
    assert store.due(datetime.combine(today, time(23), UTC), ["terminal"]) == []


async def test_reminders_can_be_switched_in_the_middle_of_a_quiz(send, agent_context) -> None:
    services = agent_context.quiz
    exam = services.clock().date() + timedelta(days=9)
    reply, state = await send(f"my exam is on {exam.isoformat()}")
    reply, state = await send("quiz me on 2 questions")
    question = state["quiz"].current
    reply, state = await send("remind me daily")  # not taken as an answer to the open question
    assert reply.text.startswith(say.REMINDER_ON) and services.plan_store.get("terminal", "local").reminder  # type: ignore[union-attr]
    assert state["quiz"].current == question and not state["quiz"].results
