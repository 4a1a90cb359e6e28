"""read: open the source, keep its sample in memory, and record how it was read."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState


def read(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Describe the source (format, encoding, delimiter, fields); the rows stay out of the state."""
    ctx = runtime.context
    ctx.enter("read")
    sample = ctx.samples.get(state)
    info = sample.info
    ctx.audit.record(
        "graph_read", f"source:{info.sha256[:16]}",
        {"path": state["source_path"], "read_options": dict(state.get("read_options") or {}),
         "sample_size": state["sample_size"]},
        {"sha256": info.sha256, "size_bytes": info.size_bytes, "format": info.format, "encoding": info.encoding,
         "delimiter": info.delimiter, "sheet": info.sheet, "fields": list(info.fields),
         "rows_sampled": len(sample.rows[: sample.sample_size]), "notes": list(info.notes)},
    )
    return {"source_info": info.model_dump(mode="json")}
