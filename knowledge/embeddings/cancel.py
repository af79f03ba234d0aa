"""Cancellable start-up work: a served bot stopped while it indexes or embeds must exit in seconds.
(And, in the same way, progress from inside the model's batches for the indexing progress bar.)

Work that may be cancelled runs inside `cancellable(event)`; long loops call `check()` between
batches. The scope is a context variable, so only the preparing thread is affected: a turn being
answered on another thread while the process stops keeps its embeddings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_stop: ContextVar[threading.Event | None] = ContextVar("aifbot_preparation_stop", default=None)
_report: ContextVar[Callable[[int], None] | None] = ContextVar("aifbot_embedding_report", default=None)


class PreparationCancelled(BaseException):
    """Raised inside cancelled preparation. A BaseException, like asyncio's CancelledError, so the
    `except Exception` fallbacks on the way (cache files, optional parts) don't swallow it."""


@contextmanager
def cancellable(stop: threading.Event) -> Iterator[None]:
    token = _stop.set(stop)
    try:
        yield
    finally:
        _stop.reset(token)


def check() -> None:
    """Raise PreparationCancelled when the current scope's stop was requested."""
    stop = _stop.get()
    if stop is not None and stop.is_set():
        raise PreparationCancelled


@contextmanager
def reporting(callback: Callable[[int], None]) -> Iterator[None]:
    """Within this scope, `batch_done(n)` calls `callback(n)` on this thread."""
    token = _report.set(callback)
    try:
        yield
    finally:
        _report.reset(token)


def batch_done(count: int) -> None:
    callback = _report.get()
    if callback is not None:
        callback(count)
