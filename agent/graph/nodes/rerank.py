"""rerank: the LLM looks at the fields the deterministic proposer could not settle.

A no-op (state unchanged, one audit event saying why) when the run is offline or no
LLM is configured. Otherwise ``agent.llm.rerank`` sends the hard fields in batches and
merges the answers: as extra evidence when the LLM agrees with the deterministic top
candidate, as review reasons when it does not. Nothing it says can auto-accept a field:
validate and route still decide, on the deterministic evidence.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.profile import SourceProfile
from tools.propose import Proposal


def rerank(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """The proposal with the LLM's answers merged, and the run's LLM usage (or nothing, offline)."""
    ctx = runtime.context
    ctx.enter("rerank")
    subject = f"run:{state['run_id']}"
    skipped = "offline" if state.get("offline") else "LLM not configured" if ctx.llm is None else None
    if skipped is not None or ctx.llm is None:
        ctx.audit.record("graph_rerank", subject, {"llm": skipped}, {"skipped": True, "reason": skipped})
        return {}
    from agent.llm.rerank import rerank as rerank_proposal  # late: openai loads only when an LLM is used

    assist = ctx.llm
    proposal = Proposal.model_validate(state["proposal"])
    profile = SourceProfile.model_validate(state["source_profile"])
    schema = ctx.schemas.get(state)

    def record(action: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        ctx.audit.record(action, subject, inputs, outputs)

    merged, summary = rerank_proposal(proposal, profile, schema, ctx.settings, assist, record)
    usage = {**assist.client.usage.summary(), "send_samples": assist.send_samples, "mode": assist.client.current_mode(),
             "hard_fields": len(summary.get("hard_fields", [])), "batch_size": assist.batch_size}
    ctx.audit.record("graph_rerank", subject,
                     {"llm": assist.client.model, "batch_size": assist.batch_size, "send_samples": assist.send_samples},
                     {**summary, "usage": usage})
    return {"proposal": merged.model_dump(mode="json"), "llm_usage": usage}
