"""route: set each field's confidence and status, and write the final document into the state.

``tools.propose.route`` decides (auto-accept only what is confident, validated and free of
always-review reasons). The review node follows this one: it interrupts the graph for
the fields left ``needs_review`` (see ``nodes.review``).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.mapping import MappingDocument
from tools.propose import FieldValidation, Proposal, reason_code
from tools.propose import route as route_fields


def route(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """The routed document, with each field's validation and the run's evidence as extra keys."""
    ctx = runtime.context
    ctx.enter("route")
    proposal = Proposal.model_validate(state["proposal"])
    validations = {t: FieldValidation.model_validate(v) for t, v in (state.get("validations") or {}).items()}
    routed = route_fields(proposal.document, validations, proposal.evidence, ctx.settings)
    data = routed.model_dump(mode="json")
    for field in data["fields"]:
        check = validations.get(field["target"])
        field["validation"] = None if check is None else {
            "rows_checked": check.rows_checked, "rows_passed": check.rows_passed, "pass_rate": check.pass_rate,
            "failures": [f.model_dump(mode="json") for f in check.failures]}
    data["evidence"] = proposal.evidence_json()
    data["repairs"] = list(state.get("repairs") or [])
    data["run_id"] = state["run_id"]
    usage = state.get("llm_usage")
    data["proposed_by"] = {"tool": "crosswalk propose", "llm": usage or "not configured",
                           "mode": "offline" if state.get("offline") else "llm" if usage else "deterministic"}
    MappingDocument.model_validate(data)  # what leaves the graph must read back as a mapping
    ctx.audit.record(
        "graph_route", f"run:{state['run_id']}",
        {"auto_accept_threshold": ctx.settings.auto_accept_threshold, "min_pass_rate": ctx.settings.min_pass_rate},
        {"auto_accepted": [f.target for f in routed.fields if f.status == "auto_accepted"],
         "needs_review": {f.target: [reason_code(r) for r in f.review_reasons] for f in routed.fields if f.status == "needs_review"},
         "confidence": {f.target: f.confidence for f in routed.fields},
         "unmapped_sources": list(routed.unmapped_sources)},
    )
    return {"document": data}
