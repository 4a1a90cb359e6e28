"""End to end on a generated custody export: read -> profile -> propose -> validate -> route -> apply."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tools.mapping import MappingDocument, parse_mapping
from tools.profile import profile_source
from tools.propose import Proposal, propose, reason_code, route, validate_proposal
from tools.readers import open_source
from tools.target_schema import load_target_schema
from tools.transforms import apply_transform

EXPECTED_SOURCES = {
    "/custody_number": ["CUST_NO"],
    "/detainee/family_name": ["SNAME"],
    "/detainee/given_name": ["FNAMES"],
    "/detainee/birth_date": ["D.O.B"],
    "/detainee/gender": ["SEX"],
    "/detainee/ic_code": ["ETH_CODE"],
    "/detainee/home_postcode": ["HOME_PCODE"],
    "/detainee/nhs_number": ["NHS_NO"],
    "/arrest/arrested_at": ["ARREST DATE", "ARREST TIME"],
    "/arrest/officer_collar": ["OIC_COLLAR"],
    "/arrest/intoxicated": ["INTOX_YN"],
    "/vehicle/registration": ["VEH_REG"],
}
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Proposal, MappingDocument, list[dict[str, Any]], list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("custody")
    generated = custody_rows()
    schema = load_target_schema(write_schema(folder / "target.schema.json", custody_schema()))
    with open_source(write_csv(folder / "export.csv", generated)) as reader:
        profile = profile_source(reader)
        rows = [row.values for row in reader.rows() if row.error is None]
    proposal = propose(profile, rows, schema)
    doc = route(proposal.document, validate_proposal(proposal.document, rows, schema), proposal.evidence)
    return proposal, doc, rows, generated


def expected_record(raw: dict[str, str]) -> dict[str, Any]:
    """The canonical record, computed from the generated values without the transforms."""
    day, month, year = raw["D.O.B"].split("/")
    compact = raw["HOME_PCODE"].replace(" ", "").upper()
    arrested = dt.datetime.strptime(f"{raw['ARREST DATE']} {raw['ARREST TIME']}", "%d/%m/%Y %H:%M").replace(tzinfo=LONDON)
    return {
        "/custody_number": raw["CUST_NO"],
        "/detainee/family_name": raw["SNAME"],
        "/detainee/given_name": raw["FNAMES"],
        "/detainee/birth_date": f"{year}-{month}-{day}",
        "/detainee/gender": {"M": "male", "F": "female", "U": "unknown"}[raw["SEX"]],
        "/detainee/ic_code": raw["ETH_CODE"],
        "/detainee/home_postcode": f"{compact[:-3]} {compact[-3:]}",
        "/detainee/nhs_number": raw["NHS_NO"].replace(" ", ""),
        "/arrest/arrested_at": arrested.isoformat(),
        "/arrest/officer_collar": raw["OIC_COLLAR"],
        "/arrest/intoxicated": raw["INTOX_YN"] == "Y",
        "/vehicle/registration": raw["VEH_REG"].replace(" ", ""),
    }


def test_every_field_finds_its_sources(run: tuple[Proposal, MappingDocument, Any, Any]) -> None:
    _, doc, _, _ = run
    assert {f.target: f.sources for f in doc.fields} == EXPECTED_SOURCES


def test_noise_is_left_unmapped_with_reasons(run: tuple[Proposal, MappingDocument, Any, Any]) -> None:
    _, doc, _, _ = run
    assert doc.unmapped_sources == ["ROWVER", "LAST_UPDATED_BY", "EXTRACT_DT"]
    assert all(doc.unmapped_reasons[s].startswith("audit/system column") for s in doc.unmapped_sources)


def test_nothing_wrong_is_auto_accepted_and_merges_wait_for_review(run: tuple[Proposal, MappingDocument, Any, Any]) -> None:
    _, doc, _, _ = run
    auto = {f.target: f.sources for f in doc.fields if f.status == "auto_accepted"}
    assert all(EXPECTED_SOURCES[target] == sources for target, sources in auto.items())
    assert len(auto) >= 7
    merged = next(f for f in doc.fields if f.target == "/arrest/arrested_at")
    assert merged.status == "needs_review" and "merge" in [reason_code(r) for r in merged.review_reasons]
    assert all(f.review_reasons for f in doc.fields if f.status == "needs_review")
    assert all(0.0 <= f.confidence <= 1.0 for f in doc.fields)


def test_applying_the_proposal_reproduces_the_expected_values(run: tuple[Proposal, MappingDocument, Any, Any]) -> None:
    _, doc, rows, generated = run
    for row, raw in zip(rows, generated, strict=True):
        produced = {f.target: apply_transform(f.transform, [row[s] for s in f.sources]) for f in doc.fields}
        assert produced == expected_record(raw)


def test_the_document_is_a_valid_mapping_with_its_evidence(run: tuple[Proposal, MappingDocument, Any, Any]) -> None:
    proposal, doc, _, _ = run
    again = parse_mapping(json.loads(json.dumps(doc.model_dump(mode="json"))))
    assert [f.target for f in again.fields] == [f.target for f in doc.fields]
    assert set(proposal.evidence) == set(EXPECTED_SOURCES)
    postcode = proposal.evidence["/detainee/home_postcode"]
    assert postcode.constraint_rate == 1.0 and postcode.kind == "postcode"
    assert postcode.transform_reason.startswith("postcode normalised")
    assert all(f.rationale for f in doc.fields)
