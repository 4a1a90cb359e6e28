"""Confidence, status and review reasons; noise fields; calibration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.propose_data import leaf_schema, run_proposer
from tools.mapping import FieldMapping, MappingDocument
from tools.propose import (FieldEvidence, FieldValidation, ProposeSettings, calibrate, fit_calibration, reason_code, route,
                           validate_proposal)
from tools.transforms import Text

IDENTITY = ((0.0, 0.0), (1.0, 1.0))


def field(target: str = "/x", status: str = "needs_review") -> FieldMapping:
    return FieldMapping(target=target, sources=["X"], transform=Text(), status=status)  # type: ignore[arg-type]


def evidence(score: float = 0.95, reasons: list[str] | None = None) -> FieldEvidence:
    return FieldEvidence(target="/x", sources=["X"], name_score=score, match_score=score, review_reasons=reasons or [])


def validation(passed: int = 100, checked: int = 100) -> FieldValidation:
    return FieldValidation(target="/x", rows_checked=checked, rows_passed=passed, transform_failures=checked - passed,
                           schema_failures=0, pass_rate=passed / checked if checked else 0.0)


def routed(f: FieldMapping, v: FieldValidation | None, e: FieldEvidence | None, **settings: Any) -> FieldMapping:
    doc = MappingDocument(fields=[f])
    (out,) = route(doc, {"/x": v} if v else {}, {"/x": e} if e else {}, ProposeSettings(calibration=IDENTITY, **settings)).fields
    return out


def codes(f: FieldMapping) -> list[str]:
    return [reason_code(r) for r in f.review_reasons]


class TestRoute:
    def test_confident_and_validated_is_auto_accepted(self) -> None:
        out = routed(field(), validation(), evidence(0.95))
        assert (out.status, out.confidence, out.review_reasons) == ("auto_accepted", 0.95, [])

    def test_confidence_is_calibrated_score_times_pass_rate(self) -> None:
        out = routed(field(), validation(99, 100), evidence(0.95))
        assert out.confidence == pytest.approx(0.95 * 0.99)
        assert out.status == "auto_accepted"

    def test_low_confidence_goes_to_review(self) -> None:
        out = routed(field(), validation(), evidence(0.85))
        assert out.status == "needs_review"
        assert out.review_reasons == ["low_confidence: confidence 0.85 below 0.90 (match 0.85 x validation 1.00)"]

    def test_a_pass_rate_below_the_minimum_goes_to_review(self) -> None:
        out = routed(field(), validation(97, 100), evidence(1.0), auto_accept_threshold=0.5)
        assert codes(out) == ["validation_failures"]
        assert out.review_reasons[0].startswith("validation_failures: 97.0% of 100 sampled rows pass (needs 98%)")

    def test_nothing_to_validate_goes_to_review(self) -> None:
        out = routed(field(), validation(0, 0), evidence(1.0))
        assert codes(out) == ["no_sample_values", "low_confidence"]
        assert out.confidence == 0.5

    @pytest.mark.parametrize("code", ["merge", "day_month_undecidable", "unplaced_values", "low_name_evidence",
                                      "conflicting_candidates", "name_order_undecidable", "date_only", "heuristic_value_map"])
    def test_always_review_reasons_win_over_confidence(self, code: str) -> None:
        out = routed(field(), validation(), evidence(1.0, [f"{code}: detail"]))
        assert (out.status, out.confidence, codes(out)) == ("needs_review", 1.0, [code])

    def test_no_evidence_is_never_auto_accepted(self) -> None:
        assert routed(field(), validation(), None).status == "needs_review"

    def test_decisions_of_people_are_kept(self) -> None:
        for status in ("approved", "rejected"):
            out = routed(field(status=status), validation(10, 100), evidence(0.1))
            assert out.status == status and out.review_reasons == []


class TestCalibration:
    def test_interpolates_and_clamps(self) -> None:
        points = ((0.0, 0.0), (0.5, 0.2), (1.0, 0.9))
        assert calibrate(0.25, points) == 0.1
        assert calibrate(0.75, points) == 0.55
        assert calibrate(1.2, points) == 0.9

    def test_isotonic_fit_is_monotone_and_capped(self) -> None:
        samples = [(0.3, False)] * 5 + [(0.5, True), (0.5, False)] * 3 + [(0.9, True)] * 6
        points = fit_calibration(samples, min_bin=5)
        assert points == ((0.0, 0.0), (0.3, 0.0), (0.5, 0.5), (0.9, 0.99), (1.0, 0.99))
        ys = [y for _, y in points]
        assert ys == sorted(ys)


class TestProposedReasons:
    def test_low_name_evidence(self, tmp_path: Path) -> None:
        proposal, _, _ = run_proposer(tmp_path, {"COL7": ["sw1a1aa", "m1 1ae", "B33 8TH", "cr2 6xh"] * 3},
                                      leaf_schema({"postcode": {"type": "string", "pattern": "^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"}}))
        (f,) = proposal.document.fields
        assert codes(f) == ["low_name_evidence"]

    def test_conflicting_candidates(self, tmp_path: Path) -> None:
        text = {"type": "string"}
        schema = leaf_schema({"event": {"type": "object", "properties": {"outcome": text}},
                              "search": {"type": "object", "properties": {"outcome": text}}})
        proposal, _, _ = run_proposer(tmp_path, {"Outcome": ["Arrest", "NFA", "Caution"] * 4}, schema)
        (f,) = proposal.document.fields
        assert codes(f) == ["conflicting_candidates"]
        assert "Outcome -> /search/outcome" in f.review_reasons[0]

    def test_required_target_left_empty_is_a_document_review_item(self, tmp_path: Path) -> None:
        person = {"type": "object", "properties": {"family_name": {"type": "string"}, "given_name": {"type": "string"}},
                  "required": ["family_name", "given_name"]}
        proposal, _, _ = run_proposer(tmp_path, {"SURNAME": ["SMITH", "JONES", "BROWN"] * 4}, leaf_schema({"person": person}))
        items = [i.model_dump() for i in proposal.review_items]
        assert items == [{"target": "/person/given_name", "code": "required_target_empty",
                          "reason": "required_target_empty: /person/given_name is required but no source field fills it"}]
        assert proposal.document.model_dump()["review_items"] == items

    def test_a_required_field_of_an_absent_optional_object_is_no_item(self, tmp_path: Path) -> None:
        vehicle = {"type": "object", "properties": {"vrm": {"type": "string"}}, "required": ["vrm"]}
        schema = leaf_schema({"surname": {"type": "string"}, "vehicle": vehicle})
        proposal, _, _ = run_proposer(tmp_path, {"SURNAME": ["SMITH", "JONES", "BROWN"] * 4}, schema)
        assert proposal.review_items == []

    def test_validation_reports_masked_failures(self, tmp_path: Path) -> None:
        columns = {"DOB": ["01/02/1980", "25/06/1990", "07/08/1966"] * 10 + ["31/02/1990", "unknown date"]}
        proposal, rows, schema = run_proposer(tmp_path, columns, leaf_schema({"date_of_birth": {"type": "string", "format": "date"}}))
        (v,) = validate_proposal(proposal.document, rows, schema).values()
        assert (v.rows_checked, v.rows_passed, v.transform_failures, v.schema_failures) == (32, 30, 2, 0)
        assert [x.shape for x in v.failures] == ["99/99/9999", "aaaaaaa aaaa"]
        assert all("31/02/1990" not in x.reason and "unknown date" not in x.reason for x in v.failures)


class TestNoise:
    def test_audit_columns_constants_and_surrogate_keys_stay_unmapped(self, tmp_path: Path) -> None:
        n = 12
        columns = {"SURNAME": ["SMITH", "JONES", "BROWN"] * 4, "ROWVER": [str(i) for i in range(n)],
                   "LAST_UPDATED_BY": ["jb", "as"] * 6, "EXTRACT_DT": ["01/02/2024"] * n,
                   "REC_KEY": [str(1000 + i) for i in range(n)], "SOURCE_SYSTEM": ["NICHE"] * n}
        proposal, _, _ = run_proposer(tmp_path, columns, leaf_schema({"family_name": {"type": "string"}}))
        assert [f.sources for f in proposal.document.fields] == [["SURNAME"]]
        assert proposal.unmapped_reasons == {
            "ROWVER": "audit/system column (version); no target field names it",
            "LAST_UPDATED_BY": "audit/system column (modified); no target field names it",
            "EXTRACT_DT": "audit/system column (extracted); no target field names it",
            "REC_KEY": "an internal surrogate key (unique in every row) and no target field names it",
            "SOURCE_SYSTEM": "audit/system column (system); no target field names it",
        }

    def test_an_audit_column_a_target_names_is_mapped(self, tmp_path: Path) -> None:
        schema = leaf_schema({"last_updated_by": {"type": "string", "title": "Last updated by"}})
        proposal, _, _ = run_proposer(tmp_path, {"LAST_UPDATED_BY": ["jb", "as"] * 6}, schema)
        assert [f.target for f in proposal.document.fields] == ["/last_updated_by"]
