"""Merge the LLM's answers into a proposal without ever letting them auto-accept a field.

The rules, per hard field:

- the LLM agrees with the deterministic top candidate (same target; transform kept or
  identical): its rationale is added (``LLM: ...``) and the field stays as eligible as
  the deterministic evidence made it, no more. Value-map entries it proposes for
  unplaced code values are added to the value map, and the field goes to review
  (``llm_value_map``): those placements rest on the LLM's word alone;
- it disagrees (another target, 'none', another transform): the deterministic mapping
  stays, the field goes to review with ``llm_disagrees: ...``;
- no valid answer (refused, timed out, invalid twice, budget spent): the offline result
  stands and the field goes to review with ``llm_unavailable: ...``.

Every answer is kept on its field as ``llm_suggestions`` (with ``used`` and the reason),
so a reviewer sees what the LLM said even when nothing of it was used.
"""

from __future__ import annotations

from typing import Any

from agent.llm.output import FieldOffer, FieldSuggestion, suggested_transform
from tools.propose import Proposal, reason_code
from tools.propose.model import UNPLACED, reason
from tools.transforms import ValueMap

LLM_DISAGREES = "llm_disagrees"
LLM_VALUE_MAP = "llm_value_map"
LLM_UNAVAILABLE = "llm_unavailable"
RATIONALE_MAX = 600


def merge_answers(proposal: Proposal, offers: list[FieldOffer], answers: dict[str, FieldSuggestion],
                  failures: dict[str, str]) -> tuple[Proposal, dict[str, Any]]:
    """The proposal with the answers merged, and a summary for the audit log."""
    fields = {f.target: f for f in proposal.document.fields}
    evidence = dict(proposal.evidence)
    summary: dict[str, Any] = {"used": [], "not_used": {}, "unavailable": {}, "unanswered": []}
    for offer in offers:
        field, ev = fields[offer.target], evidence[offer.target]
        reasons = list(ev.review_reasons)
        update: dict[str, Any] = {}
        if offer.id in failures:
            why = failures[offer.id]
            reasons.append(reason(LLM_UNAVAILABLE, f"no valid LLM answer ({why}); the offline result stands"))
            note = {"target": None, "used": False, "reason": f"no valid answer: {why}"}
            summary["unavailable"][offer.target] = why
        elif offer.id not in answers:
            note = {"target": None, "used": False, "reason": "the LLM gave no answer for this field"}
            summary["unanswered"].append(offer.target)
        else:
            answer = answers[offer.id]
            note, extra = _judge(offer, answer, field.transform)
            if note["used"]:
                update["rationale"] = f"{field.rationale} LLM: {_clip(answer.rationale)}".strip()
                summary["used"].append(offer.target)
            else:
                reasons.append(extra["reason"])
                summary["not_used"][offer.target] = note["reason"]
            if "transform" in extra:
                update["transform"] = extra["transform"]
                reasons = [r for r in reasons if reason_code(r) != UNPLACED] + extra["reasons"]
        update["llm_suggestions"] = [*(field.model_extra or {}).get("llm_suggestions", []), note]
        fields[offer.target] = field.model_copy(update=update)
        evidence[offer.target] = ev.model_copy(update={"review_reasons": list(dict.fromkeys(reasons))})
    doc = proposal.document.model_copy(update={"fields": [fields[f.target] for f in proposal.document.fields]})
    return proposal.model_copy(update={"document": doc, "evidence": evidence}), summary


def _judge(offer: FieldOffer, answer: FieldSuggestion, current: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The suggestion note for the document, and what to change (a review reason, or a value map)."""
    spec = suggested_transform(answer.transform)
    note: dict[str, Any] = {"target": answer.target, "transform": answer.transform,
                            "value_map": {e.source_value: e.target_value for e in answer.value_map},
                            "rationale": _clip(answer.rationale), "used": False, "reason": ""}
    sources = " + ".join(offer.sources)
    if answer.target != offer.target:
        said = "no candidate fits" if answer.target == "none" else f"{answer.target} fits better"
        note["reason"] = f"disagrees with the deterministic top candidate {offer.target} ({said}); left for review"
        return note, {"reason": reason(LLM_DISAGREES, f"the LLM says {said} for {sources}; the evidence favours {offer.target}")}
    if spec is not None and spec.model_dump(mode="json") != current.model_dump(mode="json"):
        note["reason"] = f"proposes transform {spec.op} instead of {current.op}; the validated deterministic transform kept"
        return note, {"reason": reason(LLM_DISAGREES, f"the LLM proposes transform {spec.op} for {sources}, the evidence {current.op}")}
    note["used"] = True
    note["reason"] = "agrees with the deterministic top candidate"
    if not answer.value_map or not isinstance(current, ValueMap):
        return note, {}
    enum = offer.candidates.get(offer.target) or []
    typed = {str(v): v for v in enum}
    added = {e.source_value: typed[e.target_value] for e in answer.value_map}
    mapping = {**current.mapping, **{k: v for k, v in added.items() if k not in current.mapping}}
    left = [v for v in offer.unplaced if v not in added]
    shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(added.items())[:5])
    reasons = [reason(LLM_VALUE_MAP, f"{len(added)} value(s) placed by the LLM, check them: {shown}")]
    if left:
        reasons.append(reason(UNPLACED, f"{len(left)} source value(s) still not placed on the enum"))
    note["reason"] += f"; {len(added)} value map entr{'y' if len(added) == 1 else 'ies'} added for review"
    spec = ValueMap.model_validate({**current.model_dump(mode="python"), "mapping": mapping})  # re-checked, not copied
    return note, {"transform": spec, "reasons": reasons}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= RATIONALE_MAX else text[: RATIONALE_MAX - 3] + "..."
