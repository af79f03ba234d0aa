"""The graph's state: one LangGraph thread per conversation key."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph.message import add_messages
from pydantic import BaseModel
from typing_extensions import TypedDict

from agents.banking.calls import BankCall, BankSession, ToolOutcome
from agents.quizmaster.mock import MockExam
from agents.quizmaster.plan import StudyPlan
from agents.quizmaster.session import QuizSession
from agents.reply import Citation, Finding, Pending, Reply, Route


class UserRef(BaseModel):
    platform: Literal["slack", "discord", "terminal", "cli"] = "terminal"
    id: str = "local"
    name: str = ""


class InputState(TypedDict):
    """What a caller sends in for one turn."""

    messages: Annotated[list[AnyMessage], add_messages]
    user: UserRef
    conversation: str
    requested: NotRequired[Route | None]  # a route the platform asked for (a slash command), else None


class State(InputState, total=False):
    """Everything a turn reads and writes; checkpointed per conversation."""

    text: str  # this turn's message after the input guard cleaned it
    notice: str | None  # a note for this turn, e.g. that a long message was cut
    route: Route
    confidence: float
    active: Route | None  # the agent that owns the pending flow
    pending: Pending | None
    topic: str | None  # what the last tutor answer was about, for follow-ups and handoffs
    task: str | None  # the exam task statement ("3.1") of the last explained question, for "quiz me on this"
    last_query: str | None
    tutor_memory: dict | None  # the tutor's last question, sections and parts shown, for follow-ups
    sources: list[Citation]
    evidence: list[str]  # passages a model-written answer must be grounded in
    findings: Annotated[list[Finding], lambda _old, new: new]  # this turn's only
    quiz: QuizSession | None  # the open practice session
    mock: MockExam | None  # the open mock exam
    study_plan: StudyPlan | None  # the learner's day-by-day plan to their exam date
    confirm_reset: bool  # waiting for "yes" before deleting the user's progress
    bank: BankSession | None  # the banking flow: account, verification, pending approval
    bank_calls: list[BankCall]  # tool calls waiting for the tool guard
    bank_results: list[ToolOutcome]  # what the tool guard did with them
    bank_messages: list[AnyMessage]  # a chat model's tool-calling exchange within one turn
    draft: Reply | None  # an agent's answer before the output guard
    reply: Reply | None  # the final answer of the turn


# The pydantic types a checkpoint may hold; LangGraph's serializer restores only listed types.
CHECKPOINT_TYPES = [
    ("agents.state", "UserRef"),
    *(
        ("agents.reply", name)
        for name in ("Reply", "Citation", "Choice", "Finding", "GuardVerdict", "AnswerForm")
    ),
    *(("agents.banking.calls", name) for name in ("BankSession", "BankCall", "ToolOutcome")),
    *(("agents.quizmaster.session", name) for name in ("QuizSession", "QuizResult")),
    ("agents.quizmaster.mock", "MockExam"),
    *(("agents.quizmaster.plan", name) for name in ("StudyPlan", "PlanDay")),
]


def checkpoint_serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_TYPES)
