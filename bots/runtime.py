"""Composition root: builds the real collaborators from settings, once, for any entry point."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

from agents.context import AgentContext
from agents.graph import build_graph
from agents.router.classifier import (
    ChatModelClassifier,
    NearestNeighbourClassifier,
    RouteClassifier,
    load_examples,
)
from bots.core import ConversationService
from bots.models import make_chat_model
from bots.settings import Settings
from knowledge.embeddings.base import Embedder
from knowledge.index import KnowledgeIndex, open_chroma, reset_local_index
from knowledge.retriever import HybridRetriever

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def make_embedder(settings: Settings) -> Embedder:
    if settings.embeddings == "titan":
        import boto3

        from knowledge.embeddings.titan import TitanEmbedder

        return TitanEmbedder(boto3.client("bedrock-runtime", region_name=settings.aws_region))
    from knowledge.embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder(cache_dir=settings.model_cache_dir)


class Runtime:
    """Lazily built, shared parts of a running aifbot process."""

    def __init__(self, settings: Settings, progress: Progress | None = None) -> None:
        self.settings = settings
        self.progress = progress

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings)

    def chroma_client(self) -> Any:
        return open_chroma(self.settings.index_dir, self.settings.chroma.url)

    @cached_property
    def index(self) -> KnowledgeIndex:
        """The notes index, built on first use and refreshed when the notes changed."""
        index = KnowledgeIndex(self.chroma_client(), self.embedder).open()
        report = index.ingest(progress=self.progress)
        if report.changed:
            log.info("notes indexed: %d files, %d chunks", len(report.added), report.chunks)
        return index

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
        return KnowledgeIndex(self.chroma_client(), self.embedder).open()

    @cached_property
    def chat_model(self) -> BaseChatModel | None:
        return make_chat_model(self.settings)

    @cached_property
    def classifier(self) -> RouteClassifier:
        topics = sorted({chunk.title for chunk in self.index.chunks if chunk.domain})
        offline = NearestNeighbourClassifier(
            self.embedder, load_examples(topics=topics), cache_dir=self.settings.model_cache_dir
        )
        return ChatModelClassifier(self.chat_model, offline) if self.chat_model else offline

    def agent_context(self) -> AgentContext:
        return AgentContext(
            retriever=self.retriever, classifier=self.classifier, chat_model=self.chat_model
        )

    @asynccontextmanager
    async def conversations(self) -> AsyncIterator[ConversationService]:
        """The shared graph with its checkpointer open, behind the conversation service."""
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = self.settings.checkpoint_db_path
        path.parent.mkdir(parents=True, exist_ok=True)
        context = self.agent_context()
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            yield ConversationService(build_graph(saver), context)
