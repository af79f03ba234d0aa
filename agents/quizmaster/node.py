"""The quizmaster: practice sessions one question at a time, with explanations and citations."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import defaultdict
from datetime import timedelta

from langgraph.runtime import Runtime

from agents.context import AgentContext
from agents.quizmaster import prompts as say
from agents.quizmaster import side
from agents.quizmaster.explain import feedback as explain_answer
from agents.quizmaster.explain import skipped as explain_skip
from agents.quizmaster.grading import BUTTON_PREFIX, AnswerError, button_value, grade, parse
from agents.quizmaster.mock import start_mock
from agents.quizmaster.mock_flow import MockFlow
from agents.quizmaster.plan import PLAN_REQUEST, StudyPlan, budget, build_plan, exam_date, plan_text
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
    "plan": PLAN_REQUEST,
    "stats": re.compile(r"\b(stats|statistics|progress|how am i doing|my score|streak|readiness)\b", re.I),
    "leaderboard": re.compile(r"\b(leaderboard|ranking|top players|who'?s winning)\b", re.I),
    "review": re.compile(r"\b(review|due|weak (spots|areas)|weakest)\b", re.I),
}
_YES = re.compile(r"^\s*(yes|y|yep|sure|confirm|reset|quiz:reset:yes)\b", re.I)
_COUNT = re.compile(r"\b(\d{1,2})\s*(?:more\s+)?(?:[\w-]+\s+){0,3}(?:questions?|qs|mcqs?|items?)\b", re.I)
_FORMATS = {
    "multiple": re.compile(
        r"\b(multiple[- ]response|multi[- ]?(select|answer|response)|select (two|three)|"
        r"multiple[- ]answers?|more than one answer)\b",
        re.I,
    ),
    "ordering": re.compile(r"\b(order(ing)?|sequenc(e|ing)|put in order|steps in order)\b", re.I),
    "matching": re.compile(r"\b(match(ing)?)\b", re.I),
    "single": re.compile(r"\b(single[- ](answer|choice|response)|multiple[- ]choice|one answer)\b", re.I),
}
_FORMAT_WORDS = re.compile(
    r"\b(multiple[- ]response|multi[- ]?(select|answer|response)|select (two|three)|multiple[- ]answers?|"
    r"more than one answer|ordering|order|sequenc(e|ing)|put in order|steps in order|matching|match|"
    r"single[- ](answer|choice|response)|multiple[- ]choice|one answer|format|type|kind|style)\b",
    re.I,
)
# a domain by (part of) its name, as learners say it; checked when no "domain N" is given
_DOMAIN_NAMES = {
    1: re.compile(
        r"\b(fundamentals of (ai and ml|machine learning)|ai (and|&) ml (basics|fundamentals))\b", re.I
    ),
    2: re.compile(
        r"\b(fundamentals of generative ai|generative ai (basics|fundamentals)|gen ?ai basics)\b", re.I
    ),
    3: re.compile(r"\b(applications of foundation models)\b", re.I),
    4: re.compile(r"\b(responsible ai|ai ethics|fairness and bias)\b", re.I),
    5: re.compile(
        r"\b(security,? compliance,? (and )?governance|ai (security|governance|compliance))\b", re.I
    ),
}
_EXAM_LIKE = re.compile(
    r"\b(exam[- ]like|real exam mode|unscored|50 scored|like the real (one|exam))\b", re.I
)
_PLAN_SHOW = re.compile(r"\b(my (study )?plan|show (me )?(the |my )?plan|today'?s plan)\b", re.I)
_REMIND = re.compile(r"\b(remind me|daily reminder|reminders? (on|off)|stop remind)", re.I)
_REMIND_OFF = re.compile(r"\b(stop remind|reminders? off|no reminders?|don'?t remind)", re.I)
_CONFIRM_NEW = re.compile(r"^\s*(yes|y|yep|sure|quiz:new:yes|start (it|the new one))\b", re.I)
_DOMAIN = re.compile(r"\bdomain\s*([1-5])\b", re.I)
_TASK = re.compile(r"\b([1-5]\.[1-4])\b")
_DIFFICULTY = re.compile(r"\b(easy|medium|hard|difficult|tough)\b", re.I)
_FILLER = re.compile(
    r"\b(quiz|test|drill|me|on|about|in|for|some|a|an|the|questions?|qs|mcqs?|please|give|practi[cs]e|"
    r"ask|start|new|more|another|\d+|domain|task|easy|medium|hard|difficult|tough|let'?s|can|you|i|want|"
    r"to|with|my|of|few|random|response|ordering|matching|multiple|choice|single|answer|select|format|"
    r"formats?|type|types|kind|style|items?|and|only)\b|[^\w\s]",
    re.I,
)
_THAT = re.compile(r"\b(that|this|it)\b", re.I)


# -- choosing questions ----------------------------------------------------------------------------
def choose(
    text: str, services: QuizServices, context: AgentContext, topic: str | None, task: str | None = None
) -> tuple[list[Question], str]:
    """Questions for a request such as "5 hard questions on domain 3" or "quiz me on RAG"."""
    pool = services.questions
    labels = []
    if m := _DOMAIN.search(text):
        pool = [q for q in pool if q.domain == int(m.group(1))]
        labels.append(f"domain {m.group(1)}")
    elif named := next((d for d, pattern in _DOMAIN_NAMES.items() if pattern.search(text)), None):
        pool = [q for q in pool if q.domain == named]
        labels.append(f"domain {named}")
        text = _DOMAIN_NAMES[named].sub(" ", text)  # the name is the filter, not a topic to search
    if m := _TASK.search(text):
        pool = [q for q in pool if q.task == m.group(1)]
        labels.append(f"task {m.group(1)}")
    if m := _DIFFICULTY.search(text):
        level = {"difficult": "hard", "tough": "hard"}.get(m.group(1).lower(), m.group(1).lower())
        pool = [q for q in pool if q.difficulty == level]
        labels.append(level)
    # "multiple choice" names the single-answer format, so it is tested before "multiple"
    kinds = [k for k in ("single", "multiple", "ordering", "matching") if _FORMATS[k].search(text)]
    if "single" in kinds and not re.search(r"multiple[- ](response|answers?)", text, re.I):
        kinds = [k for k in kinds if k != "multiple"]
    if kinds:
        pool = [q for q in pool if q.type in kinds]
        labels.append(
            " or ".join({"single": "single answer", "multiple": "multiple response"}.get(k, k) for k in kinds)
        )
    subject = " ".join(_FILLER.sub(" ", _FORMAT_WORDS.sub(" ", text)).split())
    if _THAT.fullmatch(subject or "-") and task:  # after an explained question: its task statement
        pool = [q for q in pool if q.task == task] or pool
        labels.append(f"task {task}")
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
    hints = sum(r.hinted for r in session.results)
    lines = [
        f"Quiz done ({session.label}): {right}/{len(answered)} correct ({right / len(answered):.0%})"
        + (f", {hints} with a hint." if hints else ".")
    ]
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


def _start(
    text: str, services: QuizServices, context: AgentContext, topic: str | None, task: str | None = None
) -> dict:
    chosen, label = choose(text, services, context, topic, task)
    if not chosen:
        return _update(Reply(text=say.NO_MATCH, route="quizmaster"), None)
    session = QuizSession(id=uuid.uuid4().hex[:12], questions=[q.id for q in chosen], label=label)
    return _ask(session, services)


def _scope(state: State) -> str:
    return ":".join(state["conversation"].split(":")[:2])  # platform:channel (or server)


def _attempt(
    state: State, question: Question, correct: bool, answer: str, session: str, hinted: bool = False
) -> Attempt:
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
        hinted=hinted,
    )


def _plain(text: str, session: QuizSession | None = None, **extra: object) -> dict:
    return _update(Reply(text=text, route="quizmaster"), session) | extra


# -- mock exam -------------------------------------------------------------------------------------
def _mock_flow(services: QuizServices, state: State) -> MockFlow:
    def record(question: Question, correct: bool, raw: str, exam_id: str) -> object:
        return services.progress.record(_attempt(state, question, correct, raw, exam_id))

    return MockFlow(services, say.HOW_TO, record, choices, answer_form)


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
    exam = state.get("mock")
    if exam is not None and not (
        exam.paused and not _REQUESTS["mock"].search(text) and not _RESUME.match(text)
    ):
        update = await _mock_flow(services, state).turn(exam, text, now)
        if update is not None:
            return update | {"quiz": state.get("quiz")} if update.get("pending") else update
        exam = None  # the mock is over (its review was paging); this message is something else
    session = state.get("quiz")
    if session is not None and not session.finished and not _is_request(text):
        return await _practice_turn(session.model_copy(deep=True), text, services, context, state, runtime)
    request = next((name for name, pattern in _REQUESTS.items() if pattern.search(text)), None)
    if _PLAN_SHOW.search(text) or _REMIND.search(text):
        request = "plan"
    if request == "stats":
        message, chart = await asyncio.to_thread(
            stats_text, services, user.platform, user.id, now, state.get("study_plan")
        )
        reply = Reply(text=message, route="quizmaster", image_png=chart)
        return _update(reply, session)
    if request == "leaderboard":
        return _plain(await asyncio.to_thread(leaderboard_text, services, _scope(state), now), session)
    if request == "plan":
        return await _plan_turn(text, services, state, session)
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
        if exam is not None and exam.paused:
            return await _mock_flow(services, state).turn(exam, "resume", now)  # type: ignore[return-value]
        since = now - timedelta(days=say.MOCK_AVOID_DAYS)
        avoid = await asyncio.to_thread(services.progress.recent, user.platform, user.id, since)
        exam = start_mock(
            services.questions, services.rng, now, avoid=avoid, exam_like=bool(_EXAM_LIKE.search(text))
        )
        intro = say.MOCK_START_EXAM_LIKE if exam.unscored else say.MOCK_START
        return _mock_flow(services, state).question(exam, now, prefix=intro) | {"quiz": None}
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
        return _start(text, services, context, state.get("topic"), state.get("task"))
    return await _practice_turn(session.model_copy(deep=True), text, services, context, state, runtime)


def _is_request(text: str) -> bool:
    """Stats, a mock exam, a plan... asked in the middle of a quiz: answered, the quiz kept."""
    if text.startswith("quiz:"):
        return False
    named = [name for name, pattern in _REQUESTS.items() if pattern.search(text)]
    # "review" alone is also a mock-exam word and "progress" may be part of a side question
    return (bool(named) and len(text.split()) <= 8 and not side.is_side_question(text)) or bool(
        _PLAN_SHOW.search(text) or PLAN_REQUEST.search(text) or _REMIND.search(text)
    )


async def _plan_turn(text: str, services: QuizServices, state: State, session: QuizSession | None) -> dict:
    user, today = state["user"], services.clock().date()
    plan: StudyPlan | None = state.get("study_plan")
    if _REMIND.search(text) and not exam_date(text, today):
        if plan is None:
            return _plain(say.PLAN_FIRST, session)
        plan = plan.model_copy(update={"reminder": not _REMIND_OFF.search(text)})
        await asyncio.to_thread(services.save_plan, user.platform, user.id, plan)
        return _plain(say.REMINDER_ON if plan.reminder else say.REMINDER_OFF, session, study_plan=plan)
    when = exam_date(text, today)
    if when is None:
        if plan is not None:
            return _plain(plan_text(plan, today), session)
        return _plain(say.PLAN_ASK_DATE, session)
    if when <= today:
        return _plain(say.PLAN_PAST, session)
    progress = services.progress
    accuracy = await asyncio.to_thread(progress.accuracy_by_task, user.platform, user.id)
    due = await asyncio.to_thread(progress.due_dates, user.platform, user.id)
    tasks = sorted({q.task for q in services.questions})
    plan = build_plan(when, today, tasks, accuracy, due, budget(text))
    if state.get("study_plan") is not None:
        plan.reminder = state["study_plan"].reminder  # type: ignore[union-attr]
    # saved for the reminder DM and the terminal's start, which run outside this conversation
    await asyncio.to_thread(services.save_plan, user.platform, user.id, plan)
    return _plain(plan_text(plan, today), session, study_plan=plan)


async def _practice_turn(
    session: QuizSession,
    text: str,
    services: QuizServices,
    context: AgentContext,
    state: State,
    runtime: Runtime[AgentContext],
) -> dict:
    question = services.by_id[session.current]  # type: ignore[index]
    if session.replace_with is not None:  # "new quiz" over an answered quiz waits for a yes
        request, session.replace_with = session.replace_with, None
        if _CONFIRM_NEW.match(text):
            return _start(request, services, context, state.get("topic"))
        if (
            _STOP.match(text)
            or _RESUME.match(text)
            or text.strip().lower() in ("no", "n", "keep", "quiz:new:no")
        ):
            return _ask(session, services, prefix="Okay, carrying on.")
    if text == side.NOW_VALUE and session.side:
        asked, session.side = session.side, None
        body, memory = await side.answer(asked, state, runtime)
        return _ask(session, services, prefix=body) | memory
    if text.startswith(BUTTON_PREFIX) and not text.startswith(f"{BUTTON_PREFIX}{question.id}:"):
        return _ask(session, services, prefix=say.ALREADY_ANSWERED)  # a double click or an old button
    if _STOP.match(text):
        return _update(Reply(text=summary(session), route="quizmaster"), None)
    if _NEW.search(text):
        if any(r.correct is not None for r in session.results):
            session.replace_with = text
            n, total = session.position + 1, len(session.questions)
            reply = Reply(
                text=say.CONFIRM_NEW.format(done=len(session.results), total=total, n=n),
                route="quizmaster",
                choices=[
                    Choice(label="Yes, new quiz", value="quiz:new:yes"),
                    Choice(label="Keep this one", value="quiz:new:no"),
                ],
            )
            return _update(reply, session)
        return _start(text, services, context, state.get("topic"), state.get("task"))
    if _RESUME.match(text):
        return _ask(session, services)
    if _HINT.match(text):
        if question.id not in session.hinted:
            session.hinted.append(question.id)
        return _ask(session, services, prefix=hint(question, services))
    if _SKIP.match(text):
        session.results.append(QuizResult(question=question.id, domain=question.domain))
        session.position += 1
        cited = citations(question, context)
        return await _then_side(session, services, state, runtime, explain_skip(question, cited), cited)
    if not text.startswith(BUTTON_PREFIX) and side.is_side_question(text):
        return await _side_question(session, question, text, services, context, state, runtime)
    try:
        given = parse(question, text)
    except AnswerError as exc:
        if _START.search(text) and not text.startswith("quiz:"):
            n, total = session.position + 1, len(session.questions)
            return _update(Reply(text=say.OPEN_QUIZ.format(n=n, total=total), route="quizmaster"), session)
        if not text.startswith("quiz:") and side.looks_like_a_topic(text):  # "RAG chunking details please"
            return await _side_question(session, question, text, services, context, state, runtime)
        return _update(Reply(text=str(exc), route="quizmaster", choices=choices(question)), session)
    result = grade(question, given)
    hinted = question.id in session.hinted
    await asyncio.to_thread(
        services.progress.record,
        _attempt(state, question, result.correct, result.given, session.id, hinted=hinted),
    )
    session.results.append(
        QuizResult(question=question.id, domain=question.domain, correct=result.correct, hinted=hinted)
    )
    session.position += 1
    cited = citations(question, context)
    return await _then_side(
        session, services, state, runtime, explain_answer(question, result, cited, hinted), cited
    )


async def _then_side(
    session: QuizSession,
    services: QuizServices,
    state: State,
    runtime: Runtime[AgentContext],
    prefix: str,
    cited: list[Citation],
) -> dict:
    """After an answer or a skip: the side question held back, if any, then the next question."""
    memory: dict = {}
    if session.side:
        asked, session.side = session.side, None
        body, memory = await side.answer(asked, state, runtime)
        prefix = f"{prefix}\n\nNow your question, “{asked}”:\n{body}"
    return _ask(session, services, prefix=prefix, cited=cited) | memory


async def _side_question(
    session: QuizSession,
    question: Question,
    text: str,
    services: QuizServices,
    context: AgentContext,
    state: State,
    runtime: Runtime[AgentContext],
) -> dict:
    sections = await asyncio.to_thread(side.top_sections, text, context)
    if side.gives_away(text, question, sections):
        session.side = text
        update = _ask(session, services, prefix=say.SIDE_LATER)
        draft = update["draft"]
        extra = [Choice(label="Answer it now", value=side.NOW_VALUE)]
        return update | {"draft": draft.model_copy(update={"choices": [*draft.choices, *extra]})}
    body, memory = await side.answer(text, state, runtime)
    return _ask(session, services, prefix=f"{body}\n\n{say.BACK_TO_QUIZ}") | memory
