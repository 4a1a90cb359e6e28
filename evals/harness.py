"""The eval harness: propose on each case, apply with --include-pending semantics, score.

``propose_fn(source_path, schema_path) -> dict`` is injected: the CLI passes one that runs
the agent offline, the baselines in ``evals.baselines`` are others. The proposal is applied
with ``tools.engines.apply_mapping(..., include_pending=True)`` and scored with
``evals.metrics`` (shared/eval-cases.md).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, Field

from evals.case_loader import EvalCase, count_source_rows, find_cases, load_case
from evals.metrics import FieldScores, ValueScores, read_jsonl, score_fields, score_values

ProposeFn = Callable[[Path, Path], dict[str, Any]]


class CaseResult(BaseModel):
    """Scores of one case (and what went wrong, if anything)."""

    name: str
    source_format: str
    rows: int
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    auto_precision: float = 1.0
    automation: float = 0.0
    value_accuracy: float | None = Field(default=None, description="None when the case has no expected.jsonl")
    rows_accounted: bool = False
    propose_seconds: float = 0.0
    apply_seconds: float = 0.0
    seconds: float = Field(default=0.0, description="Wall time for the whole case: propose, apply and scoring")
    fields: FieldScores | None = None
    values: ValueScores | None = None
    apply_engine: str | None = None
    rows_quarantined: int | None = None
    error: str | None = Field(default=None, description="Why proposing or applying failed")
    llm_requests: int = Field(default=0, description="LLM requests the proposal took (0 offline)")
    llm_tokens: int = Field(default=0, description="LLM tokens (prompt + completion) the proposal took")
    llm_seconds: float = Field(default=0.0, description="Time spent waiting for the LLM")


class SuiteSummary(BaseModel):
    """Averages over the cases of a suite."""

    cases: int
    precision: float
    recall: float
    f1: float
    auto_precision: float
    min_auto_precision: float
    automation: float
    value_accuracy: float | None
    rows_accounted: int = Field(description="Cases in which every source row was accounted for")
    all_rows_accounted: bool
    errors: int
    propose_seconds: float = Field(description="Mean propose time per case")
    seconds: float = Field(description="Total wall time of the suite")
    llm_requests: int = Field(default=0, description="LLM requests over all cases")
    llm_tokens: int = Field(default=0, description="LLM tokens over all cases")
    llm_seconds: float = Field(default=0.0, description="LLM latency over all cases")


class SuiteResult(BaseModel):
    """Per-case and averaged scores of one propose function on one folder of cases."""

    label: str
    cases_dir: str
    cases: list[CaseResult]
    summary: SuiteSummary


def _fail(case: EvalCase, rows: int, stage: str, exc: BaseException, **known: Any) -> CaseResult:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return CaseResult(name=case.name, source_format=case.source_format, rows=rows,
                      error=f"{stage} failed: {type(exc).__name__}: {text[:400]}", **known)


def run_case(case: EvalCase, propose_fn: ProposeFn, *, workdir: Path) -> CaseResult:
    """Propose, apply (include pending) and score one case; never raises for a bad proposal."""
    from tools.engines import apply_mapping  # imported late: the engines are optional for scoring fields
    from tools.mapping import parse_mapping
    from tools.target_schema import load_target_schema

    started = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    rows = count_source_rows(case.source_path)
    t0 = time.perf_counter()
    try:
        proposal = propose_fn(case.source_path, case.schema_path)
    except Exception as exc:  # noqa: BLE001 - a crashing proposer scores zero, the suite goes on
        (workdir / "propose_error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        return _fail(case, rows, "propose", exc, propose_seconds=time.perf_counter() - t0)
    propose_seconds = time.perf_counter() - t0
    (workdir / "proposal.json").write_text(json.dumps(proposal, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    fields = score_fields(proposal, case.truth)
    known: dict[str, Any] = dict(
        precision=fields.precision, recall=fields.recall, f1=fields.f1, auto_precision=fields.auto_precision,
        automation=fields.automation, fields=fields, propose_seconds=propose_seconds, **llm_usage(proposal),
    )
    out, rejects = workdir / "records.jsonl", workdir / "rejects.jsonl"
    t1 = time.perf_counter()
    try:
        doc = parse_mapping(proposal, origin=f"proposal for {case.name}")
        schema = load_target_schema(case.schema_path)
        summary = apply_mapping(doc, case.source_path, schema, out, rejects, include_pending=True)
    except Exception as exc:  # noqa: BLE001
        (workdir / "apply_error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        result = _fail(case, rows, "apply", exc, apply_seconds=time.perf_counter() - t1, **known)
        if case.expected_path is not None:
            result.value_accuracy = 0.0
        result.seconds = time.perf_counter() - started
        return result
    apply_seconds = time.perf_counter() - t1
    values: ValueScores | None = None
    if case.expected_path is not None:
        values = score_values(case.expected_path, out, rejects, rows)
        accounted = values.rows_accounted
    else:
        accounted = rows_accounted(out, rejects, rows)
    return CaseResult(
        name=case.name, source_format=case.source_format, rows=rows, value_accuracy=values.accuracy if values else None,
        rows_accounted=accounted, apply_seconds=apply_seconds, values=values, apply_engine=summary.engine,
        rows_quarantined=summary.rows_quarantined, seconds=time.perf_counter() - started, **known,
    )


def llm_usage(proposal: dict[str, Any]) -> dict[str, Any]:
    """Requests, tokens and latency from the proposal's ``proposed_by.llm`` (zeros without an LLM)."""
    usage = (proposal.get("proposed_by") or {}).get("llm") if isinstance(proposal, dict) else None
    if not isinstance(usage, dict):
        return {}
    return {"llm_requests": int(usage.get("requests") or 0), "llm_tokens": int(usage.get("total_tokens") or 0),
            "llm_seconds": float(usage.get("latency_s") or 0.0)}


