"""What every platform adapter calls: each event once, only in chosen channels, through the graph."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import SQLAlchemyError

from agents.reply import Reply
from bots.platform.core import STORE_BUSY, ConversationService, Turn
from bots.platform.manners import ThreadMessage, ThreadView, for_the_bot
from bots.startup.logs import conversation_key
from tools.metrics import METRICS
from tools.state import Feedback, StateStore

log = logging.getLogger(__name__)


class Gateway:
    """Dedupe (in the shared database, so it holds across replicas), channel choice, feedback."""

    def __init__(self, conversations: ConversationService, state: StateStore) -> None:
        self.conversations = conversations
        self.state = state

    async def wants(self, message: ThreadMessage, platform: str, channel: str, conversation: str) -> bool:
        """Whether a message in a channel thread is for the bot (thread manners); DMs always are."""
        view: ThreadView = await self.conversations.thread(conversation)
        if view.known and not message.mentions_bot:
            try:
                settings = await self.state.channel(platform, channel)
                view.mentions_only = bool(settings and settings.mentions_only)
            except (SQLAlchemyError, OSError) as exc:  # unsure: the default manners still apply
                log.error("channel manners unavailable: %s", type(exc).__name__)
        wanted = for_the_bot(message, view)
        log.debug("thread manners: %s for %r in %s", wanted, message.text[:40], view)
        return wanted

    async def claim(self, event: str) -> bool | None:
        """True the first time an event key is seen, False for retries and double clicks,
        None when the database can't say (the caller answers that it's busy)."""
        try:
            return await self.state.claim_event(event)
        except (SQLAlchemyError, OSError) as exc:
            log.error("dedupe store unavailable: %s", type(exc).__name__)
            return None

    async def turn(self, turn: Turn, event: str | None = None) -> Reply | None:
        """The graph's answer, or None when this event was already answered."""
        if event is not None:
            claimed = await self.claim(event)
            if claimed is False:
                METRICS.duplicates.labels(turn.user.platform).inc()
                log.info("duplicate event %s ignored", event)
                return None
            if claimed is None:
                return Reply(text=STORE_BUSY, route="help")
        conversation_key.set(turn.conversation)
        started = time.perf_counter()
        reply = await self.conversations.handle(turn)
        METRICS.observe_turn(turn.user.platform, reply, time.perf_counter() - started)
        return reply

    async def answers_in(self, platform: str, workspace: str, channel: str) -> bool:
        try:
            return await self.state.answers_in(platform, workspace, channel)
        except (SQLAlchemyError, OSError) as exc:  # unsure: answering beats going silent
            log.error("channel settings unavailable: %s", type(exc).__name__)
            return True

    async def feedback(self, item: Feedback) -> bool:
        try:
            await self.state.record_feedback(item)
            METRICS.feedback.labels(item.platform, "helpful" if item.rating > 0 else "not_helpful").inc()
            return True
        except (SQLAlchemyError, OSError) as exc:
            log.error("feedback not stored: %s", type(exc).__name__)
            return False
