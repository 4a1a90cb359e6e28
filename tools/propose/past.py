"""Past approvals as one more kind of evidence for a candidate (from the retrieval memory).

The retrieve step recalls, per source field, approved mappings of similar fields in other
datasets. A recalled approval for the candidate's own target, at least
``past_min_similarity`` alike, joins the noisy-OR of the match score with weight
``past_weight`` (``candidates.combine``). With no approvals the term is absent and every
score is exactly what it was without a memory.

Memory alone never decides: a recalled approval cannot lift a pair the deterministic
evidence vetoed (it is looked up only for pairs that survived), and it waives the
low-name-evidence review reason only when a detector or the target's own constraints
back the pair (``backed``); validation and routing apply as to any other field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field


class PastApproval(BaseModel):
    """One approved mapping recalled for a source field (``tools.memory.PastMatch`` as data)."""

    target: str
    transform: dict[str, Any] = Field(default_factory=dict)
    similarity: float = Field(ge=0.0, le=1.0, description="How alike the two source fields' profiles are (cosine)")
    dataset: str = ""
    approved_by: str = ""
    system: str = ""
    source_field: str = ""


PastEvidence = Mapping[str, Sequence[PastApproval]]
"""Source field name -> its recalled approvals, most similar first."""


def parse_past(raw: Mapping[str, Sequence[Mapping[str, Any]]] | None) -> dict[str, list[PastApproval]]:
    """Past approvals from their JSON form (as the graph state holds them)."""
    return {source: [PastApproval.model_validate(item) for item in items] for source, items in (raw or {}).items()}


def best_past(approvals: Sequence[PastApproval], target: str, min_similarity: float) -> PastApproval | None:
    """The most similar approval of ``target`` that is alike enough to count (ties: first recalled)."""
    found = [a for a in approvals if a.target == target and a.similarity >= min_similarity]
    return max(found, key=lambda a: a.similarity, default=None)


def backed(kind_fit: float, constraint: float, min_support: float) -> bool:
    """Deterministic evidence of its own: a detector or the target's constraints support the pair."""
    return kind_fit >= min_support or constraint >= min_support


def explain(approval: PastApproval) -> str:
    """The sentence a reviewer reads for a past approval."""
    where = f"dataset {approval.dataset}" + (f" ({approval.system})" if approval.system else "")
    field = f" from field {approval.source_field}" if approval.source_field else ""
    return f"approved before in {where}{field} by {approval.approved_by or 'unknown'} (similarity {approval.similarity:.2f})"
