"""The rerank task: the hard fields of a proposal, in batches, to the LLM and back.

One request per ``batch_size`` hard fields (not one per field). Each request is built
from the versioned template ``prompts/rerank_fields.v1.txt`` and audited with the
template's name and sha256, the structured-output mode, whether raw samples were
allowed, the exact messages, the request hash, every exchange (raw answer, tokens,
latency) and the outcome, so ``crosswalk audit replay`` can answer it again from the log;
the answers are merged by ``merge``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agent.llm import LlmAssist
from agent.llm.merge import merge_answers
from agent.llm.output import ALLOWED_OPS, FieldOffer, FieldSuggestion, RerankAnswer, strict_json_schema
from agent.llm.payload import build_offers, data_block
from prompts import load_prompt
from tools.profile import SourceProfile
from tools.propose import Proposal, ProposeSettings
from tools.target_schema import TargetSchema

TEMPLATE = "rerank_fields.v1"
SYSTEM = "You are a careful data-mapping assistant. You answer with JSON only."
TOKENS_PER_FIELD = 160  # an answer is about 60-100 tokens a field; the rest is slack
TOKENS_BASE = 64

Record = Callable[[str, dict[str, Any], dict[str, Any]], None]  # (action, inputs, outputs) -> audit


def rerank_messages(payloads: list[dict[str, Any]]) -> tuple[list[dict[str, str]], str, str]:
    """The chat messages of one request, with the template's name and sha256."""
    template = load_prompt(TEMPLATE)
    schema = json.dumps(strict_json_schema(RerankAnswer), separators=(",", ":"))
    text = template.render(allowed_ops=", ".join(ALLOWED_OPS), output_schema=schema, fields_json=data_block(payloads))
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}], template.name, template.sha256


def rerank(proposal: Proposal, profile: SourceProfile, schema: TargetSchema, settings: ProposeSettings,
           assist: LlmAssist, record: Record) -> tuple[Proposal, dict[str, Any]]:
    """The proposal with the LLM's answers merged (as evidence or review reasons), and a summary."""
    offered = build_offers(proposal, profile, schema, settings, send_samples=assist.send_samples)
    answers: dict[str, FieldSuggestion] = {}
    failures: dict[str, str] = {}
    for start in range(0, len(offered), assist.batch_size):
        batch = offered[start:start + assist.batch_size]
        offers = {offer.id: offer for offer, _ in batch}
        messages, name, sha = rerank_messages([payload for _, payload in batch])
        answer, call = assist.client.structured(messages, RerankAnswer, template=name, template_sha256=sha,
                                                context={"offers": offers},
                                                max_tokens=TOKENS_BASE + TOKENS_PER_FIELD * len(batch))
        if answer is None:
            failures.update({i: call.error or "no answer" for i in offers})
        else:
            answers.update({s.id: s for s in answer.fields})
        # the exact messages: raw sample values are in them only when send_samples allowed them to go at all
        record("llm_request", {"template": name, "template_sha256": sha, "model": assist.client.model, "mode": call.mode,
                               "send_samples": assist.send_samples, "fields": [o.target for o in offers.values()],
                               "request_hash": call.request_hash, "messages": messages},
               {**call.as_dict(), "answered": sorted(s.id for s in answer.fields) if answer else []})
    merged, summary = merge_answers(proposal, [offer for offer, _ in offered], answers, failures)
    summary["hard_fields"] = [offer.target for offer, _ in offered]
    return merged, summary


__all__ = ["TEMPLATE", "FieldOffer", "rerank", "rerank_messages"]
