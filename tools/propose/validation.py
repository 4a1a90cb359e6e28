"""Prove a proposal on real rows: apply each field's transform to the sample and check the output.

For every field: rows where some source value is set are checked; a row passes when the
transform gives a value that is valid against the target leaf's own schema (or gives
no value on purpose, for a declared null such as 'N/A'). Work is done per distinct input,
so a 5000-row sample costs what its distinct values cost. Failing examples are shown as
masked shapes (letters A/a, digits 9) with the reason, never as raw values.
"""

from __future__ import annotations

from typing import Any

from tools.errors import TransformValueError
from tools.mapping import FieldMapping, MappingDocument
from tools.propose.compatibility import LeafChecker
from tools.propose.facts import is_blank_value, text_key
from tools.propose.model import FailureExample, FieldValidation
from tools.target_schema import TargetSchema
from tools.transforms import apply_transform
from tools.value_shapes import value_shape

MAX_FAILURES = 5


def validate_proposal(doc: MappingDocument, sample_rows: list[dict[str, Any]], schema: TargetSchema) -> dict[str, FieldValidation]:
    """Per target: the share of non-blank sample rows that transform and validate."""
    checkers: dict[str, LeafChecker] = {}
    results: dict[str, FieldValidation] = {}
    for mapping in doc.fields:
        if mapping.status == "rejected":
            continue
        target = schema.field(mapping.target)
        if target is None:
            results[mapping.target] = _missing_target(mapping, sample_rows)
            continue
        checker = checkers.get(mapping.target) or checkers.setdefault(mapping.target, LeafChecker(target))
        results[mapping.target] = validate_field(mapping, sample_rows, checker)
    return results


def _inputs(mapping: FieldMapping, rows: list[dict[str, Any]]) -> tuple[dict[tuple[str, ...], list[Any]], int]:
    """Distinct non-blank input tuples -> [raw values, rows]; and the number of such rows."""
    distinct: dict[tuple[str, ...], list[Any]] = {}
    checked = 0
    for row in rows:
        raw = [row.get(source) for source in mapping.sources]
        if all(is_blank_value(v) for v in raw):
            continue
        checked += 1
        key = tuple("" if is_blank_value(v) else f"{type(v).__name__}:{text_key(v)}" for v in raw)
        if key in distinct:
            distinct[key][1] += 1
        else:
            distinct[key] = [raw, 1]
    return distinct, checked


def validate_field(mapping: FieldMapping, rows: list[dict[str, Any]], checker: LeafChecker) -> FieldValidation:
    distinct, checked = _inputs(mapping, rows)
    passed = transform_failures = schema_failures = 0
    failures: list[FailureExample] = []
    for raw, count in sorted(distinct.values(), key=lambda item: -item[1]):
        try:
            out = apply_transform(mapping.transform, raw)
        except TransformValueError as exc:
            transform_failures += count
            _note(failures, raw, exc.reason)
            continue
        except TypeError as exc:  # wrong number of sources: a broken mapping, every row fails
            transform_failures += count
            _note(failures, raw, str(exc))
            continue
        problem = None if out is None else checker.error(out)
        if problem is None:
            passed += count
        else:
            schema_failures += count
            _note(failures, raw, f"output {value_shape(text_key(out))!r}: {problem}")
    rate = round(passed / checked, 4) if checked else 0.0
    return FieldValidation(target=mapping.target, rows_checked=checked, rows_passed=passed,
                           transform_failures=transform_failures, schema_failures=schema_failures,
                           pass_rate=rate, failures=failures)


def _note(failures: list[FailureExample], raw: list[Any], why: str) -> None:
    if len(failures) >= MAX_FAILURES:
        return
    shape = " | ".join("" if is_blank_value(v) else value_shape(text_key(v)) for v in raw)
    # the transform's reason quotes the raw value; show only the masked shape in its place
    masked = why
    for value in raw:
        if not is_blank_value(value):
            text = text_key(value)
            if text:  # say it is a shape, or a reader takes 'AA9' for the unplaced value itself
                shaped = f"a value shaped {value_shape(text)!r}"
                masked = masked.replace(repr(text), shaped).replace(text, shaped)
    example = FailureExample(shape=shape, reason=masked)
    if example not in failures:
        failures.append(example)


def _missing_target(mapping: FieldMapping, rows: list[dict[str, Any]]) -> FieldValidation:
    _, checked = _inputs(mapping, rows)
    return FieldValidation(target=mapping.target, rows_checked=checked, rows_passed=0, transform_failures=0,
                           schema_failures=checked, pass_rate=0.0,
                           failures=[FailureExample(shape="", reason=f"{mapping.target} is not a leaf of the target schema")])
