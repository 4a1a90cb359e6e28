"""Eval metrics of shared/eval-cases.md: field precision/recall/F1, auto-accept precision,
automation, value accuracy and row accounting."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, Field

from tools.json_pointer import get_at


class TruthMapping(BaseModel):
    target: str
    sources: list[str]


class Truth(BaseModel):
    mappings: list[TruthMapping]
    unmapped: list[str] = Field(default_factory=list)


class FieldScores(BaseModel):
    proposed: int
    true_fields: int
    right: int
    auto_accepted: int
    right_auto: int
    precision: float
    recall: float
    f1: float
    auto_precision: float = Field(description="right auto-accepted / auto-accepted; 1.0 when nothing was auto-accepted")
    automation: float
    wrong: list[str] = Field(default_factory=list, description="proposed fields that match no truth entry")
    missed: list[str] = Field(default_factory=list, description="truth entries no proposal matched")


def _key(target: str, sources: Iterable[str]) -> tuple[str, frozenset[str]]:
    return target, frozenset(sources)


def score_fields(proposal: dict[str, Any], truth: Truth) -> FieldScores:
    """Score a proposal document (as a dict) against the truth."""
    truth_keys = {_key(m.target, m.sources) for m in truth.mappings}
    active = [f for f in proposal.get("fields", []) if f.get("status") != "rejected"]
    right_keys = {_key(f["target"], f["sources"]) for f in active} & truth_keys
    right = sum(1 for f in active if _key(f["target"], f["sources"]) in truth_keys)
    autos = [f for f in active if f.get("status") == "auto_accepted"]
    right_auto = sum(1 for f in autos if _key(f["target"], f["sources"]) in truth_keys)
    precision = right / len(active) if active else (1.0 if not truth_keys else 0.0)
    recall = right / len(truth_keys) if truth_keys else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return FieldScores(
        proposed=len(active),
        true_fields=len(truth_keys),
        right=right,
        auto_accepted=len(autos),
        right_auto=right_auto,
        precision=precision,
        recall=recall,
        f1=f1,
        auto_precision=right_auto / len(autos) if autos else 1.0,
        automation=right_auto / len(truth_keys) if truth_keys else 1.0,
        wrong=sorted(f"{f['target']} <- {', '.join(f['sources'])}" for f in active if _key(f["target"], f["sources"]) not in truth_keys),
        missed=sorted(f"{t} <- {', '.join(sorted(s))}" for t, s in truth_keys - right_keys),
    )


def _leaves(record: Any, prefix: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    if isinstance(record, dict):
        for key, value in record.items():
            yield from _leaves(value, prefix + (key,))
    else:
        yield prefix, record


def _instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def values_equal(expected: Any, actual: Any) -> bool:
    """Cells compare equal as instants (date-times), within 1e-4 (numbers), else exactly."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, abs_tol=1e-4)
    if isinstance(expected, str) and isinstance(actual, str) and "T" in expected:
        e, a = _instant(expected), _instant(actual)
        if e is not None and a is not None:
            return e == a
    return expected == actual


class ValueScores(BaseModel):
    cells: int
    matched: int
    accuracy: float
    rows_expected: int
    rows_accounted: bool
    problems: list[str] = Field(default_factory=list)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score_values(expected_path: Path, records_path: Path, rejects_path: Path, source_rows: int) -> ValueScores:
    """Compare every expected cell with what apply wrote (records or, failing that, rejects)."""
    expected = read_jsonl(expected_path)
    produced: dict[int, dict[str, Any]] = {}
    seen: list[int] = []
    for line in read_jsonl(records_path) + read_jsonl(rejects_path):
        seen.append(line["row"])
        produced[line["row"]] = line.get("record", {})
    problems: list[str] = []
    accounted = sorted(seen) == list(range(source_rows))
    if not accounted:
        problems.append(f"rows accounted: {len(set(seen))} distinct of {source_rows} ({len(seen)} lines)")
    cells = matched = 0
    for index, record in enumerate(expected):
        actual = produced.get(index, {})
        for path, value in _leaves(record):
            cells += 1
            got = get_at(actual, list(path))
            if values_equal(value, got):
                matched += 1
            elif len(problems) < 20:
                problems.append(f"row {index} /{'/'.join(path)}: expected {value!r}, got {got!r}")
    return ValueScores(
        cells=cells,
        matched=matched,
        accuracy=matched / cells if cells else 1.0,
        rows_expected=len(expected),
        rows_accounted=accounted,
        problems=problems,
    )


__all__ = ["Truth", "TruthMapping", "FieldScores", "ValueScores", "score_fields", "score_values", "values_equal"]
