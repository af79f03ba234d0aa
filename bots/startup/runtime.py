"""Composition root: builds the real collaborators from settings, once, for any entry point."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bots.startup.settings import Settings
from knowledge.embeddings.base import Embedder
from knowledge.embeddings.cancel import cancellable
from knowledge.index import KnowledgeIndex, open_chroma, reset_local_index
from knowledge.retriever import HybridRetriever
from knowledge.vector_cache import CachedEmbedder

if TYPE_CHECKING:  # the graph stack loads only for commands that run the graph
    from langchain_core.language_models import BaseChatModel

    from agents.banking.services import BankServices
    from agents.context import AgentContext
    from agents.guards.base import Guardrail
    from agents.quizmaster.services import QuizServices
    from agents.router.classifier import RouteClassifier
    from bots.platform.core import ConversationService
    from bots.platform.gateway import Gateway
    from tools.bank.store import AccountStore
    from tools.state import StateStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def make_embedder(settings: Settings, threads: int | None = None) -> Embedder:
    if settings.embeddings == "titan":
        import boto3

        from knowledge.embeddings.titan import TitanEmbedder

        return TitanEmbedder(boto3.client("bedrock-runtime", region_name=settings.aws_region))
    from knowledge.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder(cache_dir=settings.model_cache_dir, threads=threads)


T = TypeVar("T")


class _Deferred:
    """Stands in for a service until its first attribute is read, then builds it (once)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return getattr(self._value, name)


def deferred(build: Callable[[], T]) -> T:
    return cast(T, _Deferred(build))


