"""Hand-written mappings of real data.police.uk samples onto the bundled police standard.

The samples live outside the repository, in ``../shared/realdata`` (see each folder's
PROVENANCE.md). Each mapping in ``evals/realdata_mappings`` is applied with both engines
and the results are checked against counts and values read independently with ``csv``.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tools.mapping import load_mapping
from tools.standards import bundled_standard_path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"
MAPPINGS = REPO / "evals" / "realdata_mappings"

CASES = {
    "uk_stop_search_gmp": "2019-06-greater-manchester-stop-and-search.head300.csv",
    "uk_street_city_of_london": "2026-02-city-of-london-street.head30.csv",
    "uk_street_essex_snakecase": "2018-01-essex-street.head300.csv",
    "uk_outcomes_city_of_london": "2026-02-city-of-london-outcomes.head30.csv",
}
ENGINES = ["python", "duckdb"]

pytestmark = pytest.mark.skipif(
    not REALDATA.is_dir(),
    reason=f"the shared real-data samples are not present at {REALDATA} (they live beside the repository, not in it)",
)

SCHEMA_JSON = json.loads(bundled_standard_path().read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA_JSON, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _source(case: str) -> Path:
    path = REALDATA / case / CASES[case]
    if not path.is_file():
        pytest.skip(f"real-data sample {path} is missing")
    return path


def _csv_rows(case: str) -> tuple[list[str], list[dict[str, str]]]:
    with _source(case).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _get(record: dict[str, Any], pointer: str) -> Any:
    node: Any = record
    for part in pointer.strip("/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


class Applied:
    def __init__(self, summary: Any, records: list[dict[str, Any]], rejects: list[dict[str, Any]]) -> None:
        self.summary = summary
        self.lines = records
        self.rejects = rejects
        self.by_row = {line["row"]: line["record"] for line in records}


_CACHE: dict[tuple[str, str], Applied] = {}


@pytest.fixture
def apply_case(tmp_path_factory: pytest.TempPathFactory):
    def run(case: str, engine: str) -> Applied:
        key = (case, engine)
        if key not in _CACHE:
            from tools.engines import apply_mapping
            from tools.target_schema import load_target_schema

            out_dir = tmp_path_factory.mktemp(f"{case}-{engine}")
            out, rejects = out_dir / "records.jsonl", out_dir / "rejects.jsonl"
            doc = load_mapping(MAPPINGS / f"{case}.mapping.json")
            summary = apply_mapping(doc, _source(case), load_target_schema(bundled_standard_path()), out, rejects, engine=engine)
            _CACHE[key] = Applied(summary, _read_jsonl(out), _read_jsonl(rejects))
        return _CACHE[key]

    return run


# --------------------------------------------------------------------------- the documents


@pytest.mark.parametrize("case", sorted(CASES))
def test_mapping_accounts_for_every_source_field(case: str) -> None:
    doc = load_mapping(MAPPINGS / f"{case}.mapping.json")
    header, _ = _csv_rows(case)
    mapped = {source for field in doc.fields for source in field.sources}
    assert mapped | set(doc.unmapped_sources) == set(header)
    assert not mapped & set(doc.unmapped_sources)
    assert set(doc.unmapped_reasons) == set(doc.unmapped_sources)
    assert all(reason.strip() for reason in doc.unmapped_reasons.values())
    for field in doc.fields:
        assert field.status == "approved" and field.confidence == 1.0 and field.rationale.strip()
        assert _get_schema_leaf(field.target) is not None, f"{field.target} is not a leaf of the standard"
    assert doc.source is not None and doc.source.fields == header


def _get_schema_leaf(pointer: str) -> dict[str, Any] | None:
    node: dict[str, Any] = SCHEMA_JSON
    for part in pointer.strip("/").split("/"):
        if "$ref" in node:
            node = SCHEMA_JSON["$defs"][node["$ref"].split("/")[-1]]
        props = node.get("properties", {})
        if part not in props:
            return None
        node = props[part]
    if "$ref" in node:
        node = SCHEMA_JSON["$defs"][node["$ref"].split("/")[-1]]
    return None if node.get("type") == "object" else node


# --------------------------------------------------------------------------- applied, any case


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_row_is_read_and_valid(apply_case, case: str, engine: str) -> None:
    _, rows = _csv_rows(case)
    applied = apply_case(case, engine)
    assert applied.summary.engine == engine, applied.summary.engine_reason
    assert applied.summary.rows_read == len(rows)
    assert applied.summary.rows_quarantined == 0, applied.rejects[:3]
    assert applied.rejects == []
    assert [line["row"] for line in applied.lines] == list(range(len(rows)))
    for line in applied.lines:
        errors = [e.message for e in VALIDATOR.iter_errors(line["record"])]
        assert errors == [], (line["row"], errors)


@pytest.mark.parametrize("case", sorted(CASES))
def test_engines_agree(apply_case, case: str) -> None:
    python, duckdb = (apply_case(case, engine) for engine in ENGINES)
    assert len(python.lines) == len(duckdb.lines)
    for row, record in python.by_row.items():
        assert _normalised(duckdb.by_row[row]) == _normalised(record), row


def _normalised(record: Any) -> Any:
    """Date-times compared as instants, numbers within 1e-9 (engines may format them differently)."""
    if isinstance(record, dict):
        return {k: _normalised(v) for k, v in record.items()}
    if isinstance(record, bool):
        return record
    if isinstance(record, (int, float)):
        return round(float(record), 9)
    if isinstance(record, str) and len(record) >= 20 and record[4] == "-" and record[10] == "T":
        try:
            return datetime.fromisoformat(record).timestamp()
        except ValueError:
            return record
    return record


# --------------------------------------------------------------------------- stop and search


@pytest.mark.parametrize("engine", ENGINES)
def test_stop_search_values(apply_case, engine: str) -> None:
    _, rows = _csv_rows("uk_stop_search_gmp")
    applied = apply_case("uk_stop_search_gmp", engine)
    first = applied.by_row[0]
    # 2019-05-31T23:01:00+00:00 is one minute past midnight on 1 June, BST.
    assert first["event"]["occurred_at"] == "2019-06-01T00:01:00+01:00"
    assert first["person"] == {
        "sex": "female",
        "age_range": "10-17",
        "self_defined_ethnicity": "Mixed/Multiple ethnic groups - White and Black Caribbean",
        "officer_defined_ethnicity": "Black",
    }
    assert first["stop_search"] == {
        "type": "person",
        "part_of_policing_operation": False,
        "legislation": "Police and Criminal Evidence Act 1984 (section 1)",
        "object_of_search": "Offensive weapons",
        "outcome": "A no further action disposal",
        "removal_of_more_than_outer_clothing": False,
    }
    assert first["location"]["latitude"] == pytest.approx(53.407704)
    assert first["location"]["longitude"] == pytest.approx(-2.162284)

    fourth = applied.by_row[3]
    assert fourth["stop_search"]["type"] == "person_and_vehicle"
    assert fourth["stop_search"]["outcome_linked_to_object"] is True
    assert fourth["stop_search"]["outcome"] == "Khat or Cannabis warning"

    for index, row in enumerate(rows):
        record = applied.by_row[index]
        want = datetime.fromisoformat(row["Date"])
        got = record["event"]["occurred_at"]
        assert datetime.fromisoformat(got) == want
        assert got.endswith("+01:00"), got  # every search in the sample falls in British Summer Time
        assert _get(record, "/person/sex") == {"Male": "male", "Female": "female", "": None}[row["Gender"]]
        assert _get(record, "/person/age_range") == (row["Age range"] or None)
        assert ("location" in record) == bool(row["Latitude"])
        assert _get(record, "/stop_search/policing_operation") is None
        linked = {"True": True, "False": False, "": None}[row["Outcome linked to object of search"]]
        assert _get(record, "/stop_search/outcome_linked_to_object") is linked

    types = Counter(record["stop_search"]["type"] for record in applied.by_row.values())
    assert types == {"person": 255, "person_and_vehicle": 35, "vehicle": 10}
    removed = sum(record["stop_search"]["removal_of_more_than_outer_clothing"] for record in applied.by_row.values())
    assert removed == sum(row["Removal of more than just outer clothing"] == "True" for row in rows)


@pytest.mark.parametrize("engine", ENGINES)
def test_unlisted_gender_is_quarantined_not_guessed(tmp_path: Path, engine: str) -> None:
    """police.uk's rare Gender 'Other' has no honest code in person.sex: the row goes to quarantine."""
    from tools.engines import apply_mapping
    from tools.target_schema import load_target_schema

    header, rows = _csv_rows("uk_stop_search_gmp")
    rows = rows[:5]
    rows[2]["Gender"] = "Other"
    source = tmp_path / "stop_search.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    doc = load_mapping(MAPPINGS / "uk_stop_search_gmp.mapping.json")
    doc = doc.model_copy(update={"source": None})  # a different file: let the reader sniff it
    out, rejects = tmp_path / "records.jsonl", tmp_path / "rejects.jsonl"
    summary = apply_mapping(doc, source, load_target_schema(bundled_standard_path()), out, rejects, engine=engine)
    assert (summary.rows_read, summary.rows_valid, summary.rows_quarantined) == (5, 4, 1)
    [reject] = _read_jsonl(rejects)
    assert reject["row"] == 2
    [error] = reject["errors"]
    assert (error["field"], error["stage"], error["value"]) == ("/person/sex", "transform", "Other")
    assert "not in the value map" in error["reason"]
    assert [line["row"] for line in _read_jsonl(out)] == [0, 1, 3, 4]


