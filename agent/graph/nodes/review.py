"""review: queue the fields left needs_review for people, pause the run, apply their decisions.

The node runs twice for a run that needs review. First it queues one review item per
``needs_review`` field and calls ``interrupt()``: the run's checkpoint is on disk and the
process ends. When the last item is decided, the review job resumes the thread (thread
id = run id, any process) with ``Command(resume={"decisions": {target: ...}})``;
langgraph runs this node again from its start, ``queue`` finds the items already there
(so nothing is queued twice), ``interrupt()`` returns the decisions, and the node writes
them into the document. Without a review queue in the context (evals, unit tests) or with
nothing to review, the node passes the document through untouched.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.mapping import FieldMapping
from tools.propose import reason_code
from tools.propose.preview import preview_field

# The first matching reason decides the kind; anything else is a plain mapping decision.
KIND_BY_REASON: tuple[tuple[str, str], ...] = (("merge", "field_merge"), ("unplaced_values", "value_map"))


def review_kind(field: dict[str, Any]) -> str:
    """field_merge for many-to-one merges, value_map for unplaced codes, else mapping_field."""
    codes = {reason_code(r) for r in field.get("review_reasons") or []}
    for code, kind in KIND_BY_REASON:
        if code in codes:
            return kind
    return "mapping_field"


def sample_ref(state: ProposeState) -> dict[str, Any]:
    """Where the run's sample comes from, so a preview can read the same rows again later."""
    return {"source_path": state["source_path"], "read_options": dict(state.get("read_options") or {}),
            "sample_size": state["sample_size"], "schema_path": state["schema_path"],
            "schema_sha256": state.get("schema_sha256"), "source_sha256": (state.get("source_info") or {}).get("sha256")}


def review_items(state: ProposeState, ctx: GraphContext) -> list[dict[str, Any]]:
    """One item (kind, target, proposal with evidence and sample preview) per needs_review field."""
    document = state["document"]
    pending = [f for f in document["fields"] if f["status"] == "needs_review"]
    if not pending:
        return []
    rows = ctx.samples.get(state).values
    schema = ctx.schemas.get(state)
    evidence = document.get("evidence") or {}
    items = []
    for field in pending:
        preview = preview_field(FieldMapping.model_validate(field), rows, schema)
        items.append({"kind": review_kind(field), "target": field["target"],
                      "proposal": {"field": field, "evidence": evidence.get(field["target"]), "preview": preview,
                                   "sample": sample_ref(state)}})
    return items


def apply_decisions(document: dict[str, Any], decisions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The document with each decided field replaced: approved (possibly edited) or rejected."""
    fields = []
    for field in document["fields"]:
        decision = decisions.get(field["target"])
        if decision is None:
            fields.append(field)
            continue
        chosen = decision["field"] if decision["state"] == "approved" else field
        record = {k: decision.get(k) for k in ("item_id", "state", "decided_by", "decided_at", "proposed_by", "reason", "edited")}
        fields.append({**chosen, "status": decision["state"], "review": record})
    return {**document, "fields": fields}


def review(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Queue, pause, and on resume write the people's decisions into the document."""
    ctx = runtime.context
    ctx.enter("review")
    if ctx.review is None or not any(f["status"] == "needs_review" for f in state["document"]["fields"]):
        return {}
    run_id = state["run_id"]
    queued, created = ctx.review.queue(run_id, lambda: review_items(state, ctx))
    if created:
        ctx.audit.record("review_queued", f"run:{run_id}", {},
                         {"items": [{"id": i["id"], "kind": i["kind"], "target": i["target"]} for i in queued]})
    answer = interrupt({"run_id": run_id, "items": queued})
    decisions: dict[str, dict[str, Any]] = dict(answer.get("decisions") or {})
    document = apply_decisions(state["document"], decisions)
    ctx.audit.record("graph_review", f"run:{run_id}", {"items": len(queued)},
                     {"approved": sorted(t for t, d in decisions.items() if d["state"] == "approved"),
                      "rejected": sorted(t for t, d in decisions.items() if d["state"] == "rejected")})
    return {"document": document}
