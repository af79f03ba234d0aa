"""Prometheus metrics of a running bot, served at /metrics by `aifbot serve`.

Model metrics are named like Amazon Bedrock's CloudWatch metrics (Invocations, InvocationLatency,
InvocationClientErrors, InvocationServerErrors, InvocationThrottles, InputTokenCount,
OutputTokenCount) so the same dashboards read both."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult
from prometheus_client import CollectorRegistry, Counter, Histogram

_THROTTLES = ("ThrottlingException", "TooManyRequests", "ServiceQuotaExceeded", "RateLimit")
_CLIENT_ERRORS = ("ValidationException", "AccessDenied", "ResourceNotFound", "BadRequest", "Unauthorized")


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.turns = Counter("aifbot_turns", "Graph turns answered", ["platform", "route"], registry=r)
        self.turn_seconds = Histogram(
            "aifbot_turn_seconds",
            "Time to answer one turn",
            ["platform"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.duplicates = Counter(
            "aifbot_duplicate_events", "Retried or repeated events", ["platform"], registry=r
        )
        self.guardrail = Counter(
            "aifbot_guardrail_interventions", "Guardrail findings on turns", ["policy", "action"], registry=r
        )
        self.tool_calls = Counter("aifbot_tool_calls", "Banking tool calls", ["tool", "decision"], registry=r)
        self.feedback = Counter("aifbot_feedback", "Answer ratings", ["platform", "rating"], registry=r)
        self.platform_errors = Counter(
            "aifbot_platform_errors", "Failed platform API calls", ["platform", "error"], registry=r
        )
        self.daily_posts = Counter(
            "aifbot_daily_posts", "Daily question posts", ["platform", "status"], registry=r
        )
        self.invocations = Counter("aifbot_model_Invocations", "Model invocations", ["model"], registry=r)
        self.invocation_latency = Histogram(
            "aifbot_model_InvocationLatency_seconds", "Model invocation latency", ["model"], registry=r
        )
        self.client_errors = Counter(
            "aifbot_model_InvocationClientErrors", "Model client errors", ["model"], registry=r
        )
        self.server_errors = Counter(
            "aifbot_model_InvocationServerErrors", "Model server errors", ["model"], registry=r
        )
        self.throttles = Counter("aifbot_model_InvocationThrottles", "Model throttles", ["model"], registry=r)
        self.input_tokens = Counter(
            "aifbot_model_InputTokenCount", "Model input tokens", ["model"], registry=r
        )
        self.output_tokens = Counter(
            "aifbot_model_OutputTokenCount", "Model output tokens", ["model"], registry=r
        )

    def observe_turn(self, platform: str, reply: Any, seconds: float) -> None:
        """Count a turn by route, its latency, and what the guardrails did in it."""
        self.turns.labels(platform, reply.route).inc()
        self.turn_seconds.labels(platform).observe(seconds)
        verdict = reply.guardrail
        for finding in verdict.findings:
            self.guardrail.labels(finding.policy, verdict.action).inc()

    def model_error(self, model: str, error: BaseException) -> None:
        name = type(error).__name__ + " " + str(error)[:200]
        if any(t in name for t in _THROTTLES):
            self.throttles.labels(model).inc()
        elif any(c in name for c in _CLIENT_ERRORS):
            self.client_errors.labels(model).inc()
        else:
            self.server_errors.labels(model).inc()


METRICS = Metrics()


class ModelMetricsCallback(BaseCallbackHandler):
    """LangChain callback that records every chat-model call in METRICS."""

    def __init__(self, model: str, metrics: Metrics = METRICS) -> None:
        self.model = model
        self.metrics = metrics
        self._started: dict[UUID, float] = {}

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._started[run_id] = time.perf_counter()
        self.metrics.invocations.labels(self.model).inc()

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        started = self._started.pop(run_id, None)
        if started is not None:
            self.metrics.invocation_latency.labels(self.model).observe(time.perf_counter() - started)
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                self.metrics.input_tokens.labels(self.model).inc(usage.get("input_tokens", 0))
                self.metrics.output_tokens.labels(self.model).inc(usage.get("output_tokens", 0))

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._started.pop(run_id, None)
        self.metrics.model_error(self.model, error)