# --------------------------------------------------------------------------- street-level crime

STREET = {
    "uk_street_city_of_london": {"id": "Crime ID", "type": "Crime type", "lat": "Latitude", "outcome": "Last outcome category"},
    "uk_street_essex_snakecase": {"id": "crime_id", "type": "crime_type", "lat": "latitude", "outcome": "last_outcome_category"},
}


@pytest.mark.parametrize("engine", ENGINES)
def test_city_of_london_street_values(apply_case, engine: str) -> None:
    applied = apply_case("uk_street_city_of_london", engine)
    assert applied.by_row[0] == {
        "record_id": "c638901c7eabe986a8c1bc711dc682233e2ba1fb86766fc5713f0d7cc248b4d0",
        "force": "City of London Police",
        "event": {
            "month": "2026-02",
            "crime_type": "Robbery",
            "crime_category": "robbery",
            "type": "crime",
            "outcome_category": "Under investigation",
        },
        "location": {
            "force_area": "City of London Police",
            "longitude": pytest.approx(-0.196207),
            "latitude": pytest.approx(51.554683),
            "description": "On or near Rose Joan Mews",
            "lsoa_code": "E01000877",
            "lsoa_name": "Camden 005E",
        },
    }
    asb = applied.by_row[5]  # an anti-social behaviour row: no Crime ID, no outcome
    assert "record_id" not in asb
    assert asb["event"] == {"month": "2026-02", "crime_type": "Anti-social behaviour", "crime_category": "anti-social-behaviour", "type": "anti_social_behaviour"}
    assert applied.by_row[4]["location"]["description"] == "On or near King'S Cross Bridge"


