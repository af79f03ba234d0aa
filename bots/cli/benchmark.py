"""`aifbot bench`: graph turn latency and throughput with a zero-latency fake chat model.

The graph, router, retriever (Chroma + BM25) and SQLite checkpointer are the real ones; only the
chat model is a fake, so the figures are aifbot's own overhead per turn.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import BaseModel

from agents.checkpoints import sqlite_checkpointer
from agents.graph import build_graph
from agents.state import UserRef
from bots.cli.evaluation import load_retrieval_set, load_routing_set
from bots.platform.core import ConversationService, Turn
from bots.startup.runtime import Runtime


class LatencyFigures(BaseModel):
    turns: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    throughput_turns_per_s: float


class BenchReport(BaseModel):
    conversations: int
    turns_per_conversation: int
    chat_model: str = "fake (zero latency)"
    think_time_s: float
    sequential: LatencyFigures  # one turn at a time: the cost of a turn
    paced: LatencyFigures  # all conversations open, each user pausing think_time_s between messages
    burst: LatencyFigures  # every conversation sends its next message the moment it gets a reply


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max in milliseconds, and the count (shared by the benchmark scripts)."""
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "n": len(seconds),
    }


def figures(latencies: list[float], elapsed: float) -> LatencyFigures:
    stats = percentiles(latencies)
    return LatencyFigures(
        turns=int(stats.pop("n")),
        throughput_turns_per_s=round(len(latencies) / elapsed, 1),
        **stats,
    )


def workload(conversations: int, turns: int) -> list[list[str]]:
    """Per conversation, a mix of study questions, follow-ups and other routes."""
    questions = [case.query for case in load_retrieval_set(None)]
    others = [case.text for case in load_routing_set(None) if case.route != "tutor"]
    follow_ups = ["and how is it priced?", "give me an example", "why does that matter?"]
    pool = itertools.cycle(questions)
    extra = itertools.cycle(others)
    plan = []
    for c in range(conversations):
        texts = []
        for t in range(turns):
            if t % 4 == 1:
                texts.append(follow_ups[(c + t) % len(follow_ups)])
            elif t % 4 == 3:
                texts.append(next(extra))
            else:
                texts.append(next(pool))
        plan.append(texts)
    return plan


async def _timed(service: ConversationService, turn: Turn, latencies: list[float]) -> None:
    start = time.perf_counter()
    await service.handle(turn)
    latencies.append(time.perf_counter() - start)


async def run_benchmark(
    runtime: Runtime, conversations: int = 50, turns: int = 4, think_time: float = 1.0
) -> BenchReport:
    context = dataclasses.replace(
        runtime.agent_context(),
        chat_model=FakeListChatModel(responses=["A short grounded answer [1]."]),
    )
    plan = workload(conversations, turns)
    with tempfile.TemporaryDirectory() as tmp:
        async with sqlite_checkpointer(Path(tmp) / "bench.sqlite3") as saver:
            service = ConversationService(build_graph(saver), context)

            def turn_of(phase: str, c: int, text: str) -> Turn:
                return Turn(text=text, user=UserRef(id=f"u{c}"), channel=f"{phase}{c}")

            await service.handle(turn_of("warmup", 0, plan[0][0]))

            sequential: list[float] = []
            start = time.perf_counter()
            for c, texts in enumerate(plan):
                for text in texts:
                    await _timed(service, turn_of("seq", c, text), sequential)
            sequential_elapsed = time.perf_counter() - start

            async def converse(phase: str, c: int, texts: list[str], pause: float, out: list[float]) -> None:
                await asyncio.sleep(c * pause / conversations)  # users don't all start together
                for text in texts:
                    await _timed(service, turn_of(phase, c, text), out)
                    await asyncio.sleep(pause)

            results = {}
            for phase, pause in (("paced", think_time), ("burst", 0.0)):
                latencies: list[float] = []
                start = time.perf_counter()
                await asyncio.gather(
                    *(converse(phase, c, texts, pause, latencies) for c, texts in enumerate(plan))
                )
                results[phase] = figures(latencies, time.perf_counter() - start)

    return BenchReport(
        conversations=conversations,
        turns_per_conversation=turns,
        think_time_s=think_time,
        sequential=figures(sequential, sequential_elapsed),
        **results,
    )
