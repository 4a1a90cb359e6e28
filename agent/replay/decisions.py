"""People's decisions re-applied, in log order, to the items a replay queued.

The replayed review node queues its own items (the fields the replay left
``needs_review``). Each logged decision is applied to the replayed item of its target,
in the order the log holds them: an edit is applied to the replayed field (and previewed
on the replayed sample, as ``crosswalk review decide --edit-json`` does), approve and
reject set the state. The result is what the review job resumes a graph with
(``review_job.decisions_of``), so the replay's review node writes the same document a
real resume would.

A reason the log holds masked (``audit_raw_values`` off) is not part of the mapping
outcome; ``restore_reasons`` takes the raw one from the recorded version's review record
when it hashes to the logged digest, so the replay can still be ``identical``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.minimisation import value_digest
from agent.replay.recorded_inputs import RecordedDecision
from agent.store.models import ReviewItem
from agent.store.review import ReviewError, edited_field
from tools.mapping import FieldMapping
from tools.propose.preview import preview_field
from tools.target_schema import TargetSchema


@dataclass
class ReplayedItem:
    """One item the replay queued, and the decisions applied to it so far."""

    item_id: str
    target: str
    kind: str
    field: dict[str, Any]
    proposed_by: str
    state: str = "open"
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    edited: bool = False

    def as_decision(self) -> dict[str, Any]:
        """In the shape of ``agent.jobs.review_job.decisions_of``."""
        return {"item_id": self.item_id, "state": self.state, "field": self.field, "decided_by": self.decided_by,
                "decided_at": self.decided_at, "proposed_by": self.proposed_by, "reason": self.reason, "edited": self.edited}


@dataclass
class Reapplied:
    """The decisions for the resume, how many were applied and what could not be."""

    decisions: dict[str, dict[str, Any]]
    applied: int
    notes: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # replayed items no logged decision settles


def restore_reasons(logged: list[RecordedDecision], recorded_fields: list[dict[str, Any]]) -> list[str]:
    """Put back each target's last masked reason from the recorded version when its digest matches; notes for the rest."""
    raw = {f["target"]: (f.get("review") or {}).get("reason") for f in recorded_fields if isinstance(f.get("review"), dict)}
    last = {d.target: d for d in sorted(logged, key=lambda d: d.seq)}  # only a target's last reason reaches the document
    notes: list[str] = []
    for target, decision in sorted(last.items()):
        if not decision.reason_masked:
            continue
        found = raw.get(target)
        if isinstance(found, str) and decision.reason_sha256 and value_digest(found) == decision.reason_sha256:
            decision.reason = found
        else:
            notes.append(f"the reason for {target} is masked in the log and the recorded version does not hold it; "
                         "the replayed review record keeps the masked reason")
    return notes


def reapply(items: dict[str, ReplayedItem], logged: list[RecordedDecision], rows: list[dict[str, Any]],
            schema: TargetSchema) -> Reapplied:
    """Apply ``logged`` in order to ``items`` (by target); edits are previewed on ``rows``."""
    applied = 0
    notes: list[str] = []
    for decision in sorted(logged, key=lambda d: d.seq):
        item = items.get(decision.target)
        if item is None:
            notes.append(f"{decision.decision} of {decision.target} by {decision.actor} not re-applied: "
                         "the replay did not queue that field for review")
            continue
        if decision.decision == "edit":
            try:
                item.field = _edited(item, decision.edit or {}, rows, schema)
            except ReviewError as exc:
                notes.append(f"edit of {decision.target} by {decision.actor} no longer applies: {exc}")
                continue
            item.state, item.edited = "edited", True
            item.proposed_by = decision.proposed_by or decision.actor
        else:
            item.state = "approved" if decision.decision == "approve" else "rejected"
            item.decided_by = decision.actor
            item.decided_at = decision.decided_at or decision.time
        item.reason = decision.reason
        applied += 1
    decided = {t: i.as_decision() for t, i in items.items() if i.state in ("approved", "rejected")}
    undecided = sorted(t for t, i in items.items() if i.state not in ("approved", "rejected"))
    return Reapplied(decided, applied, notes, undecided)


def _edited(item: ReplayedItem, edit: dict[str, Any], rows: list[dict[str, Any]], schema: TargetSchema) -> dict[str, Any]:
    """The edit applied to the replayed field, with its preview's validation (as ``review.decide`` stores it)."""
    # a transient row: edited_field checks an edit exactly as the review store does
    holder = ReviewItem(id=item.item_id, run_id="replay", kind=item.kind, target=item.target,
                        proposal={"field": item.field}, proposed_by=item.proposed_by)
    mapped: FieldMapping = edited_field(holder, edit)
    preview = preview_field(mapped, rows, schema)
    return {**mapped.model_dump(mode="json"), "validation": preview.get("validation")}
