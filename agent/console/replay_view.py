"""What ``crosswalk audit replay RUN_ID`` prints: "reproduced", or the field-by-field differences."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.replay.compare import ReplayReport

VALUE_MAX = 60


def _value(value: Any) -> str:
    """A part's value in one short line (transforms are JSON, cut when long)."""
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def _version(version: str | None) -> str:
    return version[:16] + "…" if version else "none stored"


def print_replay(console: Console, report: ReplayReport) -> None:
    """The outcome first, then the counts, the differences (if any) and the notes."""
    what = "live: today's settings, matchers, memory and LLM" if report.live else "from the audit log"
    if report.reproduced:
        exact = "identical document" if report.identical else "same fields; rationale or evidence text differs"
        console.print(f"run {report.run_id}: reproduced ({what}; {exact})")
    else:
        verb = "would change today" if report.live else "NOT reproduced"
        console.print(f"run {report.run_id}: {verb} ({what}): {len(report.diff.fields)} field(s) differ")
    console.print(f"recorded version {_version(report.recorded_version)}; replayed {_version(report.replayed_version)}")
    console.print(f"LLM answers from the log: {report.llm_answers_replayed}; requests not in the log: "
                  f"{report.llm_requests_missing}; decisions re-applied: {report.decisions_reapplied}")
    if report.diff.fields:
        table = Table(title="differences (recorded -> replayed)", title_justify="left")
        for name in ("target", "change", "part", "recorded", "replayed"):
            table.add_column(name, overflow="fold")
        for change in report.diff.fields:
            if change.kind != "changed":
                table.add_row(escape(change.target), change.kind, "", "", "")
                continue
            for number, part in enumerate(change.parts):
                table.add_row(escape(change.target) if number == 0 else "", "changed" if number == 0 else "", part.part,
                              escape(_value(part.before)), escape(_value(part.after)))
        console.print(table)
    for label, names in (("newly unmapped", report.diff.unmapped_added), ("no longer unmapped", report.diff.unmapped_removed)):
        if names:
            console.print(f"{label}: {escape(', '.join(names))}")
    for part in report.diff.other:
        console.print(f"{part.part}: {escape(_value(part.before))} -> {escape(_value(part.after))}")
    for note in report.notes:
        console.print(f"note: {escape(note)}")