def rows_accounted(records_path: Path, rejects_path: Path, source_rows: int) -> bool:
    """Every source row index appears exactly once across the records and the rejects."""
    seen = [line["row"] for path in (records_path, rejects_path) if path.exists() for line in read_jsonl(path)]
    return sorted(seen) == list(range(source_rows))


def summarise(cases: list[CaseResult], seconds: float) -> SuiteSummary:
    """Means over the cases (value accuracy over the cases that have expected records)."""
    def mean(values: list[float]) -> float:
        return statistics.fmean(values) if values else 0.0

    accuracies = [c.value_accuracy for c in cases if c.value_accuracy is not None]
    return SuiteSummary(
        cases=len(cases), precision=mean([c.precision for c in cases]), recall=mean([c.recall for c in cases]),
        f1=mean([c.f1 for c in cases]), auto_precision=mean([c.auto_precision for c in cases]),
        min_auto_precision=min((c.auto_precision for c in cases), default=1.0), automation=mean([c.automation for c in cases]),
        value_accuracy=mean(accuracies) if accuracies else None,
        rows_accounted=sum(1 for c in cases if c.rows_accounted), all_rows_accounted=all(c.rows_accounted for c in cases),
        errors=sum(1 for c in cases if c.error), propose_seconds=mean([c.propose_seconds for c in cases]), seconds=seconds,
        llm_requests=sum(c.llm_requests for c in cases), llm_tokens=sum(c.llm_tokens for c in cases),
        llm_seconds=round(sum(c.llm_seconds for c in cases), 3),
    )


def run_suite(cases_dir: str | Path, propose_fn: ProposeFn, *, label: str = "crosswalk",
              workdir: Path | None = None, only: set[str] | None = None) -> SuiteResult:
    """Run every case folder under ``cases_dir`` (or the named ones) and average the scores."""
    started = time.perf_counter()
    folders = [f for f in find_cases(cases_dir) if not only or f.name in only]
    with tempfile.TemporaryDirectory(prefix="crosswalk-eval-") as scratch:
        base = workdir or Path(scratch)
        results = [run_case(load_case(folder), propose_fn, workdir=base / _slug(label) / folder.name) for folder in folders]
    return SuiteResult(label=label, cases_dir=str(cases_dir), cases=results, summary=summarise(results, time.perf_counter() - started))


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in label.lower()) or "run"


__all__ = ["CaseResult", "ProposeFn", "SuiteResult", "SuiteSummary", "rows_accounted", "run_case", "run_suite", "summarise"]
