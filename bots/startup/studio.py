"""Entry point for LangGraph Studio and `langgraph dev` (see langgraph.json).

The server brings its own checkpointer and cannot send Python objects as run context, so the
factory binds aifbot's real collaborators (retriever, router, chat model) from settings.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime as GraphRuntime

from bots.startup.runtime import Runtime
from bots.startup.settings import Settings

# LangGraph merges a runtime found under this key with each run's own (run context wins).
_RUNTIME_KEY = "__pregel_runtime"


def make_graph() -> Any:
    from agents.graph import build_graph

    context = Runtime(Settings()).agent_context()
    return build_graph().with_config(configurable={_RUNTIME_KEY: GraphRuntime(context=context)})
