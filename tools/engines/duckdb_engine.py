"""The fast apply engine: source batches streamed through one DuckDB query.

Python feeds Arrow batches (the CSV fast path, or reader rows converted) with the columns
it computes itself with the reference transforms (see ``feeder``); Python UDFs are not
used because this DuckDB build needs numpy for them. DuckDB returns each row's finished
JSONL line and an ok flag; lines go to the two files straight from Arrow buffers.
Memory stays flat: nothing holds more than a few batches.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from jsonschema.protocols import Validator

from tools.engines.feeder import BATCH_ROWS, BatchFeeder, Prefetched
from tools.engines.output import OutputPair, write_string_array
from tools.engines.plan import ApplyPlan
from tools.engines.record_errors import first_clause, transform_kind
from tools.engines.sql_query import KEY_SEP, CompiledQuery
from tools.engines.summary import ErrorTally
from tools.engines.value_memo import NeedsReference

__all__ = ["BATCH_ROWS", "NeedsReference", "run_duckdb"]


def run_duckdb(
    plan: ApplyPlan, query: CompiledQuery, batches: Iterator[pa.RecordBatch], first: pa.RecordBatch | None,
    validator: Validator, outputs: OutputPair, tally: ErrorTally, progress: Callable[[int], None] | None = None,
    threads: int | None = None,
) -> None:
    """Run the compiled query over ``first`` + ``batches``; write lines and count errors."""
    if first is None:
        return
    feeder = BatchFeeder(_chain(first, batches), plan, query, validator)
    schema = feeder.extend(first.slice(0, 0)).schema
    ahead = Prefetched(iter(feeder))
    source = pa.RecordBatchReader.from_batches(schema, iter(ahead))
    # Rows are put back in order by _OrderedWriter, so DuckDB need not buffer for it.
    config: dict[str, Any] = {"preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    writer = _OrderedWriter(outputs, tally)
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.register("src", source)
        for batch in con.sql(query.sql).to_arrow_reader(BATCH_ROWS):
            writer.add(batch)
            if progress is not None:
                progress(tally.rows_read)
    except (duckdb.Error, OSError, pa.ArrowException) as exc:
        # Errors inside the scan come back from DuckDB (or through Arrow's reader) as text.
        if feeder.failure is not None:
            raise feeder.failure from None
        raise NeedsReference(f"DuckDB failed: {exc}") from exc
    finally:
        con.close()
        ahead.close()
    writer.finish()


def _chain(first: pa.RecordBatch | None, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    if first is not None:
        yield first
    yield from rest


class _OrderedWriter:
    """Writes result rows in source order.

    DuckDB scans a stream of Arrow batches on several threads and returns their chunks
    as they finish, so runs of consecutive rows can arrive out of order (by a batch or
    two). Runs are held until the rows before them have been written.
    """

    def __init__(self, outputs: OutputPair, tally: ErrorTally) -> None:
        self.outputs = outputs
        self.tally = tally
        self.next_row = 0
        self.pending: dict[int, pa.RecordBatch] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        n = batch.num_rows
        if n == 0:
            return
        if pc.any(batch.column("needs_ref")).as_py():
            raise NeedsReference(
                "a value SQL cannot represent exactly (an integer beyond HUGEINT, a number that overflows, "
                "a year at the calendar's edge)"
            )
        rows = batch.column("__row")
        starts = [0]
        if n > 1:
            steps = pc.subtract(rows.slice(1), rows.slice(0, n - 1))
            starts += [i + 1 for i in pc.indices_nonzero(pc.not_equal(steps, 1)).to_pylist()]
        starts.append(n)
        for a, b in zip(starts, starts[1:]):
            run = batch.slice(a, b - a)
            self.pending[rows[a].as_py()] = run
        while self.next_row in self.pending:
            run = self.pending.pop(self.next_row)
            self.write(run)
            self.next_row += run.num_rows

    def finish(self) -> None:
        if self.pending:
            raise NeedsReference(f"DuckDB returned rows {sorted(self.pending)[:3]} but not row {self.next_row}")

    def write(self, run: pa.RecordBatch) -> None:
        ok = run.column("ok")
        lines = run.column("line")
        self.tally.rows_read += run.num_rows
        if pc.all(ok).as_py():  # the usual case: no filtering needed
            write_string_array(self.outputs.valid, lines)
            self.tally.rows_valid += run.num_rows
            return
        bad = pc.invert(ok)
        rejected_at = pc.indices_nonzero(bad).to_pylist()
        write_string_array(self.outputs.valid, lines, skip=rejected_at)
        write_string_array(self.outputs.rejects, pc.filter(run.column("reject_line"), bad))
        self.tally.rows_valid += run.num_rows - len(rejected_at)
        self.tally.rows_quarantined += len(rejected_at)
        _count_errors(run.filter(bad), self.tally)


def _count_errors(batch: pa.RecordBatch, tally: ErrorTally) -> None:
    """Tally (field, stage, kind) from the reject rows' err_keys, grouped in Arrow first."""
    keys = batch.column("err_keys")
    flat = pc.list_flatten(keys)
    parents = pc.list_parent_indices(keys)
    table = pa.table({"key": flat, "row": pc.take(batch.column("__row"), parents)})
    grouped = table.group_by("key").aggregate([("row", "count"), ("row", "min")])
    for key, count, first_row in zip(grouped.column("key").to_pylist(), grouped.column("row_count").to_pylist(),
                                     grouped.column("row_min").to_pylist()):
        field_ptr, stage, kind, reason = key.split(KEY_SEP, 3)
        if stage == "transform":
            kind = transform_kind(reason)
        elif stage == "read":
            kind = first_clause(reason)
        tally.add(field_ptr if stage != "read" else None, stage, kind, count, first_row, reason)
