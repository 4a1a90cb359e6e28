"""What the proposer knows about each source field and each target leaf, computed once.

A source field is its profile, its sampled values (distinct, with row counts, raw values
kept so XLSX dates and JSON numbers reach the transforms as they are) and its detections.
A target leaf is its schema constraints read as a kind, and the concepts its name names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from tools.detectors import Column, Detection, detect_all
from tools.detectors.registry import GENERIC_KINDS
from tools.names import TargetText, default_thesaurus
from tools.names.concepts import Unit, analyse_name, analyse_text
from tools.profile import FieldProfile
from tools.target_schema import TargetField

TargetKind = Literal["date", "datetime", "time", "email", "boolean", "integer", "number", "enum", "pattern", "string", "any"]
STRONG = 0.5  # a detection at least this sure counts as evidence


@dataclass
class SourceFacts:
    """One source field: profile, sampled values and detections."""

    name: str
    profile: FieldProfile
    values: list[Any]  # one per sampled row, aligned with the other sources' values
    distinct: list[tuple[Any, int]]  # (raw value, rows), commonest first, blanks left out
    detections: list[Detection]
    units: tuple[Unit, ...]
    by_kind: dict[str, Detection] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_kind = {d.kind: d for d in self.detections}

    @property
    def non_blank(self) -> int:
        return sum(count for _, count in self.distinct)

    def score(self, kind: str) -> float:
        found = self.by_kind.get(kind)
        return found.score if found else 0.0

    def specific(self, minimum: float = STRONG) -> list[Detection]:
        """Detections that say what the values mean (not just their type), best first."""
        return [d for d in self.detections if d.kind not in GENERIC_KINDS and d.kind != "boolean" and d.score >= minimum]

    def concepts(self) -> set[str]:
        return {concept for unit in self.units for concept, _ in unit.concepts if not concept.startswith("=")}

    def texts(self) -> list[str]:
        """Distinct non-blank values as stripped text, commonest first."""
        return [text_key(raw) for raw, _ in self.distinct]


@dataclass
class TargetFacts:
    """One target leaf as the proposer reads it."""

    field: TargetField
    kind: TargetKind
    text: TargetText
    concepts: frozenset[str]

    @property
    def pointer(self) -> str:
        return self.field.pointer

    @property
    def parent(self) -> str:
        return self.field.pointer.rsplit("/", 1)[0]


def text_key(value: Any) -> str:
    """The stripped text of a raw value, as value maps and shapes compare it."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def is_blank_value(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and value != value  # NaN


def source_facts(profile: FieldProfile, sample_rows: list[dict[str, Any]]) -> SourceFacts:
    """Facts of one source field from its profile and the sample rows."""
    values = [row.get(profile.name) for row in sample_rows]
    counts: dict[str, list[Any]] = {}
    for value in values:
        if is_blank_value(value):
            continue
        key = text_key(value)
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [value, 1]
    distinct = sorted(((raw, n) for raw, n in counts.values()), key=lambda item: -item[1])
    column = Column(v if not isinstance(v, (list, dict)) else text_key(v) for v in values)
    detections = detect_all(column, profile.name)
    return SourceFacts(profile.name, profile, values, distinct, detections, analyse_name(profile.name, default_thesaurus()))


def target_kind(target: TargetField) -> TargetKind:
    """The constraint that decides how a value must be written."""
    if target.enum is not None:
        return "boolean" if all(isinstance(v, bool) for v in target.enum) else "enum"
    if target.format in ("date", "date-time", "time", "email"):
        return {"date": "date", "date-time": "datetime", "time": "time", "email": "email"}[target.format]  # type: ignore[return-value]
    types = set(target.types)
    if types == {"boolean"}:
        return "boolean"
    if types == {"integer"}:
        return "integer"
    if types <= {"integer", "number"} and types:
        return "number"
    if target.pattern is not None:
        return "pattern"
    if "string" in types:
        return "string"
    return "any"


def target_facts(target: TargetField) -> TargetFacts:
    th = default_thesaurus()
    units = analyse_name(target.name, th) + (analyse_text(target.title, th) if target.title else ())
    concepts = frozenset(c for unit in units for c, strength in unit.concepts if not c.startswith("=") and strength >= 0.5)
    return TargetFacts(target, target_kind(target), TargetText(target.pointer, target.title, target.description), concepts)


def mappable(target: TargetField) -> bool:
    """Leaves a scalar transform can fill: not arrays, not opaque recursive objects."""
    return not target.is_array and not target.recursive and not (set(target.types) & {"object", "array"})
