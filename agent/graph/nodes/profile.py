"""profile: per-column evidence (types, shapes, date formats, code lists) from the sample."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.profile import profile_source


def profile(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Profile the sampled rows (never the whole file)."""
    ctx = runtime.context
    ctx.enter("profile")
    sample = ctx.samples.get(state)
    found = profile_source(sample.reader(), sample_size=state["sample_size"])
    ctx.audit.record(
        "graph_profile", f"source:{sample.info.sha256[:16]}",
        {"sample_size": state["sample_size"]},
        {"rows_sampled": found.rows_sampled, "rows_with_errors": found.rows_with_errors, "exhausted": found.exhausted,
         "types": {f.name: f.inferred_type for f in found.fields}},
    )
    return {"source_profile": found.model_dump(mode="json")}
