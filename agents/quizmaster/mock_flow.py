"""The mock exam's conversation: answer, flag, go to question N, the review screen, stop (submit or
keep going later), submit with confirmation, then a paged review of every missed question."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime

from agents.quizmaster import prompts as say
from agents.quizmaster.explain import option_reasons
from agents.quizmaster.grading import AnswerError, expected_text, parse
from agents.quizmaster.mock import MockExam, missed, score
from agents.quizmaster.services import QuizServices
from agents.reply import AnswerForm, Choice, Reply
from knowledge.question_bank import Question

MISSED_PAGE = 5
_GOTO = re.compile(
    r"^\s*(?:go\s*to|goto|jump\s*to|show)?\s*(?:question|q|#)\s*(\d{1,2})\s*$|^\s*go\s*to\s*(\d{1,2})\s*$",
    re.I,
)
_FLAG = re.compile(
    r"^\s*(un)?flag(?:\s+(?:question\s*|q\s*|#)?(\d{1,2}))?(?:\s+(?:this|it|for review))*\s*$", re.I
)
_NEXT = re.compile(r"^\s*(next|skip|pass)\s*(question)?\s*$", re.I)
_BACK = re.compile(r"^\s*(back|previous|prev|go back)\s*(question)?\s*$", re.I)
_REVIEW = re.compile(r"^\s*(review|review screen|status|overview|summary|where am i)\b", re.I)
_STOP = re.compile(r"^\s*(stop|pause|quit|exit|cancel|end|enough|i need a break)\b", re.I)
_SUBMIT = re.compile(r"^\s*(submit|finish|hand in|i'?m done|done|quiz:mock:submit)\b", re.I)
_YES = re.compile(r"^\s*(yes|y|yep|sure|confirm|submit|quiz:mock:submit)\b", re.I)
_LATER = re.compile(r"^\s*(later|keep going later|pause|quiz:mock:later|not now)\b", re.I)
_RESUME = re.compile(
    r"^\s*(resume|continue|keep going|carry on|no|back to (it|the exam)|quiz:mock:resume|mock)\b", re.I
)
_MORE = re.compile(r"^\s*(more|next|more mistakes|next mistakes|quiz:mock:more)\b", re.I)

SUBMIT = Choice(label="Submit", value="quiz:mock:submit")
LATER = Choice(label="Keep going later", value="quiz:mock:later")
CONTINUE = Choice(label="Continue now", value="quiz:mock:resume")

Recorder = Callable[[Question, bool, str, str], object]


def render_question(question: Question, head: str, how_to: dict[str, str]) -> str:
    lines = [head, question.stem, ""]
    lines += [f"{k}) {v}" for k, v in sorted(question.options.items())]
    if question.targets:
        lines += ["", *(f"{k}. {v}" for k, v in sorted(question.targets.items()))]
    lines += ["", how_to[question.type]]
    return "\n".join(lines)


def _numbers(ns: list[int], limit: int = 20) -> str:
    shown = ", ".join(map(str, ns[:limit]))
    return shown + (f" … (+{len(ns) - limit})" if len(ns) > limit else "") if ns else "none"


def review_screen(exam: MockExam, now: datetime) -> str:
    open_, flagged = exam.unanswered(), exam.flagged_numbers()
    return "\n".join(
        [
            f"Review · {exam.time_left_text(now)}",
            f"Answered: {len(exam.answers)} of {len(exam.questions)}",
            f"Flagged for review: {_numbers(flagged)}",
            f"Unanswered: {_numbers(open_)}",
            "Say *go to N* to revisit a question, *submit* to finish, or *resume* to carry on.",
        ]
    )


class MockFlow:
    """One turn of an open mock exam; returns the graph update."""

    def __init__(
        self, services: QuizServices, how_to: dict[str, str], record: Recorder, choices, form
    ) -> None:
        self.services, self.how_to, self.record = services, how_to, record
        self.choices, self.form = choices, form  # the node's button and widget builders

    # -- replies -----------------------------------------------------------------------------------
    def _reply(
        self,
        exam: MockExam | None,
        text: str,
        choices: list[Choice] | None = None,
        form: AnswerForm | None = None,
        pending: bool = True,
    ) -> dict:
        open_ = exam is not None and pending
        reply = Reply(
            text=text, route="quizmaster", choices=choices or [], form=form, pending="quiz" if open_ else None
        )
        return {
            "draft": reply,
            "mock": exam,
            "pending": "quiz" if open_ else None,
            "active": "quizmaster" if open_ else None,
        }

    def question(self, exam: MockExam, now: datetime, prefix: str = "") -> dict:
        question = self.services.by_id[exam.current]  # type: ignore[index]
        flag = " · 🚩 flagged" if question.id in exam.flagged else ""
        head = (
            f"Mock exam · question {exam.position + 1} of {len(exam.questions)} · "
            f"{exam.time_left_text(now)}{flag}"
        )
        text = render_question(question, head, self.how_to)
        text += "\n(*flag* · *go to N* · *review* · *submit* · *stop*)"
        return self._reply(exam, f"{prefix}\n\n{text}".strip(), self.choices(question), self.form(question))

    def screen(self, exam: MockExam, now: datetime, prefix: str = "") -> dict:
        text = f"{prefix}\n\n{review_screen(exam, now)}".strip()
        first = (exam.unanswered() or exam.flagged_numbers() or [1])[0]
        goto = Choice(label=f"Go to {first}", value=f"question {first}")
        return self._reply(exam, text, [SUBMIT, goto, CONTINUE])

    def missed_page(self, exam: MockExam, prefix: str = "") -> dict:
        start = exam.review_page * MISSED_PAGE
        page = exam.missed[start : start + MISSED_PAGE]
        lines = [prefix] if prefix else []
        if not exam.missed:
            lines.append("No mistakes to review. 🎉")
            return self._reply(None, "\n".join(lines).strip())
        if start == 0:
            lines += ["", f"Review of your {len(exam.missed)} missed question(s), {MISSED_PAGE} at a time:"]
        for qid in page:
            question = self.services.by_id[qid]
            n = exam.questions.index(qid) + 1
            given = exam.answers.get(qid)
            lines += [
                "",
                f"Q{n} ({qid}, task {question.task}) · you: {given or 'no answer'} · answer: "
                f"{expected_text(question)}",
                question.stem,
                *option_reasons(question),
            ]
        exam.review_page += 1
        more = exam.review_page * MISSED_PAGE < len(exam.missed)
        if more:
            lines += ["", "Say *more* for the next ones."]
            return self._reply(exam, "\n".join(lines).strip(), [Choice(label="More", value="quiz:mock:more")])
        return self._reply(None, "\n".join(lines).strip())

    # -- submitting --------------------------------------------------------------------------------
    async def finish(self, exam: MockExam, prefix: str = "") -> dict:
        report = score(exam, self.services.by_id)
        for qid, raw in exam.answers.items():
            question = self.services.by_id[qid]
            try:
                correct = parse(question, raw) is not None and _right(question, raw)
            except AnswerError:
                correct = False
            await asyncio.to_thread(self.record, question, correct, raw, exam.id)
        exam.submitted, exam.confirm, exam.review_page = True, None, 0
        exam.missed = missed(exam, self.services.by_id)
        return self.missed_page(exam, f"{prefix}\n\n{report.text()}".strip())

    # -- a turn ------------------------------------------------------------------------------------
    async def turn(self, exam: MockExam, text: str, now: datetime) -> dict | None:
        """The update, or None when the message is not for the mock exam (the node handles it)."""
        exam = exam.model_copy(deep=True)
        if exam.submitted:
            return self.missed_page(exam) if _MORE.match(text) else None
        if exam.expired(now):
            return await self.finish(exam, say.TIME_UP)
        if exam.confirm == "stop":
            exam.confirm = None
            if _YES.match(text) or _SUBMIT.match(text):
                return await self.finish(exam)
            if _LATER.match(text):
                exam.paused = True
                until = exam.deadline.strftime("%H:%M UTC")
                return self._reply(
                    exam,
                    f"Paused. Your exam stays open until {until} "
                    f"({exam.time_left_text(now)}; the clock keeps running, as in the real "
                    "exam). Say *resume mock exam* to carry on.",
                    pending=False,
                )
            if _RESUME.match(text):
                return self.question(exam, now)
        if exam.confirm == "submit":
            exam.confirm = None
            if _YES.match(text):
                return await self.finish(exam)
            if _RESUME.match(text):
                return self.question(exam, now)
        if exam.paused:
            exam.paused = False
            return self.question(exam, now, "Welcome back.")
        if _STOP.match(text):
            exam.confirm = "stop"
            return self._reply(
                exam,
                f"Submit now, or keep going later? {len(exam.answers)} of "
                f"{len(exam.questions)} answered, {exam.time_left_text(now)}.",
                [SUBMIT, LATER, CONTINUE],
            )
        if _SUBMIT.match(text):
            exam.confirm = "submit"
            open_ = exam.unanswered()
            warn = f"{len(open_)} question(s) are unanswered and count as wrong. " if open_ else ""
            return self.screen(exam, now, f"{warn}Submit now? Say *yes* to submit or *resume* to keep going.")
        if _REVIEW.match(text):
            return self.screen(exam, now)
        if m := _FLAG.match(text):
            n = int(m.group(2)) if m.group(2) else exam.position + 1
            if not 1 <= n <= len(exam.questions):
                return self.question(exam, now, f"There is no question {n}.")
            qid = exam.questions[n - 1]
            if m.group(1):
                exam.flagged = [q for q in exam.flagged if q != qid]
                note = f"Question {n} unflagged."
            else:
                exam.flagged = [*dict.fromkeys([*exam.flagged, qid])]
                note = f"🚩 Question {n} flagged for review."
            return self.question(exam, now, note)
        if m := _GOTO.match(text):
            n = int(m.group(1) or m.group(2))
            if not 1 <= n <= len(exam.questions):
                return self.question(exam, now, f"There is no question {n}; choose 1–{len(exam.questions)}.")
            exam.position = n - 1
            return self.question(exam, now)
        if _NEXT.match(text):
            exam.position = (exam.position + 1) % len(exam.questions)
            return self.question(exam, now)
        if _BACK.match(text):
            exam.position = (exam.position - 1) % len(exam.questions)
            return self.question(exam, now)
        if _RESUME.match(text):
            return self.question(exam, now)
        question = self.services.by_id[exam.current]  # type: ignore[index]
        if text.startswith("quiz:answer:") and not text.startswith(f"quiz:answer:{question.id}:"):
            return self.question(
                exam, now, "That button belongs to another question; here is the current one."
            )
        try:
            parse(question, text)
        except AnswerError as exc:
            return self.question(exam, now, str(exc))
        raw = text.split(":", 3)[-1] if text.startswith("quiz:answer:") else text
        exam.answers[question.id] = raw
        following = exam.next_open()
        if following is None:
            exam.confirm = "submit"
            return self.screen(
                exam, now, "All questions answered. Check your flagged ones, or say *yes* to submit."
            )
        exam.position = following
        return self.question(exam, now)


def _right(question: Question, raw: str) -> bool:
    from agents.quizmaster.grading import grade

    return grade(question, parse(question, raw)).correct
