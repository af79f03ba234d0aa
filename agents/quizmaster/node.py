"""The quizmaster: practice sessions one question at a time, with explanations and citations."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import defaultdict
from datetime import datetime

from langgraph.runtime import Runtime

from agents.context import AgentContext
from agents.quizmaster import prompts as say
from agents.quizmaster.grading import BUTTON_PREFIX, AnswerError, button_value, expected_text, grade, parse
from agents.quizmaster.mock import MockExam, score, start_mock
from agents.quizmaster.progress_views import leaderboard_text, review_questions, stats_text
from agents.quizmaster.services import QuizServices
from agents.quizmaster.session import QuizResult, QuizSession
from agents.reply import AnswerForm, Choice, Citation, Reply
from agents.state import State
from knowledge.question_bank import Question
from tools.progress import Attempt

DEFAULT_COUNT, MAX_COUNT = 5, 20
_STOP = re.compile(r"^\s*(stop|cancel|quit|exit|end|enough)\b", re.I)
_SKIP = re.compile(r"^\s*(skip|pass|next one)\b", re.I)
_HINT = re.compile(r"^\s*(hint|clue|help me)\b", re.I)
_RESUME = re.compile(r"^\s*(resume|continue|where was i|repeat|again)\b", re.I)
_NEW = re.compile(r"\b(new quiz|replace|start over|restart)\b", re.I)
_START = re.compile(r"\b(quiz|test|drill|practi[cs]e|questions?|qs|mcqs?)\b", re.I)
_REQUESTS = {
    "reset": re.compile(r"\breset\b.{0,20}\b(progress|stats|history)\b|\bstart from scratch\b", re.I),
    "mock": re.compile(r"\b(mock|practice exam|full exam|exam simulation)\b", re.I),
    "stats": re.compile(r"\b(stats|statistics|progress|how am i doing|my score|streak|readiness)\b", re.I),
    "leaderboard": re.compile(r"\b(leaderboard|ranking|top players|who'?s winning)\b", re.I),
    "review": re.compile(r"\b(review|due|weak (spots|areas)|weakest)\b", re.I),
}
_FINISH = re.compile(r"^\s*(finish|submit|stop|end|i'?m done|done)\b", re.I)
_YES = re.compile(r"^\s*(yes|y|yep|sure|confirm|reset|quiz:reset:yes)\b", re.I)
_COUNT = re.compile(r"\b(\d{1,2})\s*(?:more\s+)?(?:\w+\s+)?(?:questions?|qs|mcqs?)\b", re.I)
_DOMAIN = re.compile(r"\bdomain\s*([1-5])\b", re.I)
_TASK = re.compile(r"\b([1-5]\.[1-4])\b")
_DIFFICULTY = re.compile(r"\b(easy|medium|hard|difficult|tough)\b", re.I)
_FILLER = re.compile(
    r"\b(quiz|test|drill|me|on|about|in|for|some|a|an|the|questions?|qs|mcqs?|please|give|practi[cs]e|"
    r"ask|start|new|more|another|\d+|domain|task|easy|medium|hard|difficult|tough|let'?s|can|you|i|want|"
    r"to|with|my|of|few|random)\b|[^\w\s]",
    re.I,
)
_THAT = re.compile(r"\b(that|this|it)\b", re.I)


# -- choosing questions ----------------------------------------------------------------------------
def choose(
    text: str, services: QuizServices, context: AgentContext, topic: str | None
) -> tuple[list[Question], str]:
    """Questions for a request such as "5 hard questions on domain 3" or "quiz me on RAG"."""
    pool = services.questions
    labels = []
    if m := _DOMAIN.search(text):
        pool = [q for q in pool if q.domain == int(m.group(1))]
        labels.append(f"domain {m.group(1)}")
    if m := _TASK.search(text):
        pool = [q for q in pool if q.task == m.group(1)]
        labels.append(f"task {m.group(1)}")
    if m := _DIFFICULTY.search(text):
        level = {"difficult": "hard", "tough": "hard"}.get(m.group(1).lower(), m.group(1).lower())
        pool = [q for q in pool if q.difficulty == level]
        labels.append(level)
    subject = " ".join(_FILLER.sub(" ", text).split())
    if _THAT.fullmatch(subject or "-") and topic:
        subject = topic
    if subject and not _THAT.fullmatch(subject):
        sections = {p.section for p in context.retriever.search(subject, k=6).passages}
        pool = [q for q in pool if sections & set(q.sources)]
        labels.append(subject)
    count = min(int(m.group(1)), MAX_COUNT) if (m := _COUNT.search(text)) else DEFAULT_COUNT
    chosen = services.rng.sample(pool, min(count, len(pool)))
    return chosen, ", ".join(labels) or "all domains"


# -- saying things ---------------------------------------------------------------------------------
def render(question: Question, head: str) -> str:
    lines = [head, question.stem, ""]
    lines += [f"{k}) {v}" for k, v in sorted(question.options.items())]
    if question.targets:
        lines += ["", *(f"{k}. {v}" for k, v in sorted(question.targets.items()))]
    lines += ["", say.HOW_TO[question.type]]
    return "\n".join(lines)


def choices(question: Question) -> list[Choice]:
    if question.type not in ("single", "multiple"):
        return []
    return [Choice(label=k, value=button_value(question, k)) for k in sorted(question.options)]


def answer_form(question: Question) -> AnswerForm:
    return AnswerForm(
        question=question.id,
        type=question.type,
        options=question.options,
        targets=question.targets,
        pick=len(question.answer_letters) if question.type == "multiple" else 1,
    )


def citations(question: Question, context: AgentContext) -> list[Citation]:
    index = context.retriever.index
    cited = []
    for n, section in enumerate(question.sources, start=1):
        first = index.section_first_chunk.get(section)
        title, source = (
            (index.chunks[first].title, index.chunks[first].source) if first is not None else (section, "")
        )
        cited.append(Citation(n=n, section=section, title=title, source=source))
    return cited


def feedback(question: Question, given: list[str] | dict[str, str]) -> str:
    result = grade(question, given)
    verdict = "✅ Correct!" if result.correct else f"❌ Not quite: the answer is {result.expected}."
    lines = [verdict, question.explanation.correct]
    if not result.correct and isinstance(given, list):
        lines += [f"{k}: {question.explanation.wrong[k]}" for k in given if k in question.explanation.wrong]
    refs = " ".join(f"[{n}]" for n in range(1, len(question.sources) + 1))
    return "\n".join(lines) + f" {refs}"


def hint(question: Question, services: QuizServices) -> str:
    """Narrow the choice without giving the answer away: rule out a wrong option, or give the
    first step (ordering) or the first pair (matching)."""
    if isinstance(question.answer, dict):
        first = min(question.answer)
        return f"Hint: {first} goes with {question.answer[first]}."
    if question.type == "ordering":
        return f"Hint: the first step is {question.answer_letters[0]}."
    wrong = [k for k in sorted(question.options) if k not in question.answer_letters]
    out = services.rng.choice(wrong)
    return f"Hint: it isn't {out}. {question.explanation.wrong.get(out, '')}".strip()


def summary(session: QuizSession) -> str:
    by_domain: dict[int, list[bool]] = defaultdict(list)
    for r in session.results:
        if r.correct is not None:
            by_domain[r.domain].append(r.correct)
    answered = [c for v in by_domain.values() for c in v]
    if not answered:
        return f"{say.STOPPED} No answers this time."
    right = sum(answered)
    lines = [f"Quiz done ({session.label}): {right}/{len(answered)} correct ({right / len(answered):.0%})."]
    lines += [f"• Domain {d}: {sum(v)}/{len(v)}" for d, v in sorted(by_domain.items())]
    return "\n".join(lines)


# -- the node --------------------------------------------------------------------------------------
def _update(reply: Reply, session: QuizSession | None) -> dict:
    open_ = session is not None and not session.finished
    return {
        "draft": reply.model_copy(update={"pending": "quiz" if open_ else None}),
        "quiz": session if open_ else None,
        "pending": "quiz" if open_ else None,
        "active": "quizmaster" if open_ else None,
    }


def _ask(
    session: QuizSession, services: QuizServices, prefix: str = "", cited: list[Citation] | None = None
) -> dict:
    if session.finished:
        text = f"{prefix}\n\n{summary(session)}" if prefix else summary(session)
        return _update(Reply(text=text.strip(), route="quizmaster", citations=cited or []), None)
    question = services.by_id[session.current]  # type: ignore[index]
    head = (
        f"Question {session.position + 1} of {len(session.questions)} · domain {question.domain} · "
        f"task {question.task} · {question.difficulty}"
    )
    text = f"{prefix}\n\n{render(question, head)}" if prefix else render(question, head)
    return _update(
        Reply(
            text=text,
            route="quizmaster",
            choices=choices(question),
            form=answer_form(question),
            citations=cited or [],
        ),
        session,
    )


def _start(text: str, services: QuizServices, context: AgentContext, topic: str | None) -> dict:
    chosen, label = choose(text, services, context, topic)
    if not chosen:
        return _update(Reply(text=say.NO_MATCH, route="quizmaster"), None)
    session = QuizSession(id=uuid.uuid4().hex[:12], questions=[q.id for q in chosen], label=label)
    return _ask(session, services)


def _scope(state: State) -> str:
    return ":".join(state["conversation"].split(":")[:2])  # platform:channel (or server)


def _attempt(state: State, question: Question, correct: bool, answer: str, session: str) -> Attempt:
    user = state["user"]
    return Attempt(
        platform=user.platform,
        user=user.id,
        question=question.id,
        domain=question.domain,
        task=question.task,
        correct=correct,
        answer=answer,
        session=session,
        scope=_scope(state),
    )


def _plain(text: str, session: QuizSession | None = None, **extra: object) -> dict:
    return _update(Reply(text=text, route="quizmaster"), session) | extra


# -- mock exam -------------------------------------------------------------------------------------
def _mock_question(exam: MockExam, services: QuizServices, now: datetime, prefix: str = "") -> dict:
    question = services.by_id[exam.current]  # type: ignore[index]
    head = f"Mock exam · question {exam.position + 1} of {len(exam.questions)} · {exam.time_left_text(now)}"
    text = f"{prefix}\n\n{render(question, head)}" if prefix else render(question, head)
    reply = Reply(
        text=text, route="quizmaster", choices=choices(question), form=answer_form(question), pending="quiz"
    )
    return {"draft": reply, "mock": exam, "pending": "quiz", "active": "quizmaster"}


async def _mock_finish(exam: MockExam, services: QuizServices, state: State, prefix: str = "") -> dict:
    report = score(exam, services.by_id)
    for qid, raw in exam.answers.items():
        question = services.by_id[qid]
        try:
            correct = grade(question, parse(question, raw)).correct
        except AnswerError:
            correct = False
        await asyncio.to_thread(services.progress.record, _attempt(state, question, correct, raw, exam.id))
    text = f"{prefix}\n\n{report.text()}".strip()
    return _plain(text, mock=None)


async def _mock_turn(exam: MockExam, text: str, services: QuizServices, state: State) -> dict:
    now = services.clock()
    exam = exam.model_copy(deep=True)
    if exam.expired(now):
        return await _mock_finish(exam, services, state, say.TIME_UP)
    if _FINISH.match(text):
        return await _mock_finish(exam, services, state)
    if _RESUME.match(text) or _REQUESTS["mock"].search(text):
        return _mock_question(exam, services, now)
    question = services.by_id[exam.current]  # type: ignore[index]
    try:
        parse(question, text)
    except AnswerError as exc:
        return _mock_question(exam, services, now, prefix=str(exc))
    exam.answers[question.id] = text
    exam.position += 1
    if exam.finished:
        return await _mock_finish(exam, services, state)
    return _mock_question(exam, services, now)


# -- the node --------------------------------------------------------------------------------------
async def quizmaster(state: State, runtime: Runtime[AgentContext]) -> dict:
    context, services = runtime.context, runtime.context.quiz
    if services is None:
        return _plain(say.NOT_SET_UP)
    text, user, now = state["text"], state["user"], services.clock()
    if state.get("confirm_reset"):
        if _YES.match(text):
            removed = await asyncio.to_thread(services.progress.reset, user.platform, user.id)
            return _plain(say.RESET_DONE.format(n=removed), confirm_reset=False)
        return _plain(say.RESET_KEPT, confirm_reset=False)
    if (exam := state.get("mock")) is not None:
        return await _mock_turn(exam, text, services, state)
    session = state.get("quiz")
    request = next((name for name, pattern in _REQUESTS.items() if pattern.search(text)), None)
    if request == "stats":
        message, chart = await asyncio.to_thread(stats_text, services, user.platform, user.id, now)
        reply = Reply(text=message, route="quizmaster", image_png=chart)
        return _update(reply, session)
    if request == "leaderboard":
        return _plain(await asyncio.to_thread(leaderboard_text, services, _scope(state), now), session)
    if request == "reset":
        reply = Reply(
            text=say.CONFIRM_RESET,
            route="quizmaster",
            choices=[
                Choice(label="Yes, reset", value="quiz:reset:yes"),
                Choice(label="Cancel", value="cancel"),
            ],
        )
        return _update(reply, None) | {"confirm_reset": True, "pending": "quiz", "active": "quizmaster"}
    if request == "mock":
        avoid = await asyncio.to_thread(services.progress.answered, user.platform, user.id)
        exam = start_mock(services.questions, services.rng, now, avoid=avoid)
        return _mock_question(exam, services, now, prefix=say.MOCK_START) | {"quiz": None}
    if request == "review":
        count = min(int(m.group(1)), MAX_COUNT) if (m := _COUNT.search(text)) else DEFAULT_COUNT
        chosen, label = await asyncio.to_thread(
            review_questions, services, user.platform, user.id, now, count
        )
        session = QuizSession(id=uuid.uuid4().hex[:12], questions=[q.id for q in chosen], label=label)
        return _ask(session, services)
    if session is None or session.finished:
        if not _START.search(text) and re.fullmatch(r"[\s\w,&-]{1,12}", text):
            return _plain(say.NOTHING_OPEN)
        return _start(text, services, context, state.get("topic"))
    return await _practice_turn(session.model_copy(deep=True), text, services, context, state)


async def _practice_turn(
    session: QuizSession, text: str, services: QuizServices, context: AgentContext, state: State
) -> dict:
    question = services.by_id[session.current]  # type: ignore[index]
    if text.startswith(BUTTON_PREFIX) and not text.startswith(f"{BUTTON_PREFIX}{question.id}:"):
        return _ask(session, services, prefix=say.ALREADY_ANSWERED)  # a double click or an old button
    if _STOP.match(text):
        return _update(Reply(text=summary(session), route="quizmaster"), None)
    if _NEW.search(text):
        return _start(text, services, context, state.get("topic"))
    if _RESUME.match(text):
        return _ask(session, services)
    if _HINT.match(text):
        return _ask(session, services, prefix=hint(question, services))
    if _SKIP.match(text):
        session.results.append(QuizResult(question=question.id, domain=question.domain))
        session.position += 1
        return _ask(session, services, prefix=f"Skipped. The answer was {expected_text(question)}.")
    try:
        given = parse(question, text)
    except AnswerError as exc:
        if _START.search(text) and not text.startswith("quiz:"):
            n, total = session.position + 1, len(session.questions)
            return _update(Reply(text=say.OPEN_QUIZ.format(n=n, total=total), route="quizmaster"), session)
        return _update(Reply(text=str(exc), route="quizmaster", choices=choices(question)), session)
    result = grade(question, given)
    await asyncio.to_thread(
        services.progress.record, _attempt(state, question, result.correct, result.given, session.id)
    )
    session.results.append(QuizResult(question=question.id, domain=question.domain, correct=result.correct))
    session.position += 1
    return _ask(session, services, prefix=feedback(question, given), cited=citations(question, context))
