"""``crosswalk audit log`` and ``audit verify`` output."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from agent.store.models import AuditEvent


def event_json(event: AuditEvent) -> str:
    """One event as a JSON line, every stored field included (for auditors' own tools)."""
    return json.dumps(
        {
            "seq": event.seq, "time": event.time, "actor": event.actor, "action": event.action,
            "subject": event.subject, "inputs": event.inputs, "outputs": event.outputs,
            "run_id": event.run_id, "prev_hash": event.prev_hash, "hash": event.hash,
        },
        ensure_ascii=False, sort_keys=True,
    )


def print_events(console: Console, events: list[AuditEvent]) -> None:
    table = Table(title=f"{len(events)} audit event(s)", title_justify="left")
    for name in ("seq", "time (UTC)", "actor", "action", "subject", "run", "hash"):
        table.add_column(name, overflow="fold")
    for e in events:
        table.add_row(str(e.seq), e.time, e.actor, e.action, e.subject, (e.run_id or "")[:12], e.hash[:12])
    console.print(table)
