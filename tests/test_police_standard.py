"""The bundled canonical police standard: a valid draft 2020-12 schema that means what it says."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tools.standards import bundled_standard_path

SCHEMA: dict[str, Any] = json.loads(bundled_standard_path().read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

GOOD_RECORD: dict[str, Any] = {
    "record_id": "c638901c7eabe986a8c1bc711dc682233e2ba1fb86766fc5713f0d7cc248b4d0",
    "source_reference": "CU/2023/004512",
    "force": "Greater Manchester Police",
    "person": {
        "family_name": "SMITH",
        "given_names": "John Paul",
        "date_of_birth": "1987-03-14",
        "age": 36,
        "age_range": "over 34",
        "sex": "male",
        "officer_defined_ethnicity": "White",
        "ic_code": "IC1",
        "self_defined_ethnicity": "White - English/Welsh/Scottish/Northern Irish/British",
        "pnc_id": "2004/0123456L",
        "cro_number": "123456/08A",
        "nhs_number": "9434765919",
        "ni_number": "AB123456C",
        "phone": "+447700900123",
        "email": "j.smith@example.org",
        "address": {"line1": "12 Acacia Avenue", "town": "Manchester", "postcode": "M1 1AE"},
    },
    "location": {
        "latitude": 53.407704,
        "longitude": -2.162284,
        "easting": 389500,
        "northing": 390200,
        "postcode": "SW1A 1AA",
        "description": "On or near Foster Lane",
        "lsoa_code": "E01000001",
        "lsoa_name": "City of London 001A",
        "msoa_code": "E02000001",
        "ward_code": "E05009288",
        "force_area": "City of London Police",
    },
    "event": {
        "type": "stop_search",
        "occurred_at": "2019-06-01T00:01:00+01:00",
        "reported_at": "2023-01-05T09:15:00Z",
        "month": "2019-06",
        "crime_category": "violent-crime",
        "crime_type": "Violence and sexual offences",
        "offence_code": "92A/1",
        "outcome_category": "Under investigation",
    },
    "stop_search": {
        "type": "person_and_vehicle",
        "legislation": "Misuse of Drugs Act 1971 (section 23)",
        "object_of_search": "Controlled drugs",
        "outcome": "Arrest",
        "outcome_linked_to_object": True,
        "removal_of_more_than_outer_clothing": False,
        "part_of_policing_operation": False,
    },
    "custody": {
        "custody_reference": "CU/2023/004512",
        "arrested_at": "2023-06-01T14:32:00+01:00",
        "arrival_at": "2023-06-01T15:05:00+01:00",
        "arrest_reason": "Possession with intent to supply",
        "arresting_officer_collar_number": "4523",
        "custody_suite": "Longsight",
        "released_at": "2023-06-02T10:00:00+01:00",
        "disposal": "Released under investigation",
    },
    "vehicle": {"vrm": "AB12CDE", "make": "FORD", "model": "FIESTA", "colour": "SILVER"},
    "officer": {"collar_number": "PC1234", "family_name": "JONES", "force_code": "06"},
}


def _errors(record: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(record)]


def _with(path: str, value: Any) -> dict[str, Any]:
    record = copy.deepcopy(GOOD_RECORD)
    *parents, leaf = path.strip("/").split("/")
    node = record
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return record


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_refs_are_local_only() -> None:
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(SCHEMA)
    assert refs and all(ref.startswith("#/$defs/") for ref in refs)
    for ref in refs:
        assert ref.split("/")[-1] in SCHEMA["$defs"]


def test_every_property_has_title_and_description() -> None:
    missing: list[str] = []

    def walk(node: dict[str, Any], where: str) -> None:
        for name, prop in node.get("properties", {}).items():
            target = SCHEMA["$defs"][prop["$ref"].split("/")[-1]] if "$ref" in prop else prop
            title = prop.get("title") or target.get("title")
            description = prop.get("description") or target.get("description")
            if not title or not description:
                missing.append(f"{where}/{name}")
            walk(target, f"{where}/{name}")

    walk(SCHEMA, "")
    assert missing == []


def test_every_section_is_optional() -> None:
    assert "required" not in SCHEMA
    assert VALIDATOR.is_valid({})


def test_full_record_is_valid() -> None:
    assert _errors(GOOD_RECORD) == []


def test_a_sparse_street_crime_record_is_valid() -> None:
    record = {
        "force": "Essex Police",
        "location": {"latitude": 52.042187, "longitude": 0.73808, "lsoa_code": "W01000123"},
        "event": {"type": "anti_social_behaviour", "month": "2018-01", "crime_category": "anti-social-behaviour"},
    }
    assert _errors(record) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/person/sex", "M"),
        ("/person/age_range", "35-44"),
        ("/person/date_of_birth", "14/03/1987"),
        ("/person/date_of_birth", "1987-02-30"),
        ("/person/pnc_id", "2004/0123456"),
        ("/person/nhs_number", "943 476 5919"),
        ("/person/ni_number", "AB 12 34 56 C"),
        ("/person/ni_number", "QQ123456C"),
        ("/person/ni_number", "GB123456A"),
        ("/person/phone", "07700 900123"),
        ("/person/email", "not-an-email"),
        ("/person/ic_code", "IC 3"),
        ("/person/officer_defined_ethnicity", "white"),
        ("/person/address/postcode", "sw1a1aa"),
        ("/person/address/postcode", "SW1A  1AA"),
        ("/location/latitude", 91),
        ("/location/longitude", "-0.1"),
        ("/location/lsoa_code", "E02000001"),
        ("/location/easting", -5),
        ("/event/occurred_at", "2019-06-01 00:01:00"),
        ("/event/occurred_at", "2019-06-01T00:01:00"),
        ("/event/month", "2019-13"),
        ("/event/crime_category", "Violence and sexual offences"),
        ("/event/offence_code", "105"),
        ("/event/type", "crime report"),
        ("/stop_search/type", "Person search"),
        ("/stop_search/outcome_linked_to_object", "True"),
        ("/vehicle/vrm", "AB12 CDE"),
        ("/officer/collar_number", "12 34"),
        ("/person/shoe_size", 9),
        ("/nickname", "x"),
    ],
)
def test_bad_values_are_refused(path: str, value: Any) -> None:
    assert _errors(_with(path, value)), f"{path}={value!r} should be refused"


def test_stop_search_needs_its_type() -> None:
    record = copy.deepcopy(GOOD_RECORD)
    del record["stop_search"]["type"]
    assert any("'type' is a required property" in e for e in _errors(record))


def test_coordinates_come_in_pairs() -> None:
    record = copy.deepcopy(GOOD_RECORD)
    del record["location"]["longitude"]
    assert _errors(record)
    record = copy.deepcopy(GOOD_RECORD)
    del record["location"]["northing"]
    assert _errors(record)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/person/pnc_id", "04/123456L"),
        ("/person/cro_number", "SF95/12345B"),
        ("/person/address/postcode", "GIR 0AA"),
        ("/person/address/postcode", "EC1A 1BB"),
        ("/location/lsoa_code", "W01000100"),
        ("/event/occurred_at", "2019-01-15T08:00:00+00:00"),
        ("/event/offence_code", "8/1"),
        ("/person/sex", "not_applicable"),
        ("/vehicle/vrm", "A123BCD"),
    ],
)
def test_good_variants_are_accepted(path: str, value: Any) -> None:
    assert _errors(_with(path, value)) == []


def test_subject_and_officer_names_are_told_apart_by_their_sections() -> None:
    person = SCHEMA["$defs"]["person"]
    officer = SCHEMA["$defs"]["officer"]
    assert "subject" in person["description"].lower() and "not the officer" in person["description"].lower()
    assert "not the subject" in officer["description"].lower()
    assert person["properties"]["family_name"]["description"] != officer["properties"]["family_name"]["description"]
