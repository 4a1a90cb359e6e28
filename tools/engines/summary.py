"""What an apply run reports: counts, error tallies by field and kind, speed and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from tools.engines.record_errors import RecordError

EngineName = Literal["python", "duckdb"]
TOP_ERRORS = 10
READ_ERROR_FIELD = ""
"""errors_by_field key for errors of the whole row (unreadable rows): the root pointer."""


class TopError(BaseModel):
    """One of the most frequent (field, stage, kind) problems, with its first example."""

    field: str | None
    stage: str
    kind: str
    count: int
    first_row: int
    example_reason: str


class ApplySummary(BaseModel):
    """The outcome of applying a mapping to a whole source."""

    source: str
    out_path: str
    rejects_path: str
    engine: EngineName = Field(description="The engine that produced the output files")
    engine_requested: str = Field(description="auto, python or duckdb, as asked")
    engine_reason: str = Field(description="Why this engine ran (the fallback reason when it is not the one asked for)")
    include_pending: bool = False
    fields_applied: list[str] = Field(default_factory=list, description="Target pointers written, in mapping order")
    rows_read: int = 0
    rows_valid: int = 0
    rows_quarantined: int = 0
    errors_by_field: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="pointer ('' for unreadable rows) -> error kind -> count"
    )
    top_errors: list[TopError] = Field(default_factory=list)
    duration_s: float = 0.0
    rows_per_s: float = 0.0
    notes: list[str] = Field(default_factory=list)


@dataclass
class _Tally:
    count: int
    first_row: int
    example_reason: str


@dataclass
class ErrorTally:
    """Counts errors by (field, stage, kind) as rows stream past."""

    rows_read: int = 0
    rows_valid: int = 0
    rows_quarantined: int = 0
    by_key: dict[tuple[str | None, str, str], _Tally] = field(default_factory=dict)

    def add_row(self, row: int, errors: list[RecordError]) -> None:
        """Count one row (valid when ``errors`` is empty)."""
        self.rows_read += 1
        if not errors:
            self.rows_valid += 1
            return
        self.rows_quarantined += 1
        for error in errors:
            self.add(error.field, error.stage, error.kind, 1, row, error.reason)

    def add(self, field_ptr: str | None, stage: str, kind: str, count: int, first_row: int, reason: str) -> None:
        """Add ``count`` errors of one key; ``first_row`` and ``reason`` are an example."""
        key = (field_ptr, stage, kind)
        tally = self.by_key.get(key)
        if tally is None:
            self.by_key[key] = _Tally(count, first_row, reason)
            return
        tally.count += count
        if first_row < tally.first_row:
            tally.first_row, tally.example_reason = first_row, reason

    def errors_by_field(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for (field_ptr, _stage, kind), tally in sorted(self.by_key.items(), key=lambda kv: (kv[0][0] or "", kv[0][2])):
            per_field = result.setdefault(field_ptr if field_ptr is not None else READ_ERROR_FIELD, {})
            per_field[kind] = per_field.get(kind, 0) + tally.count
        return result

    def top_errors(self, limit: int = TOP_ERRORS) -> list[TopError]:
        ranked = sorted(self.by_key.items(), key=lambda kv: (-kv[1].count, kv[1].first_row, kv[0][0] or "", kv[0][2]))
        return [
            TopError(field=k[0], stage=k[1], kind=k[2], count=t.count, first_row=t.first_row, example_reason=t.example_reason)
            for k, t in ranked[:limit]
        ]
