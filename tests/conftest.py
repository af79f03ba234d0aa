"""Shared fixtures: the real embedder, a real Chroma index of the notes and the real router, each
built once per test run."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.context import AgentContext
from agents.router.classifier import NearestNeighbourClassifier, load_examples
from knowledge.embeddings.minilm import MiniLMEmbedder
from knowledge.index import KnowledgeIndex, open_chroma
from knowledge.retriever import HybridRetriever
from knowledge.vector_cache import CachedEmbedder


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or AWS settings, and data goes to a temp dir."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("AIFBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AIFBOT_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embedder(model_cache: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_dir=model_cache)


@pytest.fixture(scope="session")
def notes_index(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> KnowledgeIndex:
    client = open_chroma(tmp_path_factory.mktemp("index"))
    index = KnowledgeIndex(client, embedder, document_embedder=CachedEmbedder(embedder)).open()
    index.ingest()
    return index


@pytest.fixture(scope="session")
def retriever(notes_index: KnowledgeIndex) -> HybridRetriever:
    return HybridRetriever(notes_index)


@pytest.fixture(scope="session")
def classifier(
    embedder: MiniLMEmbedder, notes_index: KnowledgeIndex, model_cache: Path
) -> NearestNeighbourClassifier:
    topics = sorted({c.title for c in notes_index.chunks if c.domain})
    return NearestNeighbourClassifier(embedder, load_examples(topics=topics), cache_dir=model_cache)


@pytest.fixture(scope="session")
def question_bank() -> list:
    """The validated question bank, read once (questions are immutable)."""
    from knowledge.question_bank import load_questions

    return load_questions()


@pytest.fixture
def agent_context(
    retriever: HybridRetriever, classifier: NearestNeighbourClassifier, tmp_path: Path, question_bank: list
) -> AgentContext:
    from agents.quizmaster.services import QuizServices
    from tools.progress import ProgressStore

    quiz = QuizServices(question_bank, ProgressStore(tmp_path / "progress.sqlite3"), random.Random(7))
    return AgentContext(retriever=retriever, classifier=classifier, quiz=quiz)


@pytest.fixture(scope="session")
def local_guardrail(embedder: MiniLMEmbedder, model_cache: Path):
    from agents.guards.local import LocalGuardrail
    from agents.guards.policy import load_policy

    return LocalGuardrail(load_policy(), embedder, cache_dir=model_cache)


# moto's DynamoDB server, for the account store and the banking agent tests
from tests.dynamodb import dynamodb_client, moto_dynamodb_endpoint, unique_table  # noqa: E402, F401
from tests.servers import chroma_url, postgres_server, postgres_url  # noqa: E402, F401


@pytest.fixture
async def state_store(tmp_path: Path):
    """The shared state database on a SQLite file, migrated with Alembic like in production."""
    from tools.state import StateStore, database_url

    store = await StateStore.open(database_url(None, tmp_path / "state.sqlite3"))
    yield store
    await store.close()


@pytest.fixture
def full_context(agent_context: AgentContext, local_guardrail, tmp_path: Path) -> AgentContext:
    """Every agent with real parts: local guardrails and the demo bank on SQLite."""
    import dataclasses

    from agents.banking.services import BankServices
    from tools.audit import AuditLog
    from tools.bank.data import load_demo_accounts, load_document_guides
    from tools.bank.store import SqliteAccountStore

    store = SqliteAccountStore(tmp_path / "bank.sqlite3")
    store.seed(load_demo_accounts())
    bank = BankServices(
        store=store, audit=AuditLog(tmp_path / "audit.sqlite3"), guides=load_document_guides()
    )
    return dataclasses.replace(agent_context, guardrail=local_guardrail, bank=bank)


@pytest.fixture
async def gateway(full_context: AgentContext, state_store, tmp_path: Path):
    """What the adapters talk to: the real graph with SQLite checkpoints and the state database."""
    from agents.checkpoints import sqlite_checkpointer
    from agents.graph import build_graph
    from bots.platform.core import ConversationService
    from bots.platform.gateway import Gateway

    async with sqlite_checkpointer(tmp_path / "checkpoints.sqlite3") as saver:
        yield Gateway(ConversationService(build_graph(saver), full_context), state_store)


@pytest.fixture(autouse=True)
def slack_rules_kept() -> Iterator[None]:
    """Every test that talks to the fake Slack fails if the bot did what Slack hides or refuses (an
    ephemeral into a thread with no replies, shown to nobody): the rule holds across the whole suite."""
    from tests.bots.slack.fake_slack import FakeSlack

    FakeSlack.live.clear()
    yield
    broken = [rule for fake in FakeSlack.live for rule in fake.violations]
    FakeSlack.live.clear()
    assert not broken, f"Slack rules broken: {broken}"
