"""retrieve: what was approved before for fields like these, in other datasets (the memory).

Recalls, per profiled source field, the most similar approved mappings onto the same
target standard and puts them in the state as ``past_matches`` (plain JSON) for the
propose node to weigh. No memory configured, or an empty one, means no past matches:
the proposal is then exactly the deterministic one. A memory that fails to answer (a
chroma server down) is logged and treated as empty: past approvals are extra evidence,
never a precondition.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.memory.documents import schema_key
from tools.profile import SourceProfile

SCALAR_SKIP = ("array", "object")  # structured fields are never proposed, so never recalled


def retrieve(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Past approved mappings by source field name, most similar first."""
    ctx = runtime.context
    ctx.enter("retrieve")
    schema = ctx.schemas.get(state)
    standard = schema_key(schema=schema)
    past: dict[str, list[dict[str, Any]]] = {}
    failure: str | None = None
    if ctx.memory is not None:
        source_profile = SourceProfile.model_validate(state["source_profile"])
        fields = [f for f in source_profile.fields if f.inferred_type not in SCALAR_SKIP]
        try:
            found = ctx.memory.recall_many(fields, ctx.memory_top_k, schema=standard or None)
        except Exception as exc:  # noqa: BLE001 - memory is extra evidence: an unreachable server must not stop a proposal
            failure = f"{type(exc).__name__}: {exc}"
            found = {}
        past = {name: [match.to_json() for match in matches] for name, matches in found.items()}
    outputs: dict[str, Any] = {
        "fields_with_matches": len(past),
        "best": {name: {"target": items[0]["target"], "similarity": items[0]["similarity"], "dataset": items[0]["dataset"]}
                 for name, items in past.items()},
    }
    if past:  # everything recalled (approved mappings, no source values): a replay answers from this, not today's memory
        outputs["recalled"] = past
    if failure is not None:
        outputs["error"] = failure  # the proposal goes on without past evidence; the log says why
    ctx.audit.record(
        "graph_retrieve", f"schema:{schema.sha256[:16]}",
        {"memory": "configured" if ctx.memory is not None else "none", "top_k": ctx.memory_top_k, "standard": standard},
        outputs,
    )
    return {"past_matches": past}
