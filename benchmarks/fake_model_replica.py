"""`aifbot` with a zero-latency fake chat model for the agents (router offline, as in `aifbot
bench`), for load tests: the same CLI (`python benchmarks/fake_model_replica.py serve slack --http
...`), so the figures are aifbot's own cost."""

from __future__ import annotations

import dataclasses

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from bots.cli import main
from bots.startup.runtime import Runtime

_real_context = Runtime.agent_context


def _with_fake_model(self: Runtime):  # type: ignore[no-untyped-def]
    fake = FakeListChatModel(responses=["A short grounded answer from the notes [1]."])
    return dataclasses.replace(_real_context(self), chat_model=fake)


Runtime.agent_context = _with_fake_model  # type: ignore[method-assign]

if __name__ == "__main__":
    main()
