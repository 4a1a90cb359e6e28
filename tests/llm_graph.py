"""Running the propose graph with an LLM in the context (in memory, no data dir)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import GraphContext, build_graph, initial_state, strict_serde, thread_config
from tools.target_schema import load_target_schema


def run_llm_graph(source: Path, schema: Path, sink: Any, *, offline: bool = False, run_id: str = "run-llm",
                  **context: Any) -> dict[str, Any]:
    """The final state of one run with ``offline`` as given (the LLM is ``context['llm']``)."""
    graph = build_graph(SqliteSaver(sqlite3.connect(":memory:", check_same_thread=False), serde=strict_serde()))
    state = initial_state(run_id=run_id, source_path=str(source), schema_path=str(schema),
                          schema_sha256=load_target_schema(schema).sha256, offline=offline)
    final = graph.invoke(state, thread_config(run_id), context=GraphContext(audit=sink, **context), durability="sync")
    return dict(final)
