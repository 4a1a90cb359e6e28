"""What the LLM sees of a source: the hard fields only, described without personal data.

A field is hard when the deterministic proposer could not settle it: an always-review
reason (conflicting candidates, unplaced code values, weak name evidence ...) or a
calibrated match below the auto-accept mark. For each the LLM gets the source field's
name, inferred type, null rate, distinct count, value shapes (``Aaaaa``, ``99/99/9999``)
and masked examples, plus the candidate targets (pointer, title, description, type,
format, enum) and the transform op on offer.

Raw values: the distinct values of a field are sent only when it is a low-cardinality
code list (``looks_like_code_list``) feeding an enum or yes/no target and no detector
sees personal data in it (names, dates, identifiers, contact details, places, free
text). Raw samples (``FieldProfile.examples``) only with ``send_samples`` on. Every value
is a JSON string inside the template's DATA block, never part of the instructions.
"""

from __future__ import annotations

import json
from typing import Any

from agent.llm.output import FieldOffer
from tools.names import TargetText, rank_targets
from tools.profile import FieldProfile, SourceProfile
from tools.propose import FieldEvidence, Proposal, ProposeSettings, calibrate, reason_code
from tools.propose.facts import mappable
from tools.target_schema import TargetField, TargetSchema

OTHER_CANDIDATES = 3  # targets offered besides the deterministic one
DESCRIPTION_MAX = 240
# Detector kinds whose values are personal or identifying: their values never leave.
PERSONAL_KINDS = frozenset({
    "postcode", "pnc_id", "cro_number", "nhs_number", "ni_number", "vrm", "phone", "email", "datetime", "date",
    "year_month", "time", "epoch_time", "excel_serial_date", "latitude", "longitude", "bng_easting", "bng_northing",
    "full_name", "given_name", "family_name", "reference_number", "free_text", "lsoa_name",
})
PERSONAL_SCORE = 0.3
CODE_OPS = frozenset({"value_map", "to_boolean"})


def hard_targets(proposal: Proposal, settings: ProposeSettings) -> list[str]:
    """Targets (in document order) the deterministic proposer left unsettled."""
    found = []
    for field in proposal.document.fields:
        ev = proposal.evidence.get(field.target)
        if ev is None or ev.review_reasons or calibrate(ev.match_score, settings.calibration) < settings.auto_accept_threshold:
            found.append(field.target)
    return found


def code_values_allowed(profile: FieldProfile, evidence: FieldEvidence | None, op: str) -> bool:
    """May this field's distinct values be shown? Code lists into code targets, nothing personal."""
    if not profile.looks_like_code_list or not profile.code_values or op not in CODE_OPS:
        return False
    if profile.inferred_type in ("date", "datetime", "time"):
        return False
    detections = evidence.detections if evidence is not None else []
    return not any(d.kind in PERSONAL_KINDS and d.score >= PERSONAL_SCORE for d in detections)


def build_offers(proposal: Proposal, profile: SourceProfile, schema: TargetSchema, settings: ProposeSettings, *,
                 send_samples: bool = False) -> list[tuple[FieldOffer, dict[str, Any]]]:
    """Per hard field: the offer (what an answer may name) and its payload (what the LLM reads)."""
    targets = {t.pointer: t for t in schema.fields if mappable(t)}
    texts = [TargetText(t.pointer, t.title, t.description) for t in targets.values()]
    fields = {f.target: f for f in proposal.document.fields}
    found: list[tuple[FieldOffer, dict[str, Any]]] = []
    for number, target in enumerate(hard_targets(proposal, settings), start=1):
        field = fields[target]
        evidence = proposal.evidence.get(target)
        op = str(field.transform.op)
        pointers = [target] + [m.target for m in rank_targets(field.sources[0], texts, top=OTHER_CANDIDATES + 1)
                               if m.target != target][:OTHER_CANDIDATES]
        candidates = {p: targets[p] for p in pointers if p in targets}
        profiles = [p for p in (profile.field(name) for name in field.sources) if p is not None]
        codes_ok = len(profiles) == 1 and code_values_allowed(profiles[0], evidence, op)
        unplaced = _unplaced(profiles[0], field.transform) if codes_ok else []
        offer = FieldOffer(id=f"f{number}", target=target, sources=list(field.sources), op=op,
                           candidates={p: t.enum for p, t in candidates.items()}, unplaced=unplaced,
                           hard_because=sorted({reason_code(r) for r in (evidence.review_reasons if evidence else [])}))
        payload = {
            "id": offer.id,
            "source_fields": [_source_json(p, codes_ok, send_samples) for p in profiles],
            "offered_target": target,
            "offered_transform_op": op,
            "why_unsettled": offer.hard_because or ["low_confidence"],
            "unplaced_values": unplaced,
            "candidates": [_target_json(t) for t in candidates.values()],
        }
        found.append((offer, payload))
    return found


def data_block(payloads: list[dict[str, Any]]) -> str:
    """The payloads as one JSON document: every data value is a quoted JSON string or number.

    '<' and '>' are written as JSON escapes, so no value can spell the block's closing
    delimiter and step out of the data into the instructions.
    """
    text = json.dumps({"fields": payloads}, ensure_ascii=True, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _source_json(profile: FieldProfile, codes_ok: bool, send_samples: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": profile.name, "inferred_type": profile.inferred_type, "null_rate": round(profile.null_rate, 4),
        "distinct_count": profile.distinct_count, "value_shapes": [s.shape for s in profile.shapes],
        "masked_examples": list(dict.fromkeys(profile.masked_examples)),
    }
    if codes_ok:
        data["distinct_values"] = [str(v) for v in profile.code_values or []]
    if send_samples:  # a model inside the force network only (audited)
        data["raw_samples"] = [str(v) for v in profile.examples]
    return data


def _target_json(target: TargetField) -> dict[str, Any]:
    # empty keys left out: a small model's context is short
    found = {"pointer": target.pointer, "title": target.title, "description": (target.description or "")[:DESCRIPTION_MAX],
             "type": target.types, "format": target.format, "enum": target.enum}
    return {key: value for key, value in found.items() if value}


def _unplaced(profile: FieldProfile, spec: Any) -> list[str]:
    """Code values the deterministic value map leaves without a target value."""
    if str(spec.op) != "value_map":
        return []
    fold = (lambda t: t.strip().lower()) if spec.case_insensitive else (lambda t: t.strip())
    placed = {fold(k) for k in spec.mapping} | {fold(n) for n in spec.null_values}
    return [v for v in profile.code_values or [] if fold(v) not in placed]
