"""Rendering eval results: a table per suite (rich, or plain text), a comparison of suites, JSON."""

from __future__ import annotations

import io
import json
from typing import Iterable, Sequence

from pydantic import BaseModel

from evals.harness import CaseResult, SuiteResult

COLUMNS = ("case", "fmt", "P", "R", "F1", "autoP", "autom", "values", "rows", "propose s")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _case_cells(c: CaseResult) -> list[str]:
    rows = "yes" if c.rows_accounted else "NO"
    name = c.name + (" !" if c.error else "")
    return [name, c.source_format, _pct(c.precision), _pct(c.recall), _pct(c.f1), _pct(c.auto_precision),
            _pct(c.automation), _pct(c.value_accuracy), rows, f"{c.propose_seconds:.2f}"]


def _mean_cells(result: SuiteResult) -> list[str]:
    s = result.summary
    rows = f"{s.rows_accounted}/{s.cases}"
    return ["mean", "", _pct(s.precision), _pct(s.recall), _pct(s.f1), _pct(s.auto_precision), _pct(s.automation),
            _pct(s.value_accuracy), rows, f"{s.propose_seconds:.2f}"]


def _notes(result: SuiteResult) -> list[str]:
    s = result.summary
    notes = [f"min auto-accept precision {s.min_auto_precision:.3f}; total time {s.seconds:.1f}s"]
    notes += [f"! {c.name}: {c.error}" for c in result.cases if c.error]
    return notes


def render_table(result: SuiteResult, *, plain: bool = False, width: int = 120) -> str:
    """One suite: a row per case and the means (rich table text, or plain aligned text)."""
    rows = [_case_cells(c) for c in result.cases]
    title = f"{result.label} on {result.cases_dir} ({result.summary.cases} cases)"
    if plain:
        return _plain(title, rows, _mean_cells(result), _notes(result))
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_footer=False)
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("case", "fmt") else "right")
    for cells in rows:
        table.add_row(*cells)
    table.add_section()
    table.add_row(*_mean_cells(result), style="bold")
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    console.print(table)
    for note in _notes(result):
        console.print(note, highlight=False, markup=False)
    return buffer.getvalue()


def _plain(title: str, rows: list[list[str]], mean: list[str], notes: list[str]) -> str:
    table = [list(COLUMNS)] + rows + [mean]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    rule = "-" * len(line(table[0]))
    return "\n".join([title, line(table[0]), rule, *map(line, rows), rule, line(mean), *notes]) + "\n"


def render_comparison(results: Iterable[SuiteResult]) -> str:
    """Means of several suites side by side (e.g. crosswalk next to a baseline, dev next to held out)."""
    header = ["suite", "cases", "P", "R", "F1", "autoP", "min autoP", "autom", "values", "rows", "propose s",
              "LLM req", "tokens", "LLM s"]
    rows = []
    for r in results:
        s = r.summary
        rows.append([f"{r.label} [{r.cases_dir}]", str(s.cases), _pct(s.precision), _pct(s.recall), _pct(s.f1),
                     _pct(s.auto_precision), _pct(s.min_auto_precision), _pct(s.automation), _pct(s.value_accuracy),
                     f"{s.rows_accounted}/{s.cases}", f"{s.propose_seconds:.2f}", str(s.llm_requests), str(s.llm_tokens),
                     f"{s.llm_seconds:.2f}"])
    table = [header] + rows
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in table]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]]) + "\n"


class EvalReport(BaseModel):
    """The ``--json`` output: every suite run, in order."""

    suites: list[SuiteResult]


def to_json(results: Iterable[SuiteResult], *, indent: int | None = 2) -> str:
    """Machine-readable results (the ``--json`` model)."""
    return EvalReport(suites=list(results)).model_dump_json(indent=indent)


def from_json(text: str) -> EvalReport:
    return EvalReport.model_validate(json.loads(text))


__all__ = ["EvalReport", "from_json", "render_comparison", "render_table", "to_json"]
