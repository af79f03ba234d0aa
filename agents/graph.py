"""The one graph every platform shares: input guard → router → agent → output guard.

The banking agent's tools sit behind a tool guard node, and its writes behind an approval node,
so "no account data before verification" is visible in the graph, not buried in a prompt."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agents.banking.approval import approval
from agents.banking.node import banking
from agents.banking.tool_guard import tool_guard
from agents.context import AgentContext
from agents.guards.input_guard import input_guard
from agents.guards.output_guard import output_guard
from agents.help.node import help_agent
from agents.quizmaster.node import quizmaster
from agents.router.classifier import ROUTES
from agents.router.node import router
from agents.state import InputState, State
from agents.tutor.node import tutor


def build_graph(checkpointer: Any = None) -> Any:
    """Wire the nodes. Without a checkpointer each call is a fresh conversation."""
    graph = StateGraph(State, context_schema=AgentContext, input_schema=InputState)
    graph.add_node("input_guard", input_guard, destinations=("router", "output_guard"))
    graph.add_node("router", router, destinations=ROUTES)
    graph.add_node("tutor", tutor)
    graph.add_node("quizmaster", quizmaster)
    graph.add_node("banking", banking, destinations=("tool_guard", "output_guard"))
    graph.add_node("tool_guard", tool_guard, destinations=("banking", "approval"))
    graph.add_node("approval", approval, destinations=("tool_guard", "output_guard"))
    graph.add_node("help", help_agent)
    graph.add_node("output_guard", output_guard)
    graph.add_edge(START, "input_guard")
    for agent in ("tutor", "quizmaster", "help"):
        graph.add_edge(agent, "output_guard")
    graph.add_edge("output_guard", END)
    return graph.compile(checkpointer=checkpointer, name="aifbot")
