"""propose: from a profiled source and a target schema to a mapping proposal with its evidence.

Steps (each in its own module): facts about sources and targets -> scored candidates ->
multi-field options -> audit noise set aside -> global assignment -> fields with
evidence, unmapped sources with reasons, and document-level review items. Every field
leaves here as ``needs_review`` with its match score as a provisional confidence;
``validate_proposal`` and ``route`` decide the final confidence and status.
"""

from __future__ import annotations

from typing import Any

from tools.mapping import FieldMapping, MappingDocument, SourceDescription, TargetDescription
from tools.profile import SourceProfile
from tools.propose.assignment import Assignment, assign
from tools.propose.candidates import Candidate, Option, Scored, score_candidates
from tools.propose.facts import SourceFacts, mappable, source_facts, target_facts
from tools.propose.model import (CONFLICT, LOW_NAME, REQUIRED_EMPTY, Alternative, DetectionSummary, FieldEvidence, Proposal,
                                 ProposeSettings, ReviewItem, reason)
from tools.propose.multi_field import group_options
from tools.propose.noise import audit_reason, unmapped_reason
from tools.propose.past import PastEvidence, backed, explain
from tools.propose.transform_choice import ChoiceContext
from tools.target_schema import TargetSchema

MAX_ALTERNATIVES = 3


def propose(profile: SourceProfile, sample_rows: list[dict[str, Any]], schema: TargetSchema, *,
            timezone: str = "Europe/London", settings: ProposeSettings | None = None,
            past: PastEvidence | None = None) -> Proposal:
    """Propose, for every target field the source can fill, its sources, transform and evidence.

    ``past``: approvals recalled from the retrieval memory, by source field (``tools.propose.past``).
    """
    settings = settings or ProposeSettings()
    structured = {p.name for p in profile.fields if p.inferred_type in ("array", "object")}
    sources = [source_facts(p, sample_rows) for p in profile.fields if p.name not in structured]
    targets = [target_facts(f) for f in schema.fields if mappable(f)]
    ctx = ChoiceContext(settings, timezone, past=past or {})
    scored = score_candidates(sources, targets, ctx)
    noisy: dict[str, str] = {}
    for source in sources:
        best = scored.best_name(source.name)
        found = audit_reason(source, best.score if best else 0.0)
        if found:
            noisy[source.name] = found
    keep = [s for s in sources if s.name not in noisy]
    options = [Option([c], c.score) for c in scored.candidates if not set(c.sources) & set(noisy)]
    options += group_options(keep, targets, scored, ctx)
    result = assign(options, settings)

    fields: list[FieldMapping] = []
    evidence: dict[str, FieldEvidence] = {}
    by_name = {s.name: s for s in sources}
    order = {f.pointer: i for i, f in enumerate(schema.fields)}
    for member in sorted(result.filled.values(), key=lambda m: order.get(m.pointer, len(order))):
        ev = _evidence(member, result, options, by_name, settings)
        evidence[member.pointer] = ev
        fields.append(FieldMapping(target=member.pointer, sources=list(member.sources), transform=member.spec,
                                   confidence=member.score, status="needs_review", rationale=_rationale(member),
                                   review_reasons=list(ev.review_reasons)))

    unmapped = [s.name for s in sources if s.name not in result.uses] + sorted(structured)
    outbid = _outbid(scored, result)
    reasons = {name: noisy.get(name) or unmapped_reason(by_name[name], scored, outbid, settings.review_threshold)
               for name in unmapped if name in by_name}
    reasons.update({name: "holds arrays or objects; a scalar target cannot take it" for name in structured})
    items = _required_left_empty(schema, set(result.filled))
    doc = MappingDocument(
        fields=fields, unmapped_sources=unmapped, unmapped_reasons=reasons, timezone=timezone,
        source=_source_description(profile),
        target_schema=TargetDescription(path=schema.path, sha256=schema.sha256, id=schema.id),
        review_items=[item.model_dump() for item in items],
    )
    return Proposal(document=doc, evidence=evidence, unmapped_sources=unmapped, unmapped_reasons=reasons, review_items=items)


