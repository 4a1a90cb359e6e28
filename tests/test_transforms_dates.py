"""parse_date and parse_time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tools.errors import TransformValueError
from tools.transforms import apply_transform, parse_transform


def run(raw: dict[str, Any], *values: Any) -> Any:
    return apply_transform(parse_transform(raw), list(values))


def reason(raw: dict[str, Any], *values: Any) -> str:
    with pytest.raises(TransformValueError) as caught:
        run(raw, *values)
    return caught.value.reason


def date(fmt: str, **extra: Any) -> dict[str, Any]:
    return {"op": "parse_date", "format": fmt, **extra}


class TestParseDate:
    def test_day_first_and_month_first(self) -> None:
        assert run(date("%d/%m/%Y"), "05/04/2023") == "2023-04-05"
        assert run(date("%m/%d/%Y"), "05/04/2023") == "2023-05-04"

    @pytest.mark.parametrize(
        ("fmt", "value", "expected"),
        [
            ("%Y%m%d", "20230405", "2023-04-05"),
            ("%d.%m.%Y", "05.04.2023", "2023-04-05"),
            ("%Y-%m-%d", "2023-04-05", "2023-04-05"),
            ("%d/%m/%Y", " 5/4/2023 ", "2023-04-05"),
            ("%d %B %Y", "5 april 2023", "2023-04-05"),
        ],
    )
    def test_formats(self, fmt: str, value: str, expected: str) -> None:
        assert run(date(fmt), value) == expected

    def test_oracle_month_abbreviations_in_any_case(self) -> None:
        assert run(date("%d-%b-%y"), "05-APR-23") == "2023-04-05"
        assert run(date("%d-%b-%y"), "05-apr-23") == "2023-04-05"
        assert run(date("%d-%b-%Y"), "31-Dec-1999") == "1999-12-31"

    @pytest.mark.parametrize(
        ("pivot", "value", "expected"),
        [
            (69, "01/01/68", "2068-01-01"),
            (69, "01/01/69", "1969-01-01"),
            (24, "01/01/23", "2023-01-01"),
            (24, "01/01/24", "1924-01-01"),
            (24, "01/01/85", "1985-01-01"),
            (0, "01/01/05", "1905-01-01"),
            (100, "01/01/99", "2099-01-01"),
        ],
    )
    def test_two_digit_year_pivot(self, pivot: int, value: str, expected: str) -> None:
        assert run(date("%d/%m/%y", century_pivot=pivot), value) == expected

    def test_pivot_into_1900_refuses_29_february_00(self) -> None:
        assert run(date("%d/%m/%y", century_pivot=50), "29/02/00") == "2000-02-29"
        assert reason(date("%d/%m/%y", century_pivot=0), "29/02/00") == "'29/02/00' is not a valid date for format %d/%m/%y"

    def test_oracle_date_of_birth_with_pivot(self) -> None:
        assert run(date("%d-%b-%y", century_pivot=24), "17-MAR-58") == "1958-03-17"

    @pytest.mark.parametrize("value", ["31/02/2023", "2023-04-05", "05/04/2023x", "05/04/2023 00:00", "13/13/2023", "5 April"])
    def test_refused_with_the_format_named(self, value: str) -> None:
        assert reason(date("%d/%m/%Y"), value) == f"'{value}' is not a valid date for format %d/%m/%Y"

    def test_time_suffix_only_when_allowed_and_midnight(self) -> None:
        spec = date("%d/%m/%Y", allow_time_suffix=True)
        assert run(spec, "05/04/2023 00:00") == "2023-04-05"
        assert run(spec, "05/04/2023 00:00:00") == "2023-04-05"
        assert run(spec, "05/04/2023T00:00:00.000") == "2023-04-05"
        assert reason(spec, "05/04/2023 14:32") == "'05/04/2023 14:32' has a time of day that is not midnight; a date was expected"
        assert reason(spec, "31/02/2023 00:00") == "'31/02/2023 00:00' is not a valid date for format %d/%m/%Y"

    def test_a_format_with_a_time_needs_midnight(self) -> None:
        assert run(date("%Y-%m-%d %H:%M"), "2023-04-05 00:00") == "2023-04-05"
        assert reason(date("%Y-%m-%d %H:%M"), "2023-04-05 09:00").endswith("is not midnight; a date was expected")

    def test_date_objects_from_xlsx(self) -> None:
        assert run(date("%d/%m/%Y"), dt.date(2023, 4, 5)) == "2023-04-05"
        assert run(date("%d/%m/%Y"), dt.datetime(2023, 4, 5)) == "2023-04-05"
        assert reason(date("%d/%m/%Y"), dt.datetime(2023, 4, 5, 9, 30)) == (
            "'2023-04-05T09:30:00' has a time of day that is not midnight; a date was expected"
        )

    def test_numbers_read_as_their_digits(self) -> None:
        assert run(date("%Y%m%d"), 20230405) == "2023-04-05"
        assert run(date("%Y%m%d"), 20230405.0) == "2023-04-05"

    def test_other_kinds_refused(self) -> None:
        assert reason(date("%Y"), True) == "true is a boolean, not a date"
        assert reason(date("%Y"), [2023]) == "[2023] is a list, not a date"

    def test_early_years_keep_four_digits(self) -> None:
        assert run(date("%Y-%m-%d"), "0999-01-02") == "0999-01-02"


class TestParseTime:
    @pytest.mark.parametrize(
        ("fmt", "value", "expected"),
        [
            ("%H:%M", "14:32", "14:32:00"),
            ("%H:%M", "9:05", "09:05:00"),
            ("%H:%M:%S", "14:32:07", "14:32:07"),
            ("%H%M", "1432", "14:32:00"),
            ("%H%M", "0032", "00:32:00"),
            ("%H%M", "932", "09:32:00"),
            ("%H%M", "32", "00:32:00"),
            ("%H%M", "5", "00:05:00"),
            ("%H%M%S", "93000", "09:30:00"),
            ("%I:%M %p", "2:32 PM", "14:32:00"),
            ("%H:%M:%S.%f", "14:32:07.250", "14:32:07.250000"),
        ],
    )
    def test_formats(self, fmt: str, value: str, expected: str) -> None:
        assert run({"op": "parse_time", "format": fmt}, value) == expected

    def test_numbers_from_spreadsheets(self) -> None:
        assert run({"op": "parse_time", "format": "%H%M"}, 1432) == "14:32:00"
        assert run({"op": "parse_time", "format": "%H%M"}, 32) == "00:32:00"

    def test_time_objects(self) -> None:
        assert run({"op": "parse_time", "format": "%H:%M"}, dt.time(14, 32, 5)) == "14:32:05"
        assert run({"op": "parse_time", "format": "%H:%M"}, dt.datetime(1899, 12, 30, 14, 32)) == "14:32:00"
        assert reason({"op": "parse_time", "format": "%H:%M"}, dt.datetime(2023, 4, 5, 14, 32)) == (
            "'2023-04-05T14:32:00' is a date-time, not a time of day"
        )

    @pytest.mark.parametrize("value", ["25:00", "14:60", "14:32:00", "1432", "noon"])
    def test_refused(self, value: str) -> None:
        assert reason({"op": "parse_time", "format": "%H:%M"}, value) == f"'{value}' is not a valid time for format %H:%M"

    def test_compact_format_refuses_too_many_digits(self) -> None:
        assert reason({"op": "parse_time", "format": "%H%M"}, "14320") == "'14320' is not a valid time for format %H%M"
        assert reason({"op": "parse_time", "format": "%H%M"}, "2460") == "'2460' is not a valid time for format %H%M"
