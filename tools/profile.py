"""Column profiles of a source sample: what each field holds, as evidence for the matcher.

Work is done per distinct value (weighted by its row count), never per row, which is
what keeps a 60-column x 5000-row sample well under a second.

``examples``, ``top_values``, ``code_values`` and ``null_like_values`` hold RAW source
values (possibly personal data): mask them before any LLM outside the force sees them.
``masked_examples`` and ``shapes`` are safe.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from decimal import Decimal
from itertools import islice
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from tools.date_evidence import (DateCandidate, DateEvidence, DayMonthEvidence, DayMonthOrder, date_evidence,
                                 numeric_date_flags)
from tools.readers.base import SourceInfo, SourceReader
from tools.value_shapes import value_shape

InferredType = Literal["empty", "integer", "number", "boolean", "date", "datetime", "time", "string", "mixed", "array", "object"]

TOP_VALUES = 10
EXAMPLES = 5
CODE_LIST_MAX_DISTINCT = 50
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "y", "n"})
_NULL_LIKE = frozenset({"null", "none", "nil", "n/a", "na", "#n/a", "-", "--", "?", "unknown", "not known", "not stated"})


class ValueCount(BaseModel):
    value: Any = Field(description="RAW source value")
    count: int


class ShapeCount(BaseModel):
    shape: str
    count: int


class FieldProfile(BaseModel):
    """What one source field holds in the sample."""

    RAW_FIELDS: ClassVar[tuple[str, ...]] = ("examples", "top_values", "code_values", "null_like_values")

    name: str
    inferred_type: InferredType
    type_counts: dict[str, int] = Field(default_factory=dict, description="Rows per value kind (integer, string, date ...)")
    non_null_count: int = 0
    null_count: int = Field(default=0, description="Missing, None or blank (whitespace-only) values")
    null_rate: float = 0.0
    distinct_count: int = Field(default=0, description="Distinct non-null raw values in the sample")
    top_values: list[ValueCount] = Field(default_factory=list, description="RAW: most common values")
    shapes: list[ShapeCount] = Field(default_factory=list, description="Most common value shapes (A/a letters, 9 digits)")
    min_length: int | None = None
    max_length: int | None = None
    numeric_min: int | float | None = None
    numeric_max: int | float | None = None
    numeric_mean: float | None = None
    has_leading_zeros: bool = Field(default=False, description="Integer-looking text with leading zeros: a code, not a number")
    date_candidates: list[DateCandidate] = Field(default_factory=list, description="strptime formats parsing every value, best first")
    partial_date_candidates: list[DateCandidate] = Field(default_factory=list)
    day_month_order: DayMonthOrder = "not_applicable"
    day_month_evidence: DayMonthEvidence = Field(default_factory=DayMonthEvidence)
    two_digit_year: bool = False
    excel_serial_candidate: bool = False
    epoch_seconds_candidate: bool = False
    epoch_millis_candidate: bool = False
    hhmm_time_candidate: bool = False
    looks_like_code_list: bool = False
    code_values: list[str] | None = Field(default=None, description="RAW: the distinct values when a code list, commonest first")
    null_like_values: list[ValueCount] = Field(default_factory=list, description="RAW: placeholders such as NULL, N/A, UNKNOWN")
    examples: list[Any] = Field(default_factory=list, description="RAW: first distinct values; mask before any LLM sees them")
    masked_examples: list[str] = Field(default_factory=list, description="Shapes of the examples")


class SourceProfile(BaseModel):
    """Profiles of every field of a source, from its first ``sample_size`` rows."""

    source: SourceInfo
    sample_size: int
    rows_sampled: int = Field(description="Rows read, including broken ones")
    rows_with_errors: int = Field(description="Broken rows: counted, not profiled")
    exhausted: bool = Field(description="The sample holds every row of the source")
    fields: list[FieldProfile]

    def field(self, name: str) -> FieldProfile | None:
        return next((f for f in self.fields if f.name == name), None)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)


def profile_source(reader: SourceReader, sample_size: int = 5000) -> SourceProfile:
    """Profile the first ``sample_size`` rows of ``reader`` (which the caller still owns)."""
    if sample_size < 1:
        raise ValueError("sample_size must be at least 1")
    names = list(reader.info.fields)
    known = set(names)
    sampled: list[dict[str, Any]] = []
    read = errors = 0
    exhausted = True
    rows = reader.rows()
    try:
        # one row past the sample tells whether the sample is the whole source
        for row in islice(rows, sample_size + 1):
            if read == sample_size:
                exhausted = False
                break
            read += 1
            if row.error is not None:
                errors += 1
                continue
            sampled.append(row.values)
            if not row.values.keys() <= known:  # nested JSON: keys can appear late
                names += [k for k in row.values if k not in known]
                known.update(row.values)
    finally:
        close = getattr(rows, "close", None)
        if callable(close):
            close()
    fields = [profile_values(name, [values.get(name) for values in sampled]) for name in names]
    return SourceProfile(source=reader.info, sample_size=sample_size, rows_sampled=read,
                         rows_with_errors=errors, exhausted=exhausted, fields=fields)


def profile_values(name: str, values: list[Any]) -> FieldProfile:
    """Profile one field from its sampled values (None, missing or blank text = null)."""
    distinct: list[_Distinct] = []
    nulls = 0
    for raw, count in _count(values).items():
        item = _classify(raw, count)
        if item is None:
            nulls += count
        else:
            distinct.append(item)
    total = len(values)
    non_null = total - nulls
    profile = FieldProfile(name=name, inferred_type="empty", non_null_count=non_null, null_count=nulls,
                           null_rate=round(nulls / total, 6) if total else 0.0, distinct_count=len(distinct))
    if not distinct:
        return profile
    kinds: Counter[str] = Counter()
    texts: dict[str, int] = {}
    stripped: dict[str, int] = {}
    for _, text, kind, _, count in distinct:
        kinds[kind] += count
        texts[text] = texts.get(text, 0) + count
        key = text.strip()
        stripped[key] = stripped.get(key, 0) + count
    shapes = {text: value_shape(text) for text in texts}  # computed once, reused for dates
    profile.type_counts = dict(kinds.most_common())
    ranked = sorted(distinct, key=lambda d: -d[4])  # stable: ties keep first appearance
    profile.top_values = [ValueCount(value=_json_safe(d), count=d[4]) for d in ranked[:TOP_VALUES]]
    profile.shapes = [ShapeCount(shape=s, count=c) for s, c in _top_shapes(shapes, texts)]
    lengths = [len(t) for t in texts]
    profile.min_length, profile.max_length = min(lengths), max(lengths)
    if kinds.get("integer"):
        digits = (d[1].strip().lstrip("+-") for d in distinct if d[2] == "integer")
        profile.has_leading_zeros = any(len(t) > 1 and t[0] == "0" for t in digits)
    evidence = date_evidence(stripped, shapes)
    _apply_dates(profile, evidence)
    profile.inferred_type = _infer_type(set(kinds), evidence)
    if profile.inferred_type in ("integer", "number"):
        _apply_numbers(profile, distinct)
    profile.looks_like_code_list = (
        profile.inferred_type not in ("date", "datetime", "time")
        and len(distinct) <= CODE_LIST_MAX_DISTINCT
        and (len(distinct) * 5 <= non_null or (profile.max_length <= 3 and len(distinct) * 2 <= non_null))
    )
    if profile.looks_like_code_list:
        profile.code_values = [d[1] for d in sorted(ranked, key=lambda d: (-d[4], d[1]))]
    profile.null_like_values = [ValueCount(value=_json_safe(d), count=d[4]) for d in ranked
                                if len(d[1]) < 12 and d[1].strip().lower() in _NULL_LIKE]
    profile.examples = [_json_safe(d) for d in distinct[:EXAMPLES]]
    profile.masked_examples = [shapes[d[1]] for d in distinct[:EXAMPLES]]
    return profile


def _top_shapes(shapes: dict[str, str], texts: dict[str, int]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for text, count in texts.items():
        shape = shapes[text]
        totals[shape] = totals.get(shape, 0) + count
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]


def _count(values: list[Any]) -> Counter[Any]:
    try:
        # note: Python equality merges True/1 and 1/1.0 here, which is fine for a profile
        return Counter(values)
    except TypeError:  # lists or dicts from JSON sources are not hashable
        return Counter(_JsonText(json.dumps(v, sort_keys=True, default=str)) if isinstance(v, (list, dict)) else v
                       for v in values)


class _JsonText(str):
    """A JSON array or object from a JSON source, serialised so it can be counted."""


# (raw value, text, kind, number or None, row count); text is str(raw) for non-text values
_Distinct = tuple[Any, str, str, int | float | None, int]


def _classify(raw: Any, count: int) -> _Distinct | None:
    """None for a null (None, blank text, NaN); else the value's text, kind and number."""
    if type(raw) is str:  # the common case (CSV) first
        text = raw.strip()
        if not text:
            return None
        if text[0].isdigit() or text[0] in "+-.":
            if _INTEGER.fullmatch(text):
                return raw, raw, "integer", int(text), count
            if _NUMBER.fullmatch(text):
                return raw, raw, "number", float(text), count
        elif len(text) <= 5 and text.lower() in _BOOLEAN_WORDS:
            return raw, raw, "boolean", None, count
        return raw, raw, "string", None, count
    if raw is None:
        return None
    if isinstance(raw, _JsonText):
        return str(raw), str(raw), "array" if raw.startswith("[") else "object", None, count
    if isinstance(raw, str):
        return _classify(str(raw), count)
    if isinstance(raw, bool):
        return raw, "true" if raw else "false", "boolean", None, count
    if isinstance(raw, int):
        return raw, str(raw), "integer", raw, count
    if isinstance(raw, (float, Decimal)):
        number = float(raw)
        if math.isnan(number):
            return None
        integral = math.isfinite(number) and number.is_integer()
        return raw, str(raw), "integer" if integral else "number", number, count
    if isinstance(raw, (dt.datetime, dt.date, dt.time)):
        kind = "datetime" if isinstance(raw, dt.datetime) else "date" if isinstance(raw, dt.date) else "time"
        return raw, raw.isoformat(), kind, None, count
    return raw, str(raw), "string", None, count