@pytest.mark.parametrize("engine", ENGINES)
def test_essex_street_values(apply_case, engine: str) -> None:
    applied = apply_case("uk_street_essex_snakecase", engine)
    first = applied.by_row[0]
    assert first["record_id"] == "69d0eef75999f75fcd194a1a035c102da2dcc4bfc6b19a06090e413b6073d3ec"
    assert first["event"]["crime_category"] == "violent-crime"
    assert first["event"]["crime_type"] == "Violence and sexual offences"
    assert first["event"]["outcome_category"] == "Status update unavailable"
    assert first["location"]["longitude"] == pytest.approx(0.73808)
    assert first["location"]["lsoa_name"] == "Babergh 007B"
    assert applied.by_row[2]["event"]["type"] == "anti_social_behaviour"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(STREET))
def test_street_columns_agree_with_csv(apply_case, case: str, engine: str) -> None:
    cols = STREET[case]
    _, rows = _csv_rows(case)
    applied = apply_case(case, engine)
    for index, row in enumerate(rows):
        record = applied.by_row[index]
        assert _get(record, "/record_id") == (row[cols["id"]] or None)
        assert _get(record, "/event/crime_type") == row[cols["type"]]
        assert (_get(record, "/event/type") == "anti_social_behaviour") == (row[cols["type"]] == "Anti-social behaviour")
        assert _get(record, "/event/outcome_category") == (row[cols["outcome"]] or None)
        assert _get(record, "/location/latitude") == pytest.approx(float(row[cols["lat"]]))
        assert _get(record, "/event/description") is None  # Context is empty throughout
    slugs = Counter(record["event"]["crime_category"] for record in applied.by_row.values())
    assert sum(slugs.values()) == len(rows)
    assert slugs["anti-social-behaviour"] == sum(row[cols["type"]] == "Anti-social behaviour" for row in rows)
    assert slugs["violent-crime"] == sum(row[cols["type"]] == "Violence and sexual offences" for row in rows)


# --------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize("engine", ENGINES)
def test_outcomes_values(apply_case, engine: str) -> None:
    _, rows = _csv_rows("uk_outcomes_city_of_london")
    applied = apply_case("uk_outcomes_city_of_london", engine)
    assert applied.by_row[0]["event"] == {"month": "2026-02", "outcome_category": "Further investigation is not in the public interest"}
    no_location = applied.by_row[1]
    assert no_location["location"] == {"force_area": "City of London Police"}  # 'No location' is a placeholder
    assert no_location["event"]["outcome_category"] == "Suspect charged"
    for index, row in enumerate(rows):
        location = applied.by_row[index]["location"]
        assert ("latitude" in location) == bool(row["Latitude"])
        assert location.get("description") == (None if row["Location"] == "No location" else row["Location"])
