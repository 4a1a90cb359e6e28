"""The transform the proposer picks from the evidence: dates and their order, normalisers, flags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.propose_data import leaf_schema, run_proposer
from tools.propose import ProposeSettings, reason_code

DATE = {"type": "string", "format": "date", "title": "Date of birth"}
DATETIME = {"type": "string", "format": "date-time"}
POSTCODE = {"type": "string", "pattern": "^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"}


def only_field(tmp_path: Path, columns: dict[str, list[str]], properties: dict[str, Any], **kwargs: Any) -> Any:
    proposal, _, _ = run_proposer(tmp_path, columns, leaf_schema(properties), **kwargs)
    (field,) = proposal.document.fields
    return field


def spec(field: Any) -> dict[str, Any]:
    return field.transform.model_dump(exclude_defaults=True) | {"op": field.transform.op}


class TestDayMonthOrder:
    def test_a_first_part_above_12_settles_day_first(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"DOB": ["01/02/1980", "25/06/1990", "07/08/1966"] * 4}, {"date_of_birth": DATE})
        assert spec(field) == {"op": "parse_date", "format": "%d/%m/%Y"}
        assert field.review_reasons == []

    def test_a_second_part_above_12_settles_month_first(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"DOB": ["01/02/1980", "06/25/1990", "07/08/1966"] * 4}, {"date_of_birth": DATE})
        assert spec(field) == {"op": "parse_date", "format": "%m/%d/%Y"}
        assert field.review_reasons == []

    def test_undecidable_order_proposes_day_first_for_review(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"DOB": ["01/02/1980", "03/04/1975", "07/08/1966"] * 4}, {"date_of_birth": DATE})
        assert spec(field) == {"op": "parse_date", "format": "%d/%m/%Y"}
        assert field.review_reasons == [
            "day_month_undecidable: no value of 12 has a part above 12; read day-first (UK default) with '%d/%m/%Y'"]

    def test_a_column_settling_both_ways_is_undecidable(self, tmp_path: Path) -> None:
        values = ["25/02/1980", "07/08/1966", "03/04/1990"] * 4 + ["02/25/1975"]
        field = only_field(tmp_path, {"DOB": values}, {"date_of_birth": DATE})
        assert spec(field) == {"op": "parse_date", "format": "%d/%m/%Y"}
        assert [reason_code(r) for r in field.review_reasons] == ["day_month_undecidable"]
        assert "values settle it both ways (4 day-first, 1 month-first)" in field.review_reasons[0]


class TestTwoDigitYears:
    def test_birth_dates_pivot_at_next_year(self, tmp_path: Path) -> None:
        settings = ProposeSettings(reference_date=dt.date(2024, 5, 1))
        field = only_field(tmp_path, {"DOB": ["01-FEB-58", "25-JUN-01", "07-AUG-66"] * 4}, {"date_of_birth": DATE},
                           settings=settings)
        assert spec(field) == {"op": "parse_date", "format": "%d-%b-%y", "century_pivot": 25}

    def test_other_dates_keep_the_default_pivot(self, tmp_path: Path) -> None:
        settings = ProposeSettings(reference_date=dt.date(2024, 5, 1))
        target = {"type": "string", "format": "date", "title": "Date of offence"}
        field = only_field(tmp_path, {"OFFENCE DATE": ["01-FEB-23", "25-JUN-21", "07-AUG-22"] * 4}, {"offence_date": target},
                           settings=settings)
        assert spec(field) == {"op": "parse_date", "format": "%d-%b-%y"}


class TestDateTimes:
    def test_offsets_are_kept_with_z(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"CREATED": ["2023-06-01T14:32:00+01:00", "2023-01-01T09:00:00+00:00"] * 5},
                           {"created_at": DATETIME})
        assert spec(field) == {"op": "parse_datetime", "format": "%Y-%m-%dT%H:%M:%S%z"}

    def test_naive_local_times_get_the_time_zone(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"CREATED": ["13/06/2023 14:32", "01/01/2023 09:00"] * 5}, {"created_at": DATETIME},
                           timezone="Europe/Dublin")
        assert spec(field) == {"op": "parse_datetime", "format": "%d/%m/%Y %H:%M", "timezone": "Europe/Dublin"}

    def test_epoch_milliseconds(self, tmp_path: Path) -> None:
        stamps = [str(1679490882000 + i * 3_600_000) for i in range(10)]
        field = only_field(tmp_path, {"CREATED_MS": stamps}, {"created_at": DATETIME})
        assert spec(field) == {"op": "epoch_to_datetime", "unit": "ms"}

    def test_a_date_alone_into_a_date_time_is_midnight_for_review(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"CREATED": ["13/06/2023", "01/01/2023"] * 5}, {"created_at": DATETIME})
        assert spec(field) == {"op": "parse_datetime", "format": "%d/%m/%Y"}
        assert [reason_code(r) for r in field.review_reasons] == ["date_only"]

    def test_free_text_never_becomes_a_date(self, tmp_path: Path) -> None:
        proposal, _, _ = run_proposer(tmp_path, {"DATE NOTES": ["seen near the park", "called back later"] * 5},
                                      leaf_schema({"date": DATE}))
        assert proposal.document.fields == []
        assert "no date format reads the values" in proposal.unmapped_reasons["DATE NOTES"]


class TestNormalisers:
    def test_postcodes_are_normalised_for_the_pattern(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"PCODE": ["sw1a1aa", "m1 1ae", "B33  8TH", "cr2 6xh"] * 3}, {"postcode": POSTCODE})
        assert spec(field) == {"op": "postcode"}
        assert field.review_reasons == []

    def test_nhs_numbers_lose_their_spaces(self, tmp_path: Path) -> None:
        values = ["943 476 5919", "401 023 2137", "943-476-5919", "4010232137"] * 3
        field = only_field(tmp_path, {"NHS": values}, {"nhs_number": {"type": "string", "pattern": "^[0-9]{10}$"}})
        assert spec(field) == {"op": "nhs_number"}

    def test_upper_case_text_when_the_pattern_wants_it(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"IC CODE": ["ic1", "ic3", "IC4", "ic6"] * 3}, {"ic_code": {"type": "string", "pattern": "^IC[0-9]$"}})
        assert spec(field) == {"op": "text", "case": "upper"}

    def test_yes_no_flags_become_booleans(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"INTOXICATED": ["Y", "N", "y", "N"] * 3}, {"intoxicated": {"type": "boolean"}})
        assert spec(field) == {"op": "to_boolean", "true_values": ("y",), "false_values": ("n",)}

    def test_numbers_with_a_decimal_comma(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"LATITUDE": ["6,25722", "6,21011", "6,30001"] * 3}, {"latitude": {"type": "number"}})
        assert spec(field) == {"op": "to_number", "decimal_comma": True}

    def test_whole_numbers_with_placeholders(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"AGE": ["34", "N/A", "19", "52"] * 3}, {"age": {"type": "integer", "minimum": 0}})
        assert spec(field) == {"op": "to_integer", "null_values": ("N/A",)}

    def test_plain_text_targets_get_trimmed_text(self, tmp_path: Path) -> None:
        field = only_field(tmp_path, {"STATION": [" Leeds  Central", "Bradford"] * 4}, {"station": {"type": "string"}})
        assert spec(field) == {"op": "text"}
