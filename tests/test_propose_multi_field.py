"""Merges and splits: date + time, easting + northing, full names, numbered fields."""

from __future__ import annotations

import random
from pathlib import Path

from tests.propose_data import leaf_schema, run_proposer
from tools.propose import reason_code
from tools.propose.facts import source_facts
from tools.propose.multi_field import stem
from tools.profile import profile_values

DATETIME = {"type": "string", "format": "date-time"}


def fields_by_target(proposal: object) -> dict[str, object]:
    return {f.target: f for f in proposal.document.fields}  # type: ignore[attr-defined]


class TestStem:
    def test_date_and_time_words_are_dropped(self) -> None:
        def of(name: str) -> frozenset[str]:
            return stem(source_facts(profile_values(name, ["x"]), [{name: "x"}]))

        assert of("ARREST DATE") == of("ARREST TIME") == frozenset({"arrest"})
        assert of("Date Received") == of("Time Received")
        assert of("ARREST DATE") != of("RELEASE TIME")


class TestDateTimeMerge:
    def test_date_and_time_sharing_a_stem_fill_one_date_time(self, tmp_path: Path) -> None:
        columns = {"Date Received": ["01/02/2023", "13/04/2023", "05/06/2023"] * 4,
                   "Time Received": ["14:32", "09:05", "23:59"] * 4}
        schema = leaf_schema({"reported_at": {**DATETIME, "title": "Date and time reported"}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        (field,) = proposal.document.fields
        assert field.sources == ["Date Received", "Time Received"]
        assert field.transform.model_dump(exclude_defaults=True) == {"date_format": "%d/%m/%Y", "time_format": "%H:%M"}
        assert [reason_code(r) for r in field.review_reasons] == ["merge"]

    def test_hhmm_digits_as_the_time(self, tmp_path: Path) -> None:
        columns = {"ARREST DATE": ["01/02/2023", "13/04/2023", "05/06/2023"] * 4,
                   "ARREST TIME": ["1432", "0905", "2359"] * 4}
        schema = leaf_schema({"arrest": {"type": "object", "properties": {"arrested_at": DATETIME}}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        (field,) = proposal.document.fields
        assert (field.target, field.sources) == ("/arrest/arrested_at", ["ARREST DATE", "ARREST TIME"])
        assert field.transform.time_format == "%H%M"


class TestBngPair:
    def test_easting_and_northing_become_latitude_and_longitude(self, tmp_path: Path) -> None:
        rng = random.Random(1)
        columns = {"EASTING": [str(rng.randint(380000, 400000)) for _ in range(12)],
                   "NORTHING": [str(rng.randint(390000, 410000)) for _ in range(12)]}
        schema = leaf_schema({"location": {"type": "object", "properties": {"latitude": {"type": "number"},
                                                                            "longitude": {"type": "number"}}}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        fields = fields_by_target(proposal)
        assert set(fields) == {"/location/latitude", "/location/longitude"}
        for output in ("latitude", "longitude"):
            field = fields[f"/location/{output}"]
            assert field.sources == ["EASTING", "NORTHING"]  # type: ignore[attr-defined]
            assert field.transform.model_dump(exclude_defaults=True) == {"output": output}  # type: ignore[attr-defined]
            assert "merge" in [reason_code(r) for r in field.review_reasons]  # type: ignore[attr-defined]

    def test_numbers_off_the_grid_are_not_converted(self, tmp_path: Path) -> None:
        columns = {"EASTING": [str(900000 + i) for i in range(12)], "NORTHING": [str(100 + i) for i in range(12)]}
        schema = leaf_schema({"latitude": {"type": "number"}, "longitude": {"type": "number"}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        assert [f for f in proposal.document.fields if f.transform.op == "bng_to_wgs84"] == []


class TestFullNameSplit:
    def test_surname_first_names_split_into_family_and_given(self, tmp_path: Path) -> None:
        columns = {"OFFENDER NAME": ["SMITH, John", "JONES, Mary Ann", "BROWN, Peter", "TAYLOR, Emma"] * 3}
        schema = leaf_schema({"offender": {"type": "object", "properties": {"family_name": {"type": "string"},
                                                                            "given_names": {"type": "string"}}}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        fields = fields_by_target(proposal)
        assert fields["/offender/family_name"].transform.model_dump(exclude_defaults=True) == {  # type: ignore[attr-defined]
            "order": "surname_first", "part": "family"}
        assert fields["/offender/given_names"].transform.model_dump(exclude_defaults=True) == {  # type: ignore[attr-defined]
            "order": "surname_first", "part": "given"}

    def test_a_column_named_after_a_party_splits_into_that_party(self, tmp_path: Path) -> None:
        columns = {"Victim": ["NGUYEN, Aisha", "NOWAK, David", "KHAN, Sara", "REID, Tom"] * 3}
        party = {"type": "object", "properties": {"surname": {"type": "string"}, "forenames": {"type": "string"}}}
        proposal, _, _ = run_proposer(tmp_path, columns, leaf_schema({"perpetrator": party, "victim": party}))
        assert set(fields_by_target(proposal)) == {"/victim/surname", "/victim/forenames"}

    def test_full_names_never_go_whole_into_a_family_name(self, tmp_path: Path) -> None:
        columns = {"SURNAME": ["John SMITH", "Mary JONES", "Peter BROWN", "Emma TAYLOR"] * 3}
        proposal, _, _ = run_proposer(tmp_path, columns, leaf_schema({"family_name": {"type": "string"}}))
        assert proposal.document.fields == []
        assert "values are full names" in proposal.unmapped_reasons["SURNAME"]


class TestNumberedJoin:
    def test_numbered_columns_join_into_one_text_target(self, tmp_path: Path) -> None:
        columns = {"FNAME1": ["John", "Mary", "Peter"] * 4, "FNAME2": ["Paul", "", "James"] * 4}
        proposal, _, _ = run_proposer(tmp_path, columns, leaf_schema({"forenames": {"type": "string"}}))
        (field,) = proposal.document.fields
        assert field.sources == ["FNAME1", "FNAME2"]
        assert (field.transform.op, field.transform.separator) == ("join", " ")
        assert [reason_code(r) for r in field.review_reasons] == ["merge"]

    def test_numbered_targets_take_their_own_columns(self, tmp_path: Path) -> None:
        columns = {"ADDRESS1": ["1 High St", "2 Low Rd"] * 5, "ADDRESS2": ["Leeds", "York"] * 5}
        schema = leaf_schema({"address1": {"type": "string"}, "address2": {"type": "string"}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        assert {(f.target, tuple(f.sources)) for f in proposal.document.fields} == {
            ("/address1", ("ADDRESS1",)), ("/address2", ("ADDRESS2",))}
