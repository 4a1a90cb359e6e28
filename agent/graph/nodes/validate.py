"""validate: apply each proposed field to the sample rows and check the output against the schema.

After a repair round only the fields it changed are checked again. The node also decides
whether another repair round is worth running: failing fields with an untried option,
while rounds remain.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.nodes.repair import failing_fields, next_attempt
from agent.graph.state import ProposeState
from tools.propose import FieldValidation, Proposal, validate_proposal


def validate(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Per target: sample pass rate and masked failing examples; and the fields to repair."""
    ctx = runtime.context
    ctx.enter("validate")
    sample = ctx.samples.get(state)
    schema = ctx.schemas.get(state)
    proposal = Proposal.model_validate(state["proposal"])
    only = state.get("revised")
    doc = proposal.document
    if only is not None:
        doc = doc.model_copy(update={"fields": [f for f in doc.fields if f.target in set(only)]})
    fresh = validate_proposal(doc, sample.values, schema)
    active = {f.target for f in proposal.document.fields}
    earlier = (state.get("validations") or {}) if only is not None else {}
    validations = {t: FieldValidation.model_validate(v) for t, v in earlier.items() if t in active and t not in fresh}
    validations.update(fresh)
    failing = failing_fields(proposal, validations, ctx.settings)
    tried = {r["key"] for r in state.get("repairs") or []}
    rounds_left = state.get("repair_round", 0) < ctx.max_repair_rounds
    to_repair = [t for t in failing if next_attempt(proposal, t, tried) is not None] if rounds_left else []
    ctx.audit.record(
        "graph_validate", f"run:{state['run_id']}",
        {"fields": sorted(fresh), "rows": len(sample.values), "repair_round": state.get("repair_round", 0)},
        {"pass_rates": {t: v.pass_rate for t, v in fresh.items()},
         "rows_checked": {t: v.rows_checked for t, v in fresh.items()},
         "failing": {t: (validations[t].failures[0].reason if validations[t].failures else "") for t in failing},
         "to_repair": to_repair},
    )
    return {"validations": {t: v.model_dump(mode="json") for t, v in validations.items()},
            "to_repair": to_repair, "revised": None}
