"""The summary ``crosswalk apply`` prints when it is done."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from agent.jobs.apply_job import ApplyOutcome

SCHEMA_ORIGIN_TEXT = {
    "option": "--target-schema",
    "mapping": "the mapping's target_schema.path",
    "bundled": "the bundled police standard",
}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def print_apply_summary(console: Console, outcome: ApplyOutcome) -> None:
    """Counts, where the output went, what ran, and the most frequent errors by field."""
    s = outcome.summary
    console.print(
        f"{_plural(s.rows_read, 'row')} read: {s.rows_valid:,} valid, {s.rows_quarantined:,} quarantined"
    )
    console.print(f"records: {s.out_path}")
    console.print(f"rejects: {s.rejects_path}")
    engine = s.engine if s.engine == s.engine_requested else f"{s.engine} (asked {s.engine_requested}: {s.engine_reason})"
    console.print(f"engine: {engine}; {s.duration_s:.2f} s, {s.rows_per_s:,.0f} rows/s")
    console.print(f"schema: {outcome.schema_path} ({SCHEMA_ORIGIN_TEXT[outcome.schema_origin]})")
    console.print(f"run: {outcome.run_id}; mapping version: {outcome.mapping_version_id[:16]}")
    if s.include_pending:
        console.print("note: fields still needing review were applied (--include-pending)")
    for note in s.notes:
        console.print(f"note: {note}")
    if not s.top_errors:
        return
    table = Table(title="Top errors (field, rows, first row, example reason)", title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("rows", justify="right")
    table.add_column("first row", justify="right")
    table.add_column("example reason", overflow="fold")
    for e in s.top_errors:
        where = e.field if e.field is not None else "(whole row)"
        table.add_row(where, f"{e.count:,}", str(e.first_row), f"{e.stage}: {e.example_reason}")
    console.print(table)
