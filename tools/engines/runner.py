"""apply_mapping: pick the engine, run it, fall back when the fast one must step aside.

Engine choice ('auto'): DuckDB for a CSV whose fast path reads its first batch and whose
mapped part of the schema the SQL checks cover exactly; otherwise the reference engine,
with the reason in the summary. ``engine='duckdb'`` also takes other formats (rows turned
into Arrow). Whatever makes the fast engine step aside mid-run (a ragged row deep in the
file, a value SQL cannot hold) restarts the run with the reference engine, truncating
both files, and says so.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import pyarrow as pa
import pyarrow.compute as pc

from tools.engines.duckdb_engine import BATCH_ROWS, NeedsReference, run_duckdb
from tools.engines.feeder import rows_as_batches
from tools.engines.output import OutputPair
from tools.engines.plan import ApplyPlan, build_plan
from tools.engines.python_engine import run_python
from tools.engines.sql_query import CompiledQuery, compile_query
from tools.engines.sql_transforms import SqlUnsupported
from tools.engines.summary import ApplySummary, EngineName, ErrorTally
from tools.mapping import MappingDocument
from tools.readers import FastPathUnavailable, iter_csv_arrow_batches, open_source
from tools.readers.base import SourceReader
from tools.target_schema import TargetSchema, make_validator, unsupported_for_sql

EngineChoice = Literal["auto", "python", "duckdb"]
# A field whose first batch has at most this share of distinct values is computed by the
# reference once per distinct value rather than by SQL once per row.
REPEAT_SHARE = 0.8


def apply_mapping(
    doc: MappingDocument,
    source_path: str | os.PathLike[str],
    schema: TargetSchema,
    out_path: str | os.PathLike[str],
    rejects_path: str | os.PathLike[str],
    *,
    include_pending: bool = False,
    engine: EngineChoice = "auto",
    read_options: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ApplySummary:
    """Apply ``doc`` to every row of the source: valid records to ``out_path``, the rest to ``rejects_path``.

    Raises MappingError (before writing anything) when a mapped source field is missing.
    """
    if engine not in ("auto", "python", "duckdb"):
        raise ValueError(f"engine must be auto, python or duckdb, not {engine!r}")
    started = time.perf_counter()
    with open_source(source_path, **_read_options(doc, read_options)) as reader:
        plan = build_plan(doc, reader.info.fields, include_pending=include_pending, origin=str(source_path))
        validator = make_validator(schema)
        notes = list(reader.info.notes)
        chosen, why, fast = _choose(engine, plan, schema, validator, reader, notes)
        with OutputPair(out_path, rejects_path) as outputs:
            tally = ErrorTally()
            if fast is not None:
                try:
                    run_duckdb(plan, fast.query, fast.batches, fast.first, validator, outputs, tally, progress)
                except (FastPathUnavailable, NeedsReference) as exc:
                    outputs.restart()
                    tally = ErrorTally()
                    chosen, why = "python", f"{why}; restarted with the reference engine: {_one_line(exc)}"
                    run_python(plan, reader, validator, outputs, tally, progress)
            else:
                run_python(plan, reader, validator, outputs, tally, progress)
    duration = time.perf_counter() - started
    return ApplySummary(
        source=str(source_path), out_path=str(Path(out_path)), rejects_path=str(Path(rejects_path)),
        engine=chosen, engine_requested=engine, engine_reason=why, include_pending=include_pending,
        fields_applied=[f.target for f in plan.fields], rows_read=tally.rows_read, rows_valid=tally.rows_valid,
        rows_quarantined=tally.rows_quarantined, errors_by_field=tally.errors_by_field(), top_errors=tally.top_errors(),
        duration_s=round(duration, 6), rows_per_s=round(tally.rows_read / duration, 1) if duration > 0 else 0.0, notes=notes,
    )


@dataclass
class _FastRun:
    """Everything the DuckDB engine needs, prepared before any output is written."""

    query: CompiledQuery
    batches: Iterator[pa.RecordBatch]
    first: pa.RecordBatch | None


def _read_options(doc: MappingDocument, given: dict[str, Any] | None) -> dict[str, Any]:
    if given is not None:
        return dict(given)
    if doc.source is None:
        return {}
    found = {"encoding": doc.source.encoding, "delimiter": doc.source.delimiter, "sheet": doc.source.sheet}
    return {k: v for k, v in found.items() if v is not None}


def _choose(
    engine: EngineChoice, plan: ApplyPlan, schema: TargetSchema, validator: Any, reader: SourceReader, notes: list[str]
) -> tuple[EngineName, str, _FastRun | None]:
    """The engine to run and why; for DuckDB the compiled query and the first batch.

    The query is compiled after the first batch is read, because fields whose values
    repeat there are computed per distinct value instead of in SQL (see REPEAT_SHARE).
    """
    if engine == "python":
        return "python", "the reference engine was requested", None
    is_csv = reader.info.format == "csv"
    if engine == "auto" and not is_csv:
        return "python", f"auto: the fast engine reads CSV sources, this one is {reader.info.format}", None
    try:
        batches = iter_csv_arrow_batches(reader.info, BATCH_ROWS) if is_csv else rows_as_batches(reader, plan)
        first: pa.RecordBatch | None = next(batches, None)
    except (FastPathUnavailable, NeedsReference) as exc:
        return "python", f"{engine}: the fast path cannot read this source ({_one_line(exc)})", None
    checked = frozenset(validator.format_checker.checkers) if validator.format_checker else frozenset()
    repeating = repeating_fields(plan, first) if first is not None else frozenset()
    try:
        query = compile_query(plan, schema, checked, source_json_column=not is_csv, python_first=repeating)
    except SqlUnsupported as exc:
        return "python", f"{engine}: the schema needs the reference validator ({exc})", None
    elsewhere = unsupported_for_sql(schema)
    if elsewhere:
        notes.append(f"the schema uses {', '.join(elsewhere)}, but not where this mapping writes (or in forms the SQL checks cover)")
    if query.python_fields:
        notes.append(f"computed by the reference transforms, once per distinct value: {', '.join(query.python_fields)}")
    guarded = [p.field.target for p in query.py_fields if p.guard]
    if guarded:
        notes.append(f"rows with non-ASCII text computed by the reference transforms for: {', '.join(guarded)}")
    how = "CSV fast path" if is_csv else f"{reader.info.format} rows converted to Arrow"
    return "duckdb", f"{engine}: every transform and schema check runs in DuckDB ({how})", _FastRun(query, batches, first)


def repeating_fields(plan: ApplyPlan, sample: pa.RecordBatch) -> frozenset[int]:
    """Fields of one or two source columns whose values repeat in the sample batch."""
    names = sample.schema.names

    def column(source: str) -> pa.Array:
        # CSV batches name columns by source field, converted rows by position.
        positional = f"__c{plan.source_fields.index(source)}"
        return sample.column(names.index(source) if source in names else names.index(positional))

    found = set()
    for f in plan.fields:
        if 1 <= len(f.sources) <= 2 and sample.num_rows >= 1000:
            distinct = sum(len(pc.unique(column(s))) for s in f.sources)
            if distinct <= REPEAT_SHARE * sample.num_rows:
                found.add(f.index)
    return frozenset(found)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")
