"""Does a source fit a target by its values? Leaf checks, transform trials, detector fit.

- ``LeafChecker`` validates one produced value against the target leaf's own constraints
  with ``jsonschema`` (formats checked), cached per distinct value.
- ``trial`` applies a candidate transform to a column's distinct sample values and
  reports the share of rows that pass, so a transform is judged by what it produces.
- ``kind_fit`` reads a detector kind ("postcode", "nhs_number") as a name and scores it
  against the target's pointer, title and description with the name matcher: detector
  kinds reach target concepts through the thesaurus, never through a list of pointers.
- ``specificity`` says how much passing a target's constraints tells about meaning: an
  NHS-number pattern accepts almost nothing else, ``^[0-9]{1,6}$`` accepts any count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema

from tools.errors import TransformValueError
from tools.names import name_similarity
from tools.propose.facts import TargetFacts
from tools.target_schema import TargetField
from tools.value_shapes import value_shape

# Detector kinds read as names; temporal kinds are judged by the target's format instead.
_KIND_PHRASES: dict[str, str] = {
    "postcode": "postcode", "lsoa_code": "lsoa code", "msoa_code": "msoa code", "ward_code": "ward code",
    "lsoa_name": "lsoa name", "pnc_id": "pnc id", "cro_number": "cro number", "nhs_number": "nhs number",
    "ni_number": "national insurance number", "vrm": "vehicle registration mark", "phone": "telephone number",
    "email": "email address", "ic_code": "ic code", "officer_defined_ethnicity": "officer defined ethnicity",
    "self_defined_ethnicity": "self defined ethnicity", "offence_code": "offence code",
    "crime_category": "crime category", "outcome_category": "outcome category", "sex": "sex",
    "year_month": "month", "latitude": "latitude", "longitude": "longitude", "bng_easting": "easting",
    "bng_northing": "northing", "full_name": "full name", "given_name": "given name", "family_name": "family name",
}
# Values that many unrelated columns hold (counts, codes, flags, names, dates), roughly as
# often as they occur; a pattern accepting them says little about meaning.
_PROBES: tuple[str, ...] = (
    "1", "3", "7", "12", "42", "99", "250", "305", "501", "1234", "2023", "4072", "123456", "9876543", "0",
    "A", "Y", "N", "M", "AB", "abc", "John", "SMITH", "Smith", "yes", "true", "1.5", "-2.25", "2023-01-01",
    "01/02/2023", "12:30", "AB12", "X1", "A123", "NFA", "RED",
)
MAX_EXAMPLES = 3


class LeafChecker:
    """Check values against one leaf's own schema (type, format, pattern, enum, bounds, lengths)."""

    def __init__(self, target: TargetField) -> None:
        self.target = target
        self.schema = leaf_schema(target)
        cls = jsonschema.Draft202012Validator
        self._validator = cls(self.schema, format_checker=cls.FORMAT_CHECKER)
        self._cache: dict[tuple[type, Any], str | None] = {}

    def error(self, value: Any) -> str | None:
        """None when the value is valid, else jsonschema's message."""
        try:
            key: tuple[type, Any] = (type(value), value)
            hash(key)
        except TypeError:
            return self._check(value)
        if key not in self._cache:
            self._cache[key] = self._check(value)
        return self._cache[key]

    def _check(self, value: Any) -> str | None:
        error = jsonschema.exceptions.best_match(self._validator.iter_errors(value))
        return None if error is None else error.message


def leaf_schema(target: TargetField) -> dict[str, Any]:
    """The leaf's constraints as a standalone schema (null stays invalid: None means absent)."""
    schema: dict[str, Any] = {}
    if target.types:
        schema["type"] = list(target.types)
    for key, value in (("format", target.format), ("pattern", target.pattern), ("enum", target.enum),
                       ("minimum", target.minimum), ("maximum", target.maximum),
                       ("exclusiveMinimum", target.exclusive_minimum), ("exclusiveMaximum", target.exclusive_maximum),
                       ("minLength", target.min_length), ("maxLength", target.max_length)):
        if value is not None:
            schema[key] = value
    return schema


@dataclass
class Trial:
    """A transform tried on a column's distinct values, weighted by their rows."""

    rows: int = 0
    passed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (masked value, reason)

    @property
    def rate(self) -> float:
        return self.passed / self.rows if self.rows else 0.0


def trial(spec: Any, distinct: list[tuple[Any, int]], checker: LeafChecker, limit: int, *, stop_early: bool = True) -> Trial:
    """Apply ``spec`` to up to ``limit`` distinct inputs (commonest first) and check each output.

    An input is one raw value, or a tuple of values for a transform of several sources.
    With ``stop_early`` a transform that passes none of the first ten inputs is given up.
    """
    from tools.transforms import apply_transform  # late: keeps this module light to import

    result = Trial()
    for i, (raw, count) in enumerate(distinct[:limit]):
        result.rows += count
        try:
            out = apply_transform(spec, list(raw) if isinstance(raw, tuple) else [raw])
        except TransformValueError as exc:
            _note(result, raw, exc.reason)
        else:
            problem = None if out is None else checker.error(out)
            if problem is None:
                result.passed += count
            else:
                _note(result, raw, problem)
        if stop_early and i == 9 and result.passed == 0:
            break
    return result


def _note(result: Trial, raw: Any, why: str) -> None:
    if len(result.failures) < MAX_EXAMPLES:
        parts = raw if isinstance(raw, tuple) else (raw,)
        result.failures.append((" | ".join(value_shape(str(p)) if p is not None else "" for p in parts), why))


@lru_cache(maxsize=8192)
def _kind_fit(kind: str, pointer: str, title: str | None, description: str | None) -> float:
    phrase = _KIND_PHRASES.get(kind)
    if phrase is None:
        return 0.0
    return name_similarity(phrase, pointer, title, description).score


def kind_fit(kind: str, target: TargetFacts) -> float:
    """How well a detector kind names the target (0 for kinds judged by format or type)."""
    return _kind_fit(kind, target.pointer, target.text.title, target.text.description)


def expected_kinds(target: TargetFacts, minimum: float = 0.75) -> list[str]:
    """Detector kinds the target's name asks for ('/person/nhs_number' asks for nhs_number)."""
    return [kind for kind in _KIND_PHRASES if kind_fit(kind, target) >= minimum]


@lru_cache(maxsize=1024)
def pattern_specificity(pattern: str) -> float:
    """1 minus the share of common unrelated values the pattern accepts."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return 0.0
    accepted = sum(1 for probe in _PROBES if compiled.search(probe))
    return round(1.0 - accepted / len(_PROBES), 4)


def specificity(target: TargetFacts, enum_strength: float = 1.0) -> float:
    """How much passing the target's constraints says about what the values mean."""
    kind = target.kind
    if kind == "enum":
        size = len(target.field.enum or [])
        # a two-value enum is nearly a flag; larger code lists say more, placed firmly or not
        return round(min(1.0, 0.5 + 0.1 * size) * enum_strength, 4)
    if kind == "pattern":
        return pattern_specificity(target.field.pattern or "")
    if kind == "email":
        return 0.9
    if kind in ("date", "datetime", "time"):
        return 0.5
    if kind == "boolean":
        return 0.3
    if kind in ("integer", "number"):
        bounded = target.field.minimum is not None or target.field.maximum is not None
        return 0.25 if bounded else 0.15
    return 0.0
