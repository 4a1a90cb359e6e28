"""repair: give fields that failed validation another chance, a bounded number of rounds.

Each round tries, for every failing field, the next untried option, in this order:

1. the same source with its transform chosen again over *every* distinct sample value
   (the proposer tries at most ``trial_values`` of them, so a date format or normaliser
   that fits the commonest values can miss rarer ones that validation then meets);
2. each runner-up candidate of a single source field that no other field uses.

An option is adopted only when it validates better on the sample (a runner-up must also
reach ``min_pass_rate``, since it changes what the field means). An adopted field keeps
the ``repaired_after_validation`` review reason, so a person sees it before it applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from langgraph.runtime import Runtime

from agent.graph.context import GraphContext
from agent.graph.state import ProposeState
from tools.mapping import FieldMapping
from tools.profile import SourceProfile
from tools.propose import FieldValidation, Proposal, ProposeSettings
from tools.propose.compatibility import LeafChecker
from tools.propose.facts import source_facts, target_facts
from tools.propose.model import reason
from tools.propose.transform_choice import Choice, ChoiceContext, choose_transform
from tools.propose.validation import validate_field
from tools.target_schema import TargetSchema

REPAIRED = "repaired_after_validation"
AttemptKind = Literal["full_sample_transform", "alternative"]


@dataclass(frozen=True)
class Attempt:
    """One option for one failing field."""

    target: str
    kind: AttemptKind
    source: str
    score: float | None = None  # the runner-up's match score

    @property
    def key(self) -> str:
        return f"{self.target}|{self.kind}|{self.source}"


def failing_fields(proposal: Proposal, validations: dict[str, FieldValidation], settings: ProposeSettings) -> list[str]:
    """Proposed fields whose checked sample rows pass less often than ``min_pass_rate``."""
    failing = []
    for field in proposal.document.fields:
        check = validations.get(field.target)
        if field.status in ("approved", "rejected") or check is None or check.rows_checked == 0:
            continue
        if check.pass_rate < settings.min_pass_rate:
            failing.append(field.target)
    return failing


def attempts_for(proposal: Proposal, target: str) -> list[Attempt]:
    """The options for one field, in the order they are tried."""
    field = next((f for f in proposal.document.fields if f.target == target), None)
    if field is None:
        return []
    used = {s for f in proposal.document.fields if f.status != "rejected" and f.target != target for s in f.sources}
    found: list[Attempt] = []
    if len(field.sources) == 1:
        found.append(Attempt(target, "full_sample_transform", field.sources[0]))
    evidence = proposal.evidence.get(target)
    for alt in evidence.alternatives if evidence is not None else []:
        if alt.target == target and len(alt.sources) == 1 and alt.sources != field.sources and alt.sources[0] not in used:
            found.append(Attempt(target, "alternative", alt.sources[0], alt.score))
    return found


def next_attempt(proposal: Proposal, target: str, tried: set[str]) -> Attempt | None:
    return next((a for a in attempts_for(proposal, target) if a.key not in tried), None)


def repair(state: ProposeState, runtime: Runtime[GraphContext]) -> dict[str, Any]:
    """Try one option per failing field; adopt those that validate better."""
    ctx = runtime.context
    ctx.enter("repair")
    sample = ctx.samples.get(state)
    schema = ctx.schemas.get(state)
    source_profile = SourceProfile.model_validate(state["source_profile"])
    proposal = Proposal.model_validate(state["proposal"])
    validations = {t: FieldValidation.model_validate(v) for t, v in (state.get("validations") or {}).items()}
    round_no = state.get("repair_round", 0) + 1
    tried = {r["key"] for r in state.get("repairs") or []}
    records: list[dict[str, Any]] = []
    revised: list[str] = []
    for target in state.get("to_repair") or []:
        attempt = next_attempt(proposal, target, tried)
        if attempt is None:
            continue
        before = validations[target]
        record, adopted = _try(attempt, proposal, before, source_profile, sample.values, schema, state["timezone"], ctx.settings)
        record["round"] = round_no
        records.append(record)
        tried.add(attempt.key)
        if adopted is not None:
            spec, choice, after = adopted
            proposal = _adopt(proposal, attempt, spec, choice, before, after)
            revised.append(target)
    ctx.audit.record("graph_repair", f"run:{state['run_id']}", {"round": round_no, "targets": list(state.get("to_repair") or [])},
                     {"attempts": records, "revised": revised})
    return {"proposal": proposal.model_dump(mode="json"), "repair_round": round_no,
            "repairs": [*(state.get("repairs") or []), *records], "revised": revised}


def _try(attempt: Attempt, proposal: Proposal, before: FieldValidation, source_profile: SourceProfile,
         rows: list[dict[str, Any]], schema: TargetSchema, timezone: str,
         settings: ProposeSettings) -> tuple[dict[str, Any], tuple[Any, Choice, FieldValidation] | None]:
    record: dict[str, Any] = {"key": attempt.key, "target": attempt.target, "kind": attempt.kind, "sources": [attempt.source],
                              "pass_rate_before": before.pass_rate, "pass_rate_after": None, "op": None, "adopted": False}
    leaf = schema.field(attempt.target)
    column = source_profile.field(attempt.source)
    if leaf is None or column is None:
        return {**record, "detail": "target or source no longer known"}, None
    facts = source_facts(column, rows)
    wide = settings.model_copy(update={"trial_values": max(settings.trial_values, len(facts.distinct))})
    choice = choose_transform(facts, target_facts(leaf), ChoiceContext(wide, timezone))
    if choice.spec is None:
        return {**record, "detail": f"vetoed: {choice.veto}"}, None
    record["op"] = str(choice.spec.op)
    current = next(f for f in proposal.document.fields if f.target == attempt.target)
    if attempt.kind == "full_sample_transform" and _same(choice.spec, current):
        return {**record, "detail": "the whole sample chose the same transform"}, None
    candidate = FieldMapping(target=attempt.target, sources=[attempt.source], transform=choice.spec, status="needs_review")
    after = validate_field(candidate, rows, LeafChecker(leaf))
    record["pass_rate_after"] = after.pass_rate
    enough = attempt.kind == "full_sample_transform" or after.pass_rate >= settings.min_pass_rate
    if after.pass_rate > before.pass_rate and enough:
        return {**record, "adopted": True, "detail": choice.why}, (choice.spec, choice, after)
    return {**record, "detail": "did not validate better" if enough else "a runner-up must pass min_pass_rate"}, None


def _same(spec: Any, field: FieldMapping) -> bool:
    return bool(spec.model_dump(mode="json") == field.transform.model_dump(mode="json"))


def _adopt(proposal: Proposal, attempt: Attempt, spec: Any, choice: Choice, before: FieldValidation,
           after: FieldValidation) -> Proposal:
    """The proposal with the field rewritten, its evidence updated and unmapped sources kept right."""
    doc = proposal.document
    field = next(f for f in doc.fields if f.target == attempt.target)
    old = list(field.sources)
    how = ("transform chosen again over every sampled value" if attempt.kind == "full_sample_transform"
           else f"source {' + '.join(old)} replaced by runner-up {attempt.source}")
    note = reason(REPAIRED, f"{how}; sample pass rate {before.pass_rate:.0%} -> {after.pass_rate:.0%}")
    fields = [f.model_copy(update={"sources": [attempt.source], "transform": spec,
                                   "rationale": f"{f.rationale} Repaired after validation: {how}: {choice.why}."})
              if f.target == attempt.target else f for f in doc.fields]
    evidence = dict(proposal.evidence)
    ev = evidence[attempt.target]
    kept = list(ev.review_reasons) if attempt.kind == "full_sample_transform" else []
    evidence[attempt.target] = ev.model_copy(update={
        "sources": [attempt.source], "transform_reason": choice.why, "constraint_rate": choice.rate,
        "compatibility": dict(choice.compatibility), "match_score": attempt.score if attempt.score is not None else ev.match_score,
        "review_reasons": list(dict.fromkeys([*kept, *choice.review, note])),
    })
    unmapped, reasons = list(doc.unmapped_sources), dict(doc.unmapped_reasons)
    still_used = {s for f in fields if f.status != "rejected" for s in f.sources}
    for source in old:
        if source not in still_used and source not in unmapped:
            unmapped.append(source)
            reasons[source] = f"replaced by {attempt.source} for {attempt.target} after failing validation (repair)"
    if attempt.source in unmapped:
        unmapped.remove(attempt.source)
        reasons.pop(attempt.source, None)
    new_doc = doc.model_copy(update={"fields": fields, "unmapped_sources": unmapped, "unmapped_reasons": reasons})
    return proposal.model_copy(update={"document": new_doc, "evidence": evidence, "unmapped_sources": unmapped,
                                       "unmapped_reasons": reasons})