def _evidence(member: Candidate, result: Assignment, options: list[Option], sources: dict[str, SourceFacts],
              settings: ProposeSettings) -> FieldEvidence:
    review = list(member.review)
    choice = member.choice
    # a past approval stands in for a weak name only where a detector or the constraints agree
    remembered = member.past is not None and backed(member.kind_fit, (choice.rate or 0.0) * choice.specificity,
                                                    settings.past_min_support)
    if member.name < settings.low_name_score and not remembered:
        review.append(reason(LOW_NAME, f"name similarity {member.name:.2f} below {settings.low_name_score:.2f}"))
    rivals = result.conflicts.get(member.pointer)
    if rivals:
        review.append(reason(CONFLICT, "; ".join(rivals[:3])))
    detections = [DetectionSummary(source=name, kind=d.kind, score=d.score)
                  for name in member.sources for d in sources[name].detections[:3]]
    alternatives = [Alternative(target=m.pointer, sources=list(m.sources), score=m.score)
                    for o in options for m in o.members
                    if m.pointer == member.pointer and m is not member][:MAX_ALTERNATIVES]
    return FieldEvidence(
        target=member.pointer, sources=list(member.sources), name_score=member.name, name_explanation=member.name_explanation,
        detections=detections, kind=member.kind, kind_fit=member.kind_fit, compatibility=dict(choice.compatibility),
        constraint_rate=choice.rate, specificity=choice.specificity, match_score=member.score,
        past_similarity=member.past.similarity if member.past else 0.0,
        past_explanation=explain(member.past) if member.past else "",
        transform_reason=choice.why, review_reasons=list(dict.fromkeys(review)), alternatives=alternatives,
    )


def _rationale(member: Candidate) -> str:
    parts = [f"{' + '.join(member.sources)} -> {member.pointer}: {member.choice.why}.",
             f"Name {member.name:.2f} ({member.name_explanation})."]
    if member.kind:
        parts.append(f"Values look like {member.kind} (fit {member.kind_fit:.2f}).")
    parts += [f"{key}: {text}." for key, text in member.choice.compatibility.items()]
    if member.past is not None:
        parts.append(explain(member.past)[0].upper() + explain(member.past)[1:] + ".")
    parts.append(f"Match score {member.score:.2f}.")
    return " ".join(parts)


def _outbid(scored: Scored, result: Assignment) -> dict[str, tuple[str, str, float, float]]:
    """For sources left out: their best candidate whose target another source holds."""
    found: dict[str, tuple[str, str, float, float]] = {}
    for candidate in scored.candidates:
        source = candidate.sources[0]
        holder = result.filled.get(candidate.pointer)
        if source in found or source in result.uses or holder is None:
            continue
        found[source] = (candidate.pointer, " + ".join(holder.sources), candidate.score, holder.score)
    return found


def _required_left_empty(schema: TargetSchema, filled: set[str]) -> list[ReviewItem]:
    """Required leaves no field fills, where their enclosing object will be written."""
    items = []
    for target in schema.fields:
        if not target.required or target.pointer in filled:
            continue
        parent = target.pointer.rsplit("/", 1)[0]
        present = parent == "" or any(p.startswith(parent + "/") for p in filled)
        if target.required_path or present:
            items.append(ReviewItem(target=target.pointer, code=REQUIRED_EMPTY,
                                    reason=reason(REQUIRED_EMPTY, f"{target.pointer} is required but no source field fills it")))
    return items


def _source_description(profile: SourceProfile) -> SourceDescription:
    info = profile.source
    return SourceDescription(path=info.path, format=info.format, encoding=info.encoding, delimiter=info.delimiter,
                             sheet=info.sheet, sha256=info.sha256, fields=list(info.fields))
