"""Wiring of the propose graph: read -> profile -> retrieve -> propose -> validate -> (repair) -> route -> review.

``repair`` loops back to ``validate`` while fields fail and rounds remain (the validate
node decides; see ``nodes.validate``). ``rerank`` (the LLM, when configured) sits between
``propose`` and ``validate``; ``review`` (people, via an interrupt) follows ``route``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.graph import nodes
from agent.graph.state import ProposeState

Node = Callable[..., dict[str, Any]]

# The straight part of the graph, in order; validate's branch and repair's loop follow.
PIPELINE: tuple[tuple[str, Node], ...] = (
    ("read", nodes.read),
    ("profile", nodes.profile),
    ("retrieve", nodes.retrieve),
    ("propose", nodes.propose),
    ("rerank", nodes.rerank),
    ("validate", nodes.validate),
)
REPAIR = "repair"
ROUTE = "route"
REVIEW = "review"
NODE_NAMES: tuple[str, ...] = (*(name for name, _ in PIPELINE), REPAIR, ROUTE, REVIEW)


def after_validate(state: ProposeState) -> str:
    """Repair while the validate node found fields worth another try, else route."""
    return REPAIR if state.get("to_repair") else ROUTE


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The compiled graph; with a checkpointer, runs are resumable by ``thread_id`` (= run id)."""
    graph = StateGraph(ProposeState)
    for name, node in PIPELINE:
        graph.add_node(name, node)
    graph.add_node(REPAIR, nodes.repair)
    graph.add_node(ROUTE, nodes.route)
    graph.add_edge(START, PIPELINE[0][0])
    for (before, _), (after, _) in zip(PIPELINE, PIPELINE[1:]):
        graph.add_edge(before, after)
    graph.add_conditional_edges(PIPELINE[-1][0], after_validate, {REPAIR: REPAIR, ROUTE: ROUTE})
    graph.add_edge(REPAIR, PIPELINE[-1][0])
    graph.add_node(REVIEW, nodes.review)
    graph.add_edge(ROUTE, REVIEW)  # review interrupts the run while people decide (see nodes.review)
    graph.add_edge(REVIEW, END)
    return graph.compile(checkpointer=checkpointer)


def thread_config(run_id: str) -> dict[str, Any]:
    """The config that addresses one run's checkpoints."""
    return {"configurable": {"thread_id": run_id}}
