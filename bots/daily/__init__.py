"""Daily question posts: the scheduler, the choice of question, the reveal. Adapters provide a
`ChannelPoster` and route `daily:` button values to a `DailyAnswerHandler`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from agents.reply import Reply
from agents.state import UserRef

DAILY_PREFIX = "daily:answer:"  # daily:answer:<post id>:<answer>


class ChannelPoster(Protocol):
    """Posts into a channel of one platform; what the scheduler needs from an adapter."""

    platform: str

    async def post(self, channel: str, reply: Reply, *, reply_to: str | None = None) -> str:
        """Post a reply (as a thread reply to `reply_to` when given); returns the message id.
        Raises on failure, so the scheduler can retry and log."""
        ...


class DirectPoster(Protocol):
    """Sends a direct message to a user (the study plan's reminder); posters that can, do."""

    platform: str

    async def direct(self, user: str, reply: Reply) -> str:
        """DM `reply` to the user id; returns the message id. Raises on failure."""
        ...


# A click on a daily question's answer: (who, button value) → the private feedback text.
DailyAnswerHandler = Callable[[UserRef, str], Awaitable[str]]
