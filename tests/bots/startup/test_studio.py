"""The LangGraph Studio entry point runs the real graph without a run context of its own."""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.messages import HumanMessage

from agents.state import UserRef
from bots.startup.studio import make_graph

ROOT = Path(__file__).resolve().parents[3]


def test_langgraph_json_points_at_the_factory() -> None:
    spec = json.loads((ROOT / "langgraph.json").read_text())
    path, _, name = spec["graphs"]["aifbot"].partition(":")
    assert (ROOT / path).exists() and name == make_graph.__name__


async def test_studio_graph_answers() -> None:
    graph = make_graph()
    state = await graph.ainvoke(
        {"messages": [HumanMessage("what is Amazon Polly?")], "user": UserRef(), "conversation": "studio:1:1"}
    )
    assert state["reply"].route == "tutor" and state["reply"].citations
