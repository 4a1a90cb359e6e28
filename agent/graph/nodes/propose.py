"""propose: score every (source, target) candidate and choose one global assignment.

The deterministic proposer of ``tools.propose`` does the work, with the retrieve node's
``past_matches`` (past approved mappings) as one more term of evidence. The LLM rerank
node of a later issue runs after it and reads and writes ``proposal`` in the state.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.mapping import MappingDocument
from tools.profile import SourceProfile
from tools.propose import propose as propose_mapping
from tools.propose import reason_code
from tools.propose.past import parse_past


def propose(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """The proposal with its evidence; every field starts as needs_review until routed."""
    ctx = runtime.context
    ctx.enter("propose")
    sample = ctx.samples.get(state)
    schema = ctx.schemas.get(state)
    source_profile = SourceProfile.model_validate(state["source_profile"])
    past = parse_past(state.get("past_matches"))
    proposal = propose_mapping(source_profile, sample.values, schema, timezone=state["timezone"], settings=ctx.settings,
                               past=past)
    mode = "offline" if state.get("offline") else "deterministic (LLM not configured)"
    ctx.audit.record(
        "graph_propose", f"schema:{schema.sha256[:16]}",
        {"schema_path": state["schema_path"], "schema_sha256": schema.sha256, "target_fields": len(schema.fields),
         "source_fields": len(source_profile.fields), "mode": mode, "timezone": state["timezone"],
         "settings": ctx.settings.model_dump(mode="json", exclude={"calibration", "reference_date"})},
        {"fields": [{"target": ev.target, "sources": ev.sources, "op": _op(proposal.document, ev.target),
                     "match_score": ev.match_score, "name_score": ev.name_score, "kind": ev.kind,
                     "past_similarity": ev.past_similarity,
                     "constraint_rate": ev.constraint_rate, "review": [reason_code(r) for r in ev.review_reasons]}
                    for ev in proposal.evidence.values()],
         "unmapped": dict(proposal.unmapped_reasons),
         "review_items": [item.code for item in proposal.review_items]},
    )
    return {"proposal": proposal.model_dump(mode="json"), "validations": {}, "revised": None,
            "to_repair": [], "repair_round": 0, "repairs": []}


def _op(document: MappingDocument, target: str) -> str:
    field = next((f for f in document.fields if f.target == target), None)
    return str(field.transform.op) if field is not None else ""
