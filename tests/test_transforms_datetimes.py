"""parse_datetime and combine_date_time, above all around the UK clock changes.

In 2023 the clocks went forward at 01:00 GMT on Sunday 26 March (01:00-01:59 local never
happened) and back at 02:00 BST on Sunday 29 October (01:00-01:59 local happened twice).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from tools.errors import TransformValueError
from tools.transforms import ParseDateTime, apply_transform, parse_transform


def run(raw: dict[str, Any], *values: Any) -> Any:
    return apply_transform(parse_transform(raw), list(values))


def reason(raw: dict[str, Any], *values: Any) -> str:
    with pytest.raises(TransformValueError) as caught:
        run(raw, *values)
    return caught.value.reason


def parse(fmt: str = "%d/%m/%Y %H:%M", **extra: Any) -> dict[str, Any]:
    return {"op": "parse_datetime", "format": fmt, **extra}


class TestParseDateTime:
    def test_summer_and_winter_offsets(self) -> None:
        assert run(parse(), "01/06/2023 14:32") == "2023-06-01T14:32:00+01:00"
        assert run(parse(), "01/12/2023 14:32") == "2023-12-01T14:32:00+00:00"

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("26/03/2023 00:59", "2023-03-26T00:59:00+00:00"),
            ("26/03/2023 02:00", "2023-03-26T02:00:00+01:00"),
            ("29/10/2023 00:59", "2023-10-29T00:59:00+01:00"),
            ("29/10/2023 02:00", "2023-10-29T02:00:00+00:00"),
        ],
    )
    def test_either_side_of_the_clock_changes(self, value: str, expected: str) -> None:
        assert run(parse(), value) == expected

    @pytest.mark.parametrize("value", ["26/03/2023 01:00", "26/03/2023 01:30", "26/03/2023 01:59"])
    def test_local_times_skipped_in_spring_do_not_exist(self, value: str) -> None:
        for policy in ("error", "earlier", "later"):
            assert reason(parse(on_ambiguous=policy), value) == (
                f"'{value}' does not exist in Europe/London: the clocks went forward over that time"
            )

    def test_autumn_doubled_time_follows_the_policy(self) -> None:
        assert reason(parse(), "29/10/2023 01:30") == (
            "'29/10/2023 01:30' happened twice in Europe/London (clocks went back: +01:00 then +00:00) "
            "and on_ambiguous is 'error'"
        )
        assert run(parse(on_ambiguous="earlier"), "29/10/2023 01:30") == "2023-10-29T01:30:00+01:00"
        assert run(parse(on_ambiguous="later"), "29/10/2023 01:30") == "2023-10-29T01:30:00+00:00"

    def test_values_with_their_own_offset_keep_their_instant(self) -> None:
        fmt = "%Y-%m-%dT%H:%M:%S%z"
        assert run(parse(fmt), "2023-06-01T13:32:00Z") == "2023-06-01T14:32:00+01:00"
        assert run(parse(fmt), "2023-06-01T13:32:00+00:00") == "2023-06-01T14:32:00+01:00"
        assert run(parse(fmt), "2023-10-29T00:30:00Z") == "2023-10-29T01:30:00+01:00"
        assert run(parse(fmt), "2023-10-29T01:30:00Z") == "2023-10-29T01:30:00+00:00"

    def test_microseconds_only_when_non_zero(self) -> None:
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        assert run(parse(fmt), "2023-06-01 14:32:05.250") == "2023-06-01T14:32:05.250000+01:00"
        assert run(parse(fmt), "2023-06-01 14:32:05.000") == "2023-06-01T14:32:05+01:00"

    def test_two_digit_years_use_the_pivot(self) -> None:
        assert run(parse("%d-%b-%y %H:%M", century_pivot=24), "05-APR-23 14:32") == "2023-04-05T14:32:00+01:00"
        assert run(parse("%d-%b-%y %H:%M", century_pivot=24), "05-APR-58 14:32") == "1958-04-05T14:32:00+00:00"

    def test_other_time_zones(self) -> None:
        assert run(parse(timezone="America/New_York"), "01/06/2023 14:32") == "2023-06-01T14:32:00-04:00"
        assert run(parse(timezone="UTC"), "01/06/2023 14:32") == "2023-06-01T14:32:00+00:00"

    def test_unknown_time_zone_is_refused_when_the_spec_is_read(self) -> None:
        with pytest.raises(ValidationError, match="unknown time zone 'Europe/Lundun'"):
            ParseDateTime(format="%Y", timezone="Europe/Lundun")

    def test_datetime_objects(self) -> None:
        assert run(parse(), dt.datetime(2023, 6, 1, 14, 32)) == "2023-06-01T14:32:00+01:00"
        aware = dt.datetime(2023, 6, 1, 13, 32, tzinfo=dt.timezone.utc)
        assert run(parse(), aware) == "2023-06-01T14:32:00+01:00"
        assert reason(parse(), dt.date(2023, 6, 1)) == "'2023-06-01' is a date without a time of day; a date-time was expected"

    def test_bad_text_names_the_format(self) -> None:
        assert reason(parse(), "01/06/2023") == "'01/06/2023' is not a valid date-time for format %d/%m/%Y %H:%M"
        assert reason(parse(), "31/06/2023 14:32") == "'31/06/2023 14:32' is not a valid date-time for format %d/%m/%Y %H:%M"

    def test_before_standard_time_is_shown_in_utc(self) -> None:
        # London's local mean time was -00:01:15, which RFC 3339 cannot write.
        assert run(parse("%Y-%m-%d %H:%M"), "1840-01-01 12:00") == "1840-01-01T12:01:15+00:00"


def combine(**extra: Any) -> dict[str, Any]:
    return {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M", **extra}


class TestCombineDateTime:
    def test_combines(self) -> None:
        assert run(combine(), "01/06/2023", "14:32") == "2023-06-01T14:32:00+01:00"
        assert run(combine(), "01/12/2023", "14:32") == "2023-12-01T14:32:00+00:00"

    def test_compact_time_column(self) -> None:
        assert run(combine(time_format="%H%M"), "01/06/2023", "1432") == "2023-06-01T14:32:00+01:00"
        assert run(combine(time_format="%H%M"), "01/06/2023", 932) == "2023-06-01T09:32:00+01:00"

    def test_missing_time(self) -> None:
        assert reason(combine(), "01/06/2023", "") == "date '01/06/2023' has no time and missing_time is 'error'"
        assert run(combine(missing_time="midnight"), "01/06/2023", " ") == "2023-06-01T00:00:00+01:00"

    def test_missing_date_is_always_an_error(self) -> None:
        assert reason(combine(missing_time="midnight"), "", "14:32") == "time '14:32' has no date"

    def test_both_blank_is_absent(self) -> None:
        assert run(combine(), "", None) is None

    def test_clock_changes(self) -> None:
        assert reason(combine(), "26/03/2023", "01:30") == (
            "'26/03/2023 01:30' does not exist in Europe/London: the clocks went forward over that time"
        )
        assert reason(combine(), "29/10/2023", "01:30").startswith("'29/10/2023 01:30' happened twice in Europe/London")
        assert run(combine(on_ambiguous="earlier"), "29/10/2023", "01:30") == "2023-10-29T01:30:00+01:00"
        assert run(combine(on_ambiguous="later"), "29/10/2023", "01:30") == "2023-10-29T01:30:00+00:00"

    def test_bad_parts_are_named(self) -> None:
        assert reason(combine(), "31/02/2023", "14:32") == "'31/02/2023' is not a valid date for format %d/%m/%Y"
        assert reason(combine(), "01/06/2023", "25:00") == "'25:00' is not a valid time for format %H:%M"

    def test_xlsx_objects(self) -> None:
        assert run(combine(), dt.datetime(2023, 6, 1), dt.time(14, 32)) == "2023-06-01T14:32:00+01:00"
        assert run(combine(century_pivot=24, date_format="%d-%b-%y"), "05-APR-58", "14:32") == "1958-04-05T14:32:00+00:00"