def _json_safe(item: _Distinct) -> Any:
    raw = item[0]
    if isinstance(raw, (str, int, bool)) or (isinstance(raw, float) and math.isfinite(raw)):
        return raw
    return item[1]


def _infer_type(kinds: set[str], evidence: DateEvidence) -> InferredType:
    if kinds <= {"date", "datetime"}:
        return "datetime" if "datetime" in kinds else "date"
    if kinds == {"time"}:
        return "time"
    best = evidence.candidates[0] if evidence.candidates else None
    if best is not None and best.kind != "month":
        # "20230405" is a yyyymmdd date; "1432" stays a number (its %H%M candidate is listed)
        if kinds != {"integer"} or best.format == "%Y%m%d":
            return best.kind
    if kinds == {"integer"}:
        return "integer"
    if kinds <= {"integer", "number"}:
        return "number"
    if len(kinds) == 1:
        return next(iter(kinds))  # type: ignore[return-value]
    return "mixed"


def _apply_dates(profile: FieldProfile, evidence: DateEvidence) -> None:
    profile.date_candidates = evidence.candidates
    profile.partial_date_candidates = evidence.partial_candidates
    profile.day_month_order = evidence.day_month_order
    profile.day_month_evidence = evidence.day_month_evidence
    profile.two_digit_year = evidence.two_digit_year


def _apply_numbers(profile: FieldProfile, distinct: list[_Distinct]) -> None:
    numbers: Counter[int | float] = Counter()
    for _, _, _, number, count in distinct:
        if number is not None:
            numbers[number] += count
    rows = sum(numbers.values())
    profile.numeric_min, profile.numeric_max = min(numbers), max(numbers)
    profile.numeric_mean = sum(n * c for n, c in numbers.items()) / rows
    flags = numeric_date_flags(numbers)
    profile.excel_serial_candidate = flags.excel_serial_candidate
    profile.epoch_seconds_candidate = flags.epoch_seconds_candidate
    profile.epoch_millis_candidate = flags.epoch_millis_candidate
    profile.hhmm_time_candidate = flags.hhmm_time_candidate