class Runtime:
    """Lazily built, shared parts of a running aifbot process."""

    def __init__(
        self, settings: Settings, progress: Progress | None = None, embedding_threads: int | None = None
    ) -> None:
        self.settings = settings
        self.progress = progress
        self.embedding_threads = embedding_threads  # None: all cores (batch indexing)
        self._embedder_ready: Future[Embedder] | None = None
        # set when the process is asked to stop: preparation in progress gives up between batches
        self.stopping = threading.Event()

    def start_loading(self) -> None:
        """Load the embedding model in the background while the caller imports the rest:
        ONNX Runtime builds its session without holding the GIL, so the two overlap."""
        if self._embedder_ready is None and "embedder" not in self.__dict__:
            self._embedder_ready = ThreadPoolExecutor(1, "aifbot-load").submit(
                make_embedder, self.settings, self.embedding_threads
            )

    def prepare(self) -> None:
        """Build everything a turn needs (model, index, router, guardrail, stores) before taking
        traffic; raises PreparationCancelled soon after `stop_preparing()`."""
        with cancellable(self.stopping):
            self.bank, self.quiz  # noqa: B018 - built now, so no turn waits for them
            self.agent_context()
            from agents.tutor.library import library_for

            library_for(self.index)  # the notes parsed once, before the first tutor turn

    def stop_preparing(self) -> None:
        self.stopping.set()

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder_ready is not None:
            return self._embedder_ready.result()
        return make_embedder(self.settings, self.embedding_threads)

    def chroma_client(self) -> Any:
        return open_chroma(self.settings.index_dir, self.settings.chroma.url)

    @cached_property
    def document_embedder(self) -> CachedEmbedder:
        local = self.settings.model_cache_dir / f"vectors-{self.embedder.name}.npz"
        return CachedEmbedder(self.embedder, local)

    def open_index(self) -> KnowledgeIndex:
        return KnowledgeIndex(
            self.chroma_client(), self.embedder, document_embedder=self.document_embedder
        ).open()

    @cached_property
    def index(self) -> KnowledgeIndex:
        """The notes index, built on first use and refreshed when the notes changed."""
        index = self.open_index()
        report = index.ingest(progress=self._indexing_progress)
        if report.changed:
            log.info("notes indexed: %d files, %d chunks", len(report.added), report.chunks)
        return index

    def _indexing_progress(self, done: int, total: int) -> None:
        if 0 < done < total:  # a first start indexes for a while; the log says why it isn't ready yet
            log.info("indexing the notes: %d of %d sections", done, total)
        if self.progress:
            self.progress(done, total)

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index)

    def rebuild_index(self) -> KnowledgeIndex:
        """Start the notes index from nothing (also the cure for a damaged local index)."""
        self.__dict__.pop("index", None)
        self.__dict__.pop("retriever", None)
        if self.settings.chroma.url:
            KnowledgeIndex(self.chroma_client(), self.embedder).rebuild()
        else:
            reset_local_index(self.settings.index_dir)
        return self.open_index()

    @cached_property
    def chat_model(self) -> BaseChatModel | None:
        from bots.startup.models import make_chat_model

        return make_chat_model(self.settings)

    @cached_property
    def classifier(self) -> RouteClassifier:
        from agents.router.classifier import (
            ChatModelClassifier,
            NearestNeighbourClassifier,
            load_examples,
        )

        topics = sorted({chunk.title for chunk in self.index.chunks if chunk.domain})
        offline = NearestNeighbourClassifier(
            self.embedder, load_examples(topics=topics), cache_dir=self.settings.model_cache_dir
        )
        return ChatModelClassifier(self.chat_model, offline) if self.chat_model else offline

    @cached_property
    def guardrail(self) -> Guardrail:
        """Local detectors from the policy file; Amazon Bedrock Guardrails when an id is set
        (with the local detectors as the fallback when Bedrock can't be reached)."""
        from agents.guards.local import LocalGuardrail
        from agents.guards.policy import load_policy

        policy = load_policy()
        local = LocalGuardrail(policy, self.embedder, cache_dir=self.settings.model_cache_dir)
        if not self.settings.guardrail.id:
            return local
        import boto3

        from agents.guards.bedrock import BedrockGuardrail

        client = boto3.client("bedrock-runtime", region_name=self.settings.aws_region)
        return BedrockGuardrail(
            policy, client, self.settings.guardrail.id, self.settings.guardrail.version, fallback=local
        )

    def account_store(self, seed_demo: bool = True) -> AccountStore:
        """The demo accounts: SQLite under the data dir (seeded on first use) or DynamoDB."""
        from tools.bank.data import load_demo_accounts
        from tools.bank.store import DynamoDBAccountStore, SqliteAccountStore

        if self.settings.bank_backend == "dynamodb":
            import boto3

            client = boto3.client(
                "dynamodb",
                region_name=self.settings.aws_region,
                endpoint_url=self.settings.dynamodb.endpoint_url,
            )
            return DynamoDBAccountStore(client)  # filled by `aifbot bank seed`, never implicitly
        path = self.settings.data_dir / "bank.sqlite3"
        fresh = not path.exists()
        store = SqliteAccountStore(path)
        if fresh and seed_demo:
            store.seed(load_demo_accounts())
        return store

    @cached_property
    def bank(self) -> BankServices:
        from agents.banking.services import BankServices
        from knowledge.index import KnowledgeIndex
        from knowledge.retriever import HybridRetriever
        from tools.audit import AuditLog
        from tools.bank.data import FAQ_FILE, load_document_guides

        faq = KnowledgeIndex(
            self.chroma_client(), self.embedder, name="bank-faq", document_embedder=self.document_embedder
        ).open()
        faq.ingest([FAQ_FILE])
        return BankServices(
            store=self.account_store(),
            audit=AuditLog(self.database),
            guides=load_document_guides(),
            faq=HybridRetriever(faq),
        )

    @cached_property
    def quiz(self) -> QuizServices:
        from agents.quizmaster.services import QuizServices
        from knowledge.question_bank import load_questions
        from tools.progress import ProgressStore

        return QuizServices(load_questions(), ProgressStore(self.database))

    def agent_context(self) -> AgentContext:
        from agents.context import AgentContext

        # the quiz's question bank and the banking demo's stores serve only some turns: unless
        # `prepare()` built them already (servers, chat), they are built at their first use, so a
        # one-off `aifbot ask` about a service doesn't parse the whole question bank
        bank = self.__dict__.get("bank") or deferred(lambda: self.bank)
        quiz = self.__dict__.get("quiz") or deferred(lambda: self.quiz)
        return AgentContext(
            retriever=self.retriever,
            classifier=self.classifier,
            chat_model=self.chat_model,
            guardrail=self.guardrail,
            bank=bank,
            quiz=quiz,
        )

    def prepare_grounding(self) -> None:
        """Load (or compute once and keep) the sentence vectors the local grounding check compares
        answers with, so the first answer citing a passage doesn't embed it."""
        with cancellable(self.stopping):
            self._prepare_grounding()

    def _prepare_grounding(self) -> None:
        from agents.guards.local import LocalGuardrail
        from knowledge.chunking import display_text

        guard = self.guardrail
        local = guard if isinstance(guard, LocalGuardrail) else getattr(guard, "fallback", None)
        if isinstance(local, LocalGuardrail):
            passages = [display_text(c.text) for c in self.index.chunks]  # as the retriever returns them
            local.preload_evidence(passages, self.settings.model_cache_dir)

    async def index_ready(self) -> bool:
        """Readiness: the notes index opens and answers (Chroma server reachable, when used)."""
        import asyncio

        try:
            await asyncio.to_thread(lambda: self.index.collection.count())
            return True
        except Exception as exc:  # any failure means not ready; the reason is logged
            log.warning("notes index not ready: %s", type(exc).__name__)
            return False

    @property
    def database(self) -> str | Path:
        """The state database: the configured URL, or a SQLite file under the data dir."""
        return self.settings.database_url or self.settings.state_db_path

    async def state_store(self) -> StateStore:
        from tools.state import StateStore, database_url

        return await StateStore.open(database_url(self.settings.database_url, self.settings.state_db_path))

    @asynccontextmanager
    async def gateway(self) -> AsyncIterator[Gateway]:
        """What the platform adapters talk to: the conversations plus the shared state database."""
        from bots.platform.gateway import Gateway

        state = await self.state_store()
        try:
            async with self.conversations() as conversations:
                yield Gateway(conversations, state)
        finally:
            await state.close()

    @asynccontextmanager
    async def conversations(self) -> AsyncIterator[ConversationService]:
        """The shared graph with its checkpointer open, behind the conversation service."""
        from agents.checkpoints import postgres_checkpointer, sqlite_checkpointer
        from agents.graph import build_graph
        from bots.platform.core import ConversationService
        from tools.state import database_url

        context = self.agent_context()
        url = self.settings.database_url
        checkpointer = (
            postgres_checkpointer(database_url(url, self.settings.state_db_path))
            if url and url.startswith(("postgres", "postgresql"))
            else sqlite_checkpointer(self.settings.checkpoint_db_path)
        )
        async with checkpointer as saver:
            yield ConversationService(build_graph(saver), context)
