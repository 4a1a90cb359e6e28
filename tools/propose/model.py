"""What the proposer produces and the knobs it reads: settings, evidence, validations.

Review reasons are plain strings ``"<code>: <detail>"`` so they read well in the
document and in the review UI; ``reason_code`` gives the code back for routing and tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from tools.mapping import MappingDocument

# Always-review reasons: any one of them keeps a field out of auto-acceptance.
MERGE = "merge"  # many-to-one: several source fields feed one target
DAY_MONTH = "day_month_undecidable"
UNPLACED = "unplaced_values"  # a value map with source values it could not place
HEURISTIC_MAP = "heuristic_value_map"  # values placed by their first word only
LOW_NAME = "low_name_evidence"
CONFLICT = "conflicting_candidates"
NAME_ORDER = "name_order_undecidable"
DATE_ONLY = "date_only"  # a date column into a date-time target: time of day taken as midnight
NO_SAMPLE = "no_sample_values"
# Set by routing from the validation and the confidence.
LOW_CONFIDENCE = "low_confidence"
VALIDATION = "validation_failures"
# Document level: reported in ``review_items``, never as a field.
REQUIRED_EMPTY = "required_target_empty"

ALWAYS_REVIEW = frozenset({MERGE, DAY_MONTH, UNPLACED, HEURISTIC_MAP, LOW_NAME, CONFLICT, NAME_ORDER, DATE_ONLY, NO_SAMPLE})


def reason(code: str, detail: str) -> str:
    """A review reason as written into the document."""
    return f"{code}: {detail}"


def reason_code(text: str) -> str:
    """The code of a review reason written by ``reason``."""
    return text.split(":", 1)[0]


# Confidence calibration: match score -> share of candidates with that score that were
# right. Fitted with ``tools.propose.calibration.fit_calibration`` (isotonic, blocks of at
# least 10) on every candidate scored for the development eval cases (268 candidates, of
# which 201 right), then rounded down. Candidates include the runners-up the assignment
# drops, so the curve is a lower bound for the fields actually proposed: conservative on
# purpose, because a wrong auto-accept costs more than a field left for review.
DEFAULT_CALIBRATION: tuple[tuple[float, float], ...] = (
    (0.0, 0.0), (0.45, 0.08), (0.55, 0.3), (0.65, 0.45), (0.75, 0.57), (0.85, 0.9), (0.9, 0.96), (0.95, 0.98), (1.0, 0.99),
)


class ProposeSettings(BaseModel):
    """Thresholds and weights of the deterministic proposer (the agent's settings build it)."""

    auto_accept_threshold: float = Field(default=0.9, ge=0.0, le=1.0, description="Confidence needed for auto_accepted")
    min_pass_rate: float = Field(default=0.98, ge=0.0, le=1.0, description="Validation pass rate needed for auto_accepted")
    review_threshold: float = Field(default=0.4, ge=0.0, le=1.0, description="Below this match score a candidate is not proposed")
    low_name_score: float = Field(default=0.5, ge=0.0, le=1.0, description="Name evidence below this always goes to review")
    conflict_margin: float = Field(default=0.05, ge=0.0, le=1.0, description="Another candidate this close is a conflict")
    secondary_min_score: float = Field(default=0.75, ge=0.0, le=1.0, description="Score needed to reuse a source for a second target")
    veto_rate: float = Field(default=0.5, ge=0.0, le=1.0, description="Below this share of sample values passing, a candidate is vetoed")
    kind_weight: float = Field(default=0.6, ge=0.0, le=1.0, description="Weight of detector evidence in the match score")
    constraint_weight: float = Field(default=0.5, ge=0.0, le=1.0, description="Weight of schema-constraint evidence in the match score")
    coherence_bonus: float = Field(default=0.02, ge=0.0, le=0.1, description="Tie-break towards sections other fields fill")
    unvalidated_factor: float = Field(default=0.5, ge=0.0, le=1.0, description="Confidence factor when no sample value could be checked")
    trial_values: int = Field(default=200, ge=10, description="Distinct values tried per candidate transform")
    past_weight: float = Field(default=0.8, ge=0.0, le=1.0, description="Weight of a recalled past approval in the match score")
    past_min_similarity: float = Field(default=0.9, ge=0.0, le=1.0, description="A past approval counts only from this similarity")
    past_min_support: float = Field(default=0.5, ge=0.0, le=1.0,
                                    description="Detector or constraint evidence a past approval needs to stand in for a weak name")
    calibration: tuple[tuple[float, float], ...] = Field(default=DEFAULT_CALIBRATION, description="(match score, precision) points, increasing")
    reference_date: dt.date | None = Field(default=None, description="'Today' for two-digit-year pivots; None = the real date")

    def today(self) -> dt.date:
        return self.reference_date or dt.date.today()


class DetectionSummary(BaseModel):
    source: str
    kind: str
    score: float


class Alternative(BaseModel):
    """A runner-up candidate, shown so a reviewer sees what else fitted."""

    target: str
    sources: list[str]
    score: float


class FieldEvidence(BaseModel):
    """Why one target field was proposed as it was."""

    target: str
    sources: list[str]
    name_score: float = Field(description="Name similarity (best source, with the target's title/description)")
    name_explanation: str = ""
    detections: list[DetectionSummary] = Field(default_factory=list, description="Top detector kinds of the sources")
    kind: str | None = Field(default=None, description="Detector kind that supports the target, if any")
    kind_fit: float = Field(default=0.0, description="Detector score x how well that kind fits the target")
    compatibility: dict[str, str] = Field(default_factory=dict, description="type / format / pattern / enum checks on the sample")
    constraint_rate: float | None = Field(default=None, description="Share of sampled values passing the target's constraints after the transform")
    specificity: float = Field(default=0.0, description="How much passing those constraints says about meaning (0..1)")
    past_similarity: float = Field(default=0.0, description="Similarity of the past approval counted in the score (0 = none)")
    past_explanation: str = Field(default="", description="Where and by whom this mapping was approved before, if recalled")
    match_score: float
    transform_reason: str = ""
    review_reasons: list[str] = Field(default_factory=list, description="Always-review reasons found while proposing")
    alternatives: list[Alternative] = Field(default_factory=list)


class FailureExample(BaseModel):
    shape: str = Field(description="The source value(s) masked: letters A/a, digits 9")
    reason: str


class FieldValidation(BaseModel):
    """The transform applied to the sample rows and its output checked against the leaf schema."""

    target: str
    rows_checked: int = Field(description="Rows where some source value is not blank")
    rows_passed: int
    transform_failures: int
    schema_failures: int
    pass_rate: float = Field(description="rows_passed / rows_checked (0 when nothing was checked)")
    failures: list[FailureExample] = Field(default_factory=list)


class ReviewItem(BaseModel):
    """A document-level point for the reviewer (no field carries it)."""

    target: str | None = None
    code: str
    reason: str


class Proposal(BaseModel):
    """The proposed mapping with its evidence; statuses are final only after ``route``."""

    document: MappingDocument
    evidence: dict[str, FieldEvidence] = Field(default_factory=dict)
    unmapped_sources: list[str] = Field(default_factory=list)
    unmapped_reasons: dict[str, str] = Field(default_factory=dict)
    review_items: list[ReviewItem] = Field(default_factory=list)

    def evidence_json(self) -> dict[str, Any]:
        return {target: ev.model_dump(mode="json") for target, ev in self.evidence.items()}
