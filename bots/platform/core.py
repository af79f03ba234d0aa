"""The conversation service every adapter calls: platform event → graph turn → neutral Reply."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.types import Command
from pydantic import BaseModel, Field

from agents.context import AgentContext
from agents.reply import Reply, Route
from agents.state import UserRef
from bots.platform.manners import ThreadView

log = logging.getLogger(__name__)

STORE_BUSY = (
    "My conversation memory is busy or unavailable right now, so I couldn't take that in. "
    "Nothing was lost: please send it again in a moment."
)
SEARCH_DOWN = (
    "I can't reach the notes search right now, so I can't answer from the notes. "
    "Nothing was lost: please ask again in a minute."
)
INTERNAL_ERROR = (
    "Something went wrong on my side while answering. Your conversation is saved; "
    "please try again, or rephrase the question."
)


class Turn(BaseModel):
    """One incoming message, already translated from its platform."""

    text: str = Field(description="What the user wrote (or a button's value).")
    user: UserRef = Field(default_factory=UserRef)
    channel: str = Field("local", description="Channel, DM or terminal session.")
    thread: str = Field("main", description="Thread within the channel.")
    route: Route | None = Field(
        None, description="The agent a slash command asked for; the router decides otherwise."
    )

    @property
    def conversation(self) -> str:
        """The conversation key: one graph thread per platform channel thread."""
        return f"{self.user.platform}:{self.channel}:{self.thread}"


class ConversationService:
    """Runs turns through the shared graph; never raises to an adapter."""

    def __init__(self, graph: Any, context: AgentContext) -> None:
        self.graph = graph
        self.context = context

    async def thread(self, conversation: str) -> ThreadView:
        """What the thread manners need to know of a conversation (see `bots.platform.manners`)."""
        return await read_thread(self.graph, conversation)

    async def handle(self, turn: Turn) -> Reply:
        key = turn.conversation
        config = {"configurable": {"thread_id": key}}
        try:
            snapshot = await self.graph.aget_state(config)
            owner = snapshot.values.get("user") if snapshot.interrupts else None
            if owner and (owner.platform, owner.id) != (turn.user.platform, turn.user.id):
                # someone else's approval waits here: this turn runs beside it, in a thread of its own
                key = f"{key}~{turn.user.id}"
                config = {"configurable": {"thread_id": key}}
                snapshot = await self.graph.aget_state(config)
            if snapshot.interrupts:  # a paused flow (an approval) takes the next message as its answer
                payload: Command | dict = Command(resume=turn.text)
            else:
                payload = {
                    "messages": [HumanMessage(turn.text)],
                    "user": turn.user,
                    "conversation": key,
                    "requested": turn.route,
                }
            state = await self.graph.ainvoke(
                payload,
                config=config,
                context=self.context,
                # one checkpoint write per turn, not per node: a crash mid-turn only loses the
                # unanswered message, and interrupts are still saved when the run exits
                durability="exit",
            )
            if state.get("__interrupt__"):
                return Reply.model_validate(state["__interrupt__"][0].value)
            return state["reply"]
        except Exception as exc:
            unavailable = unavailable_service(exc)
            if unavailable is None:
                log.exception("turn failed for %s", key)
                return Reply(text=INTERNAL_ERROR, route="help")
            log.error("%s unavailable for %s: %s", unavailable, key, type(exc).__name__)
            return Reply(text=STORE_BUSY if unavailable == "database" else SEARCH_DOWN, route="help")


async def read_thread(graph: Any, conversation: str) -> ThreadView:
    """Who the bot talks to in a conversation and what waits for an answer there, from the graph's
    checkpointed state (nothing is run). Unknown when the state can't be read: staying quiet in a
    thread beats answering everything."""
    try:
        snapshot = await graph.aget_state({"configurable": {"thread_id": conversation}})
    except Exception as exc:
        log.warning("can't read the state of %s: %s", conversation, type(exc).__name__)
        return ThreadView()
    values = snapshot.values or {}
    if not values:
        return ThreadView()
    quiz, mock, bank = values.get("quiz"), values.get("mock"), values.get("bank")
    quiz_open = quiz is not None and _field(quiz, "position", 0) < len(_field(quiz, "questions", []))
    mock_open = (
        mock is not None
        and _field(mock, "position", 0) < len(_field(mock, "questions", []))
        and not _field(mock, "submitted", False)
    )
    return ThreadView(
        known=True,
        owner=_field(values.get("user"), "id", None),
        quiz_open=quiz_open and not mock_open,
        flow_open=bool(snapshot.interrupts)
        or mock_open
        or values.get("pending") in ("banking", "approval")
        or (bank is not None and values.get("active") == "banking"),
    )


def _field(item: Any, name: str, default: Any) -> Any:
    """A field of a state value, whether the checkpoint gave back the model or its dict."""
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def unavailable_service(exc: BaseException) -> str | None:
    """'database' or 'search' when a backing service is down or busy (the user can retry), else None."""
    seen: BaseException | None = exc
    while seen is not None:
        kind, module = type(seen).__name__, type(seen).__module__
        if isinstance(seen, sqlite3.OperationalError) or (
            module.startswith(("psycopg", "sqlalchemy"))
            and kind in ("OperationalError", "InterfaceError", "PoolTimeout", "TimeoutError")
        ):
            return "database"
        if module.startswith(("httpx", "chromadb")) or "Chroma server" in str(seen):
            return "search"
        seen = seen.__cause__ or seen.__context__
    return None
