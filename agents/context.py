"""Run-time collaborators of the graph, injected per call (LangGraph's typed context)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from agents.banking.services import BankServices
    from agents.guards.base import Guardrail
    from agents.quizmaster.services import QuizServices
    from agents.router.classifier import RouteClassifier
    from knowledge.retriever import HybridRetriever


@dataclass(frozen=True)
class AgentContext:
    """What the agents need from outside; tests pass fakes, `bots` passes the real ones."""

    retriever: HybridRetriever
    classifier: RouteClassifier
    chat_model: BaseChatModel | None = None
    guardrail: Guardrail | None = None  # None: only the basic input checks
    bank: BankServices | None = None  # the banking demo's store, audit log and FAQ
    quiz: QuizServices | None = None  # the question bank and the progress store
    max_input_chars: int = 4000
