"""The scale-out backends for real: PostgreSQL (state, progress, audit, LangGraph checkpoints) and
a Chroma server, each started on 127.0.0.1 by the fixtures in tests/servers.py."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from agents.checkpoints import postgres_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.state import UserRef
from bots.platform.core import ConversationService, Turn
from knowledge.index import KnowledgeIndex, open_chroma
from knowledge.retriever import HybridRetriever
from knowledge.vector_cache import CachedEmbedder
from tools.audit import AuditEntry, AuditLog
from tools.progress import Attempt, ProgressStore
from tools.state import StateStore, database_url, sync_engine


async def test_two_replicas_claim_each_event_once_on_postgres(postgres_url: str) -> None:
    url = database_url(postgres_url, None)  # type: ignore[arg-type]
    first, second = await asyncio.gather(StateStore.open(url), StateStore.open(url))  # migrate together
    try:
        claims = await asyncio.gather(
            *(s.claim_event(f"slack:Ev{i % 3}") for i, s in enumerate([first, second] * 6))
        )
        assert claims.count(True) == 3
        assert await first.ping()
    finally:
        await first.close()
        await second.close()


def test_progress_and_audit_on_postgres(postgres_url: str) -> None:
    engine = sync_engine(postgres_url)
    progress = ProgressStore(engine)
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    attempt = Attempt(
        platform="slack",
        user="U1",
        question="d1-001",
        domain=1,
        task="1.1",
        correct=True,
        answer="B",
        session="s1",
        scope="slack:C1",
        time=now,
    )
    assert progress.record(attempt)
    assert not progress.record(attempt)  # a double click is recorded once
    assert progress.record(
        attempt.model_copy(update={"question": "d2-001", "domain": 2, "task": "2.1", "correct": False})
    )
    assert progress.accuracy_by_domain("slack", "U1") == {1: (1, 1), 2: (0, 1)}
    assert progress.activity("slack", "U1") == [(now.date(), 2)]
    assert progress.leaderboard("slack:C1") == [("U1", 1, 2)]
    assert progress.due("slack", "U1", now + timedelta(days=400)) != []

    log = AuditLog(engine)
    log.record(
        AuditEntry(
            time=now,
            user="U1",
            platform="slack",
            tool="verify_identity",
            decision="refused",
            reason="not verified",
        )
    )
    assert log.count("U1", "slack", now - timedelta(minutes=1), decision="refused") == 1
    assert log.tail()[0].time == now


async def test_replicas_starting_together_all_set_up_the_checkpointer(postgres_url: str) -> None:
    """One replica's CREATE INDEX CONCURRENTLY must not wait on another blocked in the setup lock."""
    url = database_url(postgres_url, None)  # type: ignore[arg-type]
    opened = 0

    async def replica() -> None:
        nonlocal opened
        async with postgres_checkpointer(url) as saver:
            assert await saver.aget_tuple({"configurable": {"thread_id": "nobody"}}) is None
            opened += 1

    # the wait only turns a hang into a failure; a working setup takes well under a second each
    await asyncio.wait_for(asyncio.gather(*(replica() for _ in range(3))), timeout=60)
    assert opened == 3


async def test_conversations_survive_a_restart_on_postgres_checkpoints(
    postgres_url: str, agent_context: AgentContext
) -> None:
    url = database_url(postgres_url, None)  # type: ignore[arg-type]
    context = dataclasses.replace(
        agent_context,
        quiz=dataclasses.replace(agent_context.quiz, progress=ProgressStore(sync_engine(postgres_url))),
    )
    turn = Turn(
        text="quiz me on domain 1, 2 questions",
        user=UserRef(platform="slack", id="U1"),
        channel="C1",
        thread="1.0",
    )
    async with postgres_checkpointer(url) as saver:
        first = await ConversationService(build_graph(saver), context).handle(turn)
    assert first.pending == "quiz" and first.form is not None
    async with postgres_checkpointer(url) as saver:  # a new process: the quiz is still open
        answer = first.form.value([first.form.options and sorted(first.form.options)[0]])
        second = await ConversationService(build_graph(saver), context).handle(
            turn.model_copy(update={"text": answer})
        )
    assert second.route == "quizmaster"
    assert "Question 2 of 2" in second.text


def test_the_notes_index_on_a_chroma_server(chroma_url: str, embedder) -> None:
    index = KnowledgeIndex(open_chroma(url=chroma_url), embedder, document_embedder=CachedEmbedder(embedder))
    index.open().ingest()  # a no-op when another test on this server indexed the notes first
    assert len(index.chunks) > 500
    results = HybridRetriever(index).search("What does Amazon Bedrock Guardrails filter?", k=3)
    assert any("guardrail" in p.section.lower() or "guardrail" in p.text.lower() for p in results.passages)
    # a second replica opens the same collection without re-ingesting
    again = KnowledgeIndex(open_chroma(url=chroma_url), embedder, document_embedder=CachedEmbedder(embedder))
    assert not again.open().ingest().changed
