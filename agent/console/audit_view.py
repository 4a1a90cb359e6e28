"""Output of the ``crosswalk audit`` commands: event tables, verify results, run timelines."""

from __future__ import annotations

import functools
import re
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from agent.audit.export import event_line
from agent.audit.verify import PROBLEM_LABELS, Problem, VerifyReport
from agent.store.models import AuditEvent, Dataset, Run

MAX_PROBLEM_LINES = 20
SUMMARY_WIDTH = 110
_HEX_DIGEST = re.compile(r"^[0-9a-f]{32,}$")


def event_json(event: AuditEvent) -> str:
    """One event as a JSON line, every stored field included (for auditors' own tools)."""
    return event_line(event)


def print_events(console: Console, events: list[AuditEvent]) -> None:
    table = Table(title=f"{len(events)} audit event(s)", title_justify="left")
    for name in ("seq", "time (UTC)", "actor", "action", "subject", "run", "hash"):
        table.add_column(name, overflow="fold")
    for e in events:
        # Text(): logged values are data, never rich markup ("[/person/sex]" would be a closing tag)
        table.add_row(*(Text(v) for v in (str(e.seq), e.time, e.actor, e.action, e.subject, (e.run_id or "")[:12], e.hash[:12])))
    console.print(table)


def _detail(problem: Problem) -> str | None:
    """The two values that differ, labelled for the kind of check that failed."""
    if problem.expected is None and problem.found is None:
        return None
    expected, found = PROBLEM_LABELS.get(problem.kind, ("expected", "found"))
    return f"{expected} {problem.expected}, {found} {problem.found}"


def verify_lines(report: VerifyReport) -> tuple[list[str], list[str]]:
    """(stdout lines, stderr lines) of ``audit verify``."""
    if report.intact:
        line = f"audit chain intact: {report.events} event(s)"
        if report.head_hash:
            line += f"; last hash {report.head_hash}"
        if report.checkpoints:
            line += f"; {len(report.checkpoints)} checkpoint(s) matched"
        summary = report.hmac_summary()  # which keys checked how many events
        return [line, *([summary] if summary else [])], []
    out: list[str] = []
    for index, problem in enumerate(report.problems[:MAX_PROBLEM_LINES]):
        out.append(f"audit: {problem.message}")
        detail = _detail(problem) if index == 0 else None
        if detail:
            out.append(f"audit:   {detail}")
    if report.problem_count > MAX_PROBLEM_LINES:
        out.append(f"audit: ... and {report.problem_count - MAX_PROBLEM_LINES} more problem(s) (--json lists up to 1000)")
    return out, [f"audit chain BROKEN: {report.problem_count} problem(s) in {report.events} event(s)"]


def _short(value: Any, depth: int = 0) -> str:
    """A value in a few characters: digests cut to 12, lists to 4 items, nested dicts to their scalars."""
    if isinstance(value, str):
        return value[:12] + "…" if _HEX_DIGEST.match(value) else value
    if isinstance(value, list):
        return "[" + ", ".join(_short(v, depth + 1) for v in value[:4]) + (f", +{len(value) - 4}" if len(value) > 4 else "") + "]"
    if isinstance(value, dict):
        if depth > 0:
            return "{…}"
        scalars = [(k, v) for k, v in value.items() if not isinstance(v, (dict, list))]
        shown = ", ".join(f"{k}: {_short(v, depth + 1)}" for k, v in scalars[:4])
        return "{" + shown + (", …" if len(value) > len(scalars[:4]) else "") + "}"
    return str(value)


def summarise(values: dict[str, Any], width: int = SUMMARY_WIDTH) -> str:
    """``key=value`` pairs, digests shortened, cut at ``width`` characters."""
    text = "; ".join(f"{k}={_short(v)}" for k, v in values.items() if v not in (None, "", [], {}))
    return text if len(text) <= width else text[: width - 1] + "…"


def print_timeline(console: Console, run: Run, dataset: Dataset | None, events: list[AuditEvent]) -> None:
    """A run's header and its events in order, with inputs and outputs summarised."""
    print_line = functools.partial(console.print, markup=False)
    print_line(f"run {run.id} ({run.kind}, {run.status}) by {run.actor}")
    print_line(f"started {run.started_at}; finished {run.finished_at or '-'}")
    if dataset is not None:
        print_line(f"dataset {dataset.path} (sha256 {dataset.sha256[:16]}…, {dataset.format}, {dataset.size_bytes} bytes)")
    if run.mapping_version_id:
        print_line(f"mapping version {run.mapping_version_id}")
    if run.error:
        print_line(f"error: {run.error}")
    table = Table(title=f"{len(events)} event(s)", title_justify="left")
    for name in ("seq", "time (UTC)", "actor", "action", "subject", "inputs", "outputs"):
        table.add_column(name, overflow="fold")
    for e in events:
        table.add_row(*(Text(v) for v in (str(e.seq), e.time, e.actor, e.action, e.subject, summarise(e.inputs), summarise(e.outputs))))
    console.print(table)
