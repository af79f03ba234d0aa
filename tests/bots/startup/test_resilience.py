"""PostgreSQL or the Chroma server going away: a clear reply, nothing lost, recovery on return."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

from agents.checkpoints import postgres_checkpointer, sqlite_checkpointer
from agents.context import AgentContext
from agents.graph import build_graph
from agents.state import UserRef
from bots.platform.core import SEARCH_DOWN, STORE_BUSY, ConversationService, Turn
from bots.platform.gateway import Gateway
from knowledge.embeddings.base import Embedder
from knowledge.index import KnowledgeIndex, open_chroma
from knowledge.retriever import HybridRetriever
from knowledge.vector_cache import CachedEmbedder
from tests.servers import free_port, init_postgres, running_chroma, running_postgres
from tools.state import StateStore, database_url


def said(text: str) -> Turn:
    return Turn(text=text, user=UserRef(platform="slack", id="U1"), channel="C1", thread="5.0")


async def test_postgres_down_gets_a_clear_reply_and_the_conversation_resumes(
    agent_context: AgentContext,
) -> None:
    folder, as_user = init_postgres()
    port = free_port()
    server = ExitStack()
    try:
        url = database_url(server.enter_context(running_postgres(folder, as_user, port)), None)  # type: ignore[arg-type]
        state = await StateStore.open(url)
        async with postgres_checkpointer(url) as saver:
            gateway = Gateway(ConversationService(build_graph(saver), agent_context), state)
            first = await gateway.turn(said("what is Amazon Polly?"), event="slack:E1")
            assert first is not None and first.route == "tutor"

            server.close()  # PostgreSQL stops
            assert (await gateway.turn(said("and Amazon Lex?"), event="slack:E2")).text == STORE_BUSY  # type: ignore[union-attr]
            assert (await gateway.turn(said("and Amazon Lex?"))).text == STORE_BUSY  # type: ignore[union-attr]

            server.enter_context(running_postgres(folder, as_user, port))  # and comes back
            again = await gateway.turn(said("and Amazon Lex?"), event="slack:E2")
            assert again is not None and again.route == "tutor"
            history = await gateway.conversations.graph.aget_state(
                {"configurable": {"thread_id": "slack:C1:5.0"}}
            )
            assert [m.type for m in history.values["messages"]] == ["human", "ai", "human", "ai"]
        await state.close()
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


async def test_chroma_server_down_gets_a_clear_reply_then_answers_again(
    agent_context: AgentContext, embedder: Embedder
) -> None:
    folder, port = tempfile.mkdtemp(prefix="aifbot-chroma-"), free_port()
    server = ExitStack()
    try:
        url = server.enter_context(running_chroma(folder, port))
        index = KnowledgeIndex(
            open_chroma(url=url), embedder, document_embedder=CachedEmbedder(embedder)
        ).open()
        index.ingest()
        context = dataclasses.replace(agent_context, retriever=HybridRetriever(index))
        async with sqlite_checkpointer(Path(folder) / "checkpoints.sqlite3") as saver:
            service = ConversationService(build_graph(saver), context)
            assert (await service.handle(said("what is Amazon Polly?"))).route == "tutor"
            server.close()
            assert (await service.handle(said("what is Amazon Transcribe?"))).text == SEARCH_DOWN
            server.enter_context(running_chroma(folder, port))
            back = await service.handle(said("what is Amazon Transcribe?"))
            assert back.route == "tutor" and back.citations
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)
