"""JSON output of the command line, as pydantic models (the shapes in DESIGN.md)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agents.reply import Reply
from knowledge.retriever import SearchResult


class SearchHit(BaseModel):
    id: str
    source: str
    section: str
    title: str
    text: str
    score: float
    similarity: float
    domain: int
    task: str


class SearchOutput(BaseModel):
    results: list[SearchHit]
    notice: str | None = Field(None, description="Set when the query was empty or truncated.")

    @classmethod
    def of(cls, result: SearchResult) -> SearchOutput:
        notice = None
        if not result.query:
            notice = "The query is empty: type a question or a few keywords."
        elif result.truncated:
            notice = f"The query was long, so only its first {len(result.query)} characters were used."
        return cls(
            results=[SearchHit(**p.model_dump()) for p in result.passages],
            notice=notice,
        )


class RetrievalMetrics(BaseModel):
    dataset_size: int
    k: int
    recall_at_k: float = Field(description="Share of queries with a relevant section in the top k.")
    recall_at_1: float
    mrr: float = Field(description="Mean reciprocal rank of the first relevant section (0 past k).")
    by_domain: dict[str, float] = Field(description="Recall@k per domain of the relevant section.")
    misses: list[str] = Field(description="Queries with no relevant section in the top k.")


class AskOutput(BaseModel):
    """`aifbot ask --json` (DESIGN.md), extended with notice, citations and conversation."""

    reply: str
    route: str
    sources: list[dict]
    guardrail: dict
    pending: str | None
    choices: list[dict]
    notice: str | None = None
    conversation: str

    @classmethod
    def of(cls, reply: Reply, conversation: str) -> AskOutput:
        return cls(
            reply=reply.text,
            route=reply.route,
            sources=[c.model_dump() for c in reply.citations],
            guardrail=reply.guardrail.model_dump(),
            pending=reply.pending,
            choices=[c.model_dump() for c in reply.choices],
            notice=reply.notice,
            conversation=conversation,
        )


class RouteOutput(BaseModel):
    route: str
    confidence: float


class RoutingMetrics(BaseModel):
    dataset_size: int
    accuracy: float
    by_route: dict[str, dict[str, float]] = Field(description="precision, recall, support per route")
    errors: list[str]


class GuardrailMetrics(BaseModel):
    dataset_size: int
    prompt_attack_recall: float
    denied_topic_recall: float
    abuse_recall: float
    pii_masked: float = Field(description="Share of PII cases with every listed type masked.")
    benign_false_positive_rate: float = Field(description="Share of benign cases not allowed.")
    errors: list[str]
