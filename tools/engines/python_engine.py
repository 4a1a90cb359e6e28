"""The reference apply engine: one row at a time, ``apply_transform`` then jsonschema.

Slow but plain; the DuckDB engine is tested against it line for line.
"""

from __future__ import annotations

from typing import Any, Callable

from jsonschema.protocols import Validator

from tools.engines.output import OutputPair, record_line, reject_line
from tools.engines.plan import ApplyPlan, raw_value
from tools.engines.record_errors import RecordError, read_error, schema_errors, sort_errors, transform_kind
from tools.engines.summary import ErrorTally
from tools.errors import TransformValueError
from tools.json_pointer import set_at
from tools.readers.base import SourceReader
from tools.transforms import apply_transform

PROGRESS_EVERY = 10_000
_FLUSH_LINES = 2_000


def build_record(plan: ApplyPlan, values: dict[str, Any]) -> tuple[dict[str, Any], list[RecordError]]:
    """The record of one row and its transform errors (failed fields are left out)."""
    record: dict[str, Any] = {}
    errors: list[RecordError] = []
    for field in plan.fields:
        inputs = [values.get(s) for s in field.sources]
        try:
            value = apply_transform(field.spec, inputs)
        except TransformValueError as exc:
            errors.append(RecordError(field.target, field.sources, raw_value(inputs), "transform", exc.reason, transform_kind(exc.reason)))
            continue
        if value is not None:
            set_at(record, list(field.parts), value)
    return record, errors


def check_record(plan: ApplyPlan, validator: Validator, record: dict[str, Any], values: dict[str, Any],
                 transform_errors: list[RecordError]) -> list[RecordError]:
    """Transform errors followed by the schema errors of the record."""
    failed = {e.field for e in transform_errors if e.field is not None}
    return sort_errors(transform_errors + schema_errors(validator.iter_errors(record), plan, values, failed), plan)


def run_python(
    plan: ApplyPlan, reader: SourceReader, validator: Validator, outputs: OutputPair, tally: ErrorTally,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Apply the plan to every row of ``reader``, writing both files and counting errors."""
    valid_lines: list[str] = []
    reject_lines: list[str] = []
    for row in reader.rows():
        if row.error is not None:
            errors = [read_error(row.error)]
            record: dict[str, Any] = {}
        else:
            record, transform_errors = build_record(plan, row.values)
            errors = check_record(plan, validator, record, row.values, transform_errors)
        tally.add_row(row.index, errors)
        if errors:
            reject_lines.append(reject_line(row.index, record, errors, row.values))
        else:
            valid_lines.append(record_line(row.index, record))
        if len(valid_lines) + len(reject_lines) >= _FLUSH_LINES:
            _flush(outputs, valid_lines, reject_lines)
        if progress is not None and tally.rows_read % PROGRESS_EVERY == 0:
            progress(tally.rows_read)
    _flush(outputs, valid_lines, reject_lines)
    if progress is not None:
        progress(tally.rows_read)


def _flush(outputs: OutputPair, valid_lines: list[str], reject_lines: list[str]) -> None:
    if valid_lines:
        outputs.valid.write("".join(valid_lines).encode("utf-8"))
        valid_lines.clear()
    if reject_lines:
        outputs.rejects.write("".join(reject_lines).encode("utf-8"))
        reject_lines.clear()
