"""Exporting events for auditors' own tools: JSON Lines (everything, re-verifiable) or safe CSV.

JSON Lines keeps every stored field, hashes and HMAC included, so a verifier outside
crosswalk can recompute the chain (SHA-256 over the canonical JSON of seq, time, actor,
action, subject, inputs, outputs, run_id and prev_hash). CSV goes through
``tools.csv_safe``: a value such as ``=HYPERLINK(...)`` is written as text, never run
as a spreadsheet formula.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal, TextIO

from agent.store.models import AuditEvent
from tools.csv_safe import write_safe_csv

ExportFormat = Literal["jsonl", "csv"]
EXPORT_COLUMNS: tuple[str, ...] = (
    "seq", "time", "actor", "action", "subject", "run_id", "inputs", "outputs", "prev_hash", "hash", "hmac",
)


def event_record(event: AuditEvent) -> dict[str, Any]:
    """Every stored field of one event, as plain JSON values."""
    return {name: getattr(event, name) for name in EXPORT_COLUMNS}


def event_line(event: AuditEvent) -> str:
    return json.dumps(event_record(event), ensure_ascii=False, sort_keys=True)


def write_jsonl(out: TextIO, events: Iterable[AuditEvent]) -> int:
    count = 0
    for event in events:
        out.write(event_line(event) + "\n")
        count += 1
    return count


def write_csv(out: TextIO, events: Iterable[AuditEvent]) -> int:
    """One row per event; inputs and outputs as JSON text in their cells."""
    return write_safe_csv(out, EXPORT_COLUMNS, ([getattr(e, name) for name in EXPORT_COLUMNS] for e in events))


def write_events(out: TextIO, events: Iterable[AuditEvent], fmt: ExportFormat) -> int:
    """Write ``events`` in ``fmt``; returns how many."""
    return write_jsonl(out, events) if fmt == "jsonl" else write_csv(out, events)
