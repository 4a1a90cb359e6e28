"""The eval harness around the cases: failures, averaging, reports and the name-only baseline."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from evals.baselines.name_only import normalise
from evals.baselines.name_only import propose as name_only
from evals.case_loader import CaseFormatError, load_case
from evals.harness import CaseResult, SuiteResult, run_case, run_suite, summarise
from evals.report import from_json, render_comparison, render_table, to_json
from tests.test_eval_cases import TINY_PROPOSAL, write_tiny_case


def _needs_apply() -> None:
    try:
        importlib.import_module("tools.engines").apply_mapping
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"tools.engines.apply_mapping is not importable yet ({exc})")


def test_load_case_names_what_is_missing(tmp_path: Path) -> None:
    folder = write_tiny_case(tmp_path / "c")
    (folder / "truth.json").unlink()
    with pytest.raises(CaseFormatError, match="truth.json is missing"):
        load_case(folder)
    (folder / "truth.json").write_text("{}", encoding="utf-8")
    with pytest.raises(CaseFormatError, match="not a valid truth file"):
        load_case(folder)


def test_a_crashing_proposer_scores_zero_and_the_suite_goes_on(tmp_path: Path) -> None:
    case = load_case(write_tiny_case(tmp_path / "tiny"))

    def broken(source: Path, schema: Path) -> dict[str, Any]:
        raise RuntimeError("model not loaded")

    result = run_case(case, broken, workdir=tmp_path / "work")
    assert result.error is not None and "propose failed" in result.error and "model not loaded" in result.error
    assert (result.f1, result.recall, result.rows_accounted) == (0.0, 0.0, False)
    assert (tmp_path / "work" / "propose_error.txt").is_file()


def test_a_proposal_apply_refuses_keeps_its_field_scores(tmp_path: Path) -> None:
    _needs_apply()
    case = load_case(write_tiny_case(tmp_path / "tiny"))
    bad = {"fields": [{"target": "/family_name", "sources": ["NO_SUCH_COLUMN"], "transform": {"op": "text"}, "status": "auto_accepted"}]}
    result = run_case(case, lambda s, t: bad, workdir=tmp_path / "work")
    assert result.error is not None and result.error.startswith("apply failed")
    assert result.precision == 0.0 and result.value_accuracy == 0.0 and not result.rows_accounted


def test_run_suite_averages_over_cases(tmp_path: Path) -> None:
    _needs_apply()
    write_tiny_case(tmp_path / "cases" / "a")
    write_tiny_case(tmp_path / "cases" / "b")

    def propose(source: Path, schema: Path) -> dict[str, Any]:
        doc = json.loads(json.dumps(TINY_PROPOSAL))
        if source.parent.name == "b":  # a perfect proposal for case b
            doc["fields"] = [doc["fields"][0], {"target": "/date_of_birth", "sources": ["DOB"],
                                                "transform": {"op": "parse_date", "format": "%d/%m/%Y"}, "status": "auto_accepted"}]
        return doc

    result = run_suite(tmp_path / "cases", propose, label="fake")
    a, b = result.cases
    assert (a.name, b.name) == ("a", "b")
    assert b.f1 == 1.0 and b.auto_precision == 1.0 and b.automation == 1.0 and b.value_accuracy == 1.0
    s = result.summary
    assert s.cases == 2 and s.errors == 0 and s.all_rows_accounted
    assert s.f1 == pytest.approx((0.8 + 1.0) / 2)
    assert s.auto_precision == pytest.approx(0.75) and s.min_auto_precision == 0.5
    assert s.automation == pytest.approx(0.75)
    assert s.value_accuracy == pytest.approx((4 / 6 + 1.0) / 2)


def test_summary_of_cases_without_expected_records() -> None:
    cases = [CaseResult(name="x", source_format="csv", rows=3, f1=1.0, rows_accounted=True),
             CaseResult(name="y", source_format="json", rows=3, f1=0.5, error="apply failed: boom")]
    s = summarise(cases, 1.5)
    assert s.value_accuracy is None and s.f1 == 0.75 and s.rows_accounted == 1 and not s.all_rows_accounted and s.errors == 1


def _suite() -> SuiteResult:
    cases = [CaseResult(name="custody_x", source_format="csv", rows=10, precision=1, recall=0.5, f1=2 / 3,
                        auto_precision=1, automation=0.5, value_accuracy=0.9, rows_accounted=True, propose_seconds=0.25),
             CaseResult(name="api_y", source_format="json", rows=10, error="propose failed: RuntimeError: boom")]
    return SuiteResult(label="crosswalk offline", cases_dir="evals/cases", cases=cases, summary=summarise(cases, 2.0))


def test_reports_show_every_case_the_means_and_the_errors() -> None:
    suite = _suite()
    for text in (render_table(suite), render_table(suite, plain=True)):
        assert "custody_x" in text and "api_y !" in text and "mean" in text
        assert "0.667" in text and "1/2" in text and "propose failed" in text
    comparison = render_comparison([suite, suite.model_copy(update={"label": "name-only"})])
    assert "crosswalk offline [evals/cases]" in comparison and "name-only" in comparison


def test_json_report_round_trips() -> None:
    suite = _suite()
    report = from_json(to_json([suite]))
    assert report.suites[0] == suite


def test_name_only_baseline_matches_normalised_names_only(tmp_path: Path) -> None:
    assert normalise("Family Name") == normalise("family_name") == normalise("familyName") == "familyname"
    (tmp_path / "s.csv").write_text("Family Name,DOB,Sex\nSmith,01/02/1980,M\n", encoding="utf-8")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {
        "person": {"type": "object", "properties": {"family_name": {"type": "string"}, "date_of_birth": {"type": "string"},
                                                     "sex": {"type": "string"}}}}}
    (tmp_path / "t.json").write_text(json.dumps(schema), encoding="utf-8")
    doc = name_only(tmp_path / "s.csv", tmp_path / "t.json")
    pairs = {(f["target"], tuple(f["sources"]), f["transform"]["op"], f["status"]) for f in doc["fields"]}
    assert pairs == {("/person/family_name", ("Family Name",), "copy", "auto_accepted"),
                     ("/person/sex", ("Sex",), "copy", "auto_accepted")}
    assert doc["unmapped_sources"] == ["DOB"]
