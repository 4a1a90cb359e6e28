"""Documents that cross the linkage boundary: settings, field roles, scored pairs, clusters."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Route = Literal["auto_merge", "review", "apart"]
Role = Literal["family_name", "given_names", "full_name", "date_of_birth", "postcode", "sex", "strong_id", "record_date"]


class LinkSettings(BaseModel):
    """The knobs of one linkage run (thresholds come from ``agent.settings``)."""

    model_config = ConfigDict(frozen=True)

    auto_merge_threshold: float = Field(0.999, ge=0.0, le=1.0, description="Match probability at or above which a pair merges automatically")
    review_threshold: float = Field(0.8, ge=0.0, le=1.0, description="Match probability at or above which (and below auto) a pair goes to review")
    max_pairs_u: float = Field(2e6, gt=0, description="Random pairs sampled to estimate u probabilities")
    deterministic_recall: float = Field(0.7, gt=0.0, le=1.0, description="Assumed recall of the strong-identifier rules, for the prior")
    min_labels_to_retune: int = Field(20, ge=1, description="Supervisor-approved pairs (labels of one person) needed before "
                                      "the m probabilities are re-estimated from the labels")
    seed: int = Field(42, description="Seed of the u sampling, so a run is reproducible")
    name_conflict_similarity: float = Field(0.85, ge=0.0, le=1.0,
                                            description="Names sharing a strong id below this Jaro-Winkler similarity conflict")


class RoleField(BaseModel):
    """One person field of the target standard and what it means for linkage."""

    model_config = ConfigDict(frozen=True)

    role: Role
    pointer: str
    column: str = Field(description="Column name in the linkage table")
    title: str | None = None


class LinkSchema(BaseModel):
    """Where the person fields of the standard live (read from the target schema)."""

    model_config = ConfigDict(frozen=True)

    person_pointer: str
    fields: list[RoleField]

    def of_role(self, role: Role) -> list[RoleField]:
        return [f for f in self.fields if f.role == role]

    def strong_ids(self) -> list[RoleField]:
        return self.of_role("strong_id")


class ComparisonEvidence(BaseModel):
    """One comparison of a pair: its level and what it weighs."""

    name: str
    level: int = Field(description="Splink gamma value; -1 means one side is missing")
    label: str | None = None
    match_weight: float | None = None
    values: tuple[Any, Any] | None = None


class PairEvidence(BaseModel):
    """A scored pair of records with the evidence a reviewer needs."""

    key_l: str
    key_r: str
    match_probability: float
    match_weight: float
    comparisons: list[ComparisonEvidence] = Field(default_factory=list)
    route: Route | None = None


class Membership(BaseModel):
    """Which cluster a record belongs to, and who decided it."""

    model_config = ConfigDict(frozen=True)

    key: str
    cluster_id: str
    decided_by: str = "model"


class ClusterVersion(BaseModel):
    """One version of the cluster table: what changed and why."""

    version: int
    cause: Literal["run", "decision"]
    actor: str
    changed: list[Membership] = Field(default_factory=list)
    note: str | None = None


class Conflict(BaseModel):
    """Records that disagree where they should not: a review item of its own."""

    kind: Literal["identifier", "bridge"]
    keys: list[str] = Field(description="Records involved; the first two are shown side by side")
    reason: str
    identifier: dict[str, str] | None = None


class GoldenValue(BaseModel):
    """One value of a golden record and where it came from."""

    value: Any
    dataset: str
    row: int
    rule: Literal["agreement", "most_recent", "most_complete", "only"]
    alternatives: list[Any] = Field(default_factory=list)
