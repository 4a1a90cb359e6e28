"""The propose graph (LangGraph): typed plain-data state, nodes over tools/, SQLite checkpoints."""

from agent.graph.build import NODE_NAMES, build_graph, thread_config
from agent.graph.checkpoints import open_checkpointer, strict_serde
from agent.graph.context import AuditSink, FaultHook, GraphContext, StoreAuditSink, StoreReviewQueue
from agent.graph.state import ProposeState, initial_state

__all__ = ["NODE_NAMES", "AuditSink", "FaultHook", "GraphContext", "ProposeState", "StoreAuditSink", "StoreReviewQueue", "build_graph", "initial_state",
           "open_checkpointer", "strict_serde", "thread_config"]
