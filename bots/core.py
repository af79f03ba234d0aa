"""The conversation service every adapter calls: platform event → graph turn → neutral Reply."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.types import Command
from pydantic import BaseModel, Field

from agents.context import AgentContext
from agents.reply import Reply
from agents.state import UserRef

log = logging.getLogger(__name__)

STORE_BUSY = (
    "My conversation memory is busy or unavailable right now, so I couldn't take that in. "
    "Nothing was lost: please send it again in a moment."
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

    @property
    def conversation(self) -> str:
        """The conversation key: one graph thread per platform channel thread."""
        return f"{self.user.platform}:{self.channel}:{self.thread}"


class ConversationService:
    """Runs turns through the shared graph; never raises to an adapter."""

    def __init__(self, graph: Any, context: AgentContext) -> None:
        self.graph = graph
        self.context = context

    async def handle(self, turn: Turn) -> Reply:
        key = turn.conversation
        config = {"configurable": {"thread_id": key}}
        try:
            paused = (await self.graph.aget_state(config)).interrupts
            # a paused flow (an approval) takes the next message as its answer
            payload = (
                Command(resume=turn.text)
                if paused
                else {"messages": [HumanMessage(turn.text)], "user": turn.user, "conversation": key}
            )
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
        except sqlite3.OperationalError as exc:  # locked or unwritable checkpoint database
            log.error("checkpoint store failed for %s: %s", key, exc)
            return Reply(text=STORE_BUSY, route="help")
        except Exception:
            log.exception("turn failed for %s", key)
            return Reply(text=INTERNAL_ERROR, route="help")
