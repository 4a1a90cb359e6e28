"""epoch_to_datetime and excel_serial_date."""

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


MS = {"op": "epoch_to_datetime", "unit": "ms"}
S = {"op": "epoch_to_datetime", "unit": "s"}


class TestEpoch:
    @pytest.mark.parametrize("value", ["1685626320000", " 1685626320000 ", 1685626320000, 1685626320000.0])
    def test_milliseconds(self, value: Any) -> None:
        assert run(MS, value) == "2023-06-01T14:32:00+01:00"

    @pytest.mark.parametrize("value", ["1685626320", 1685626320, "1685626320.0"])
    def test_seconds(self, value: Any) -> None:
        assert run(S, value) == "2023-06-01T14:32:00+01:00"

    def test_fractions_and_winter(self) -> None:
        assert run(S, "1685626320.25") == "2023-06-01T14:32:00.250000+01:00"
        assert run(MS, "1701441120123") == "2023-12-01T14:32:00.123000+00:00"
        assert run(S, 0) == "1970-01-01T01:00:00+01:00"  # Britain kept BST all year in 1970

    def test_other_time_zone(self) -> None:
        assert run({**S, "timezone": "UTC"}, 1685626320) == "2023-06-01T13:32:00+00:00"

    def test_range_is_1900_to_2100(self) -> None:
        assert run({**S, "timezone": "UTC"}, -2208988800) == "1900-01-01T00:00:00+00:00"
        assert run({**S, "timezone": "UTC"}, 4133980799) == "2100-12-31T23:59:59+00:00"
        assert reason(S, 4133980800) == (
            "4133980800 is outside 1900-2100 as seconds since 1970-01-01 (it would fit as milliseconds)"
        )
        assert reason(S, -2208988801).startswith("-2208988801 is outside 1900-2100 as seconds since 1970-01-01")
        assert run({**MS, "timezone": "UTC"}, 4133980799999) == "2100-12-31T23:59:59.999000+00:00"
        assert reason(MS, 4133980800000) == "4133980800000 is outside 1900-2100 as milliseconds since 1970-01-01"

    def test_wrong_unit_gets_a_hint(self) -> None:
        assert reason(S, "1685626320000") == (
            "'1685626320000' is outside 1900-2100 as seconds since 1970-01-01 (it would fit as milliseconds)"
        )
        assert reason(MS, "1e16") == "'1e16' is outside 1900-2100 as milliseconds since 1970-01-01"

    def test_absurd_values(self) -> None:
        assert reason(S, "1e400") == "'1e400' is outside 1900-2100 as seconds since 1970-01-01"
        assert reason(S, "soon") == "'soon' is not a number"
        assert reason(S, True) == "true is a boolean, not a number of seconds"
        assert reason(MS, dt.date(2023, 1, 1)) == "'2023-01-01' is a date, not a number of milliseconds"


DATE = {"op": "excel_serial_date"}
DATETIME = {"op": "excel_serial_date", "output": "datetime"}


class TestExcelSerial:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (1, "1900-01-01"),
            (59, "1900-02-28"),
            (61, "1900-03-01"),
            (45000, "2023-03-15"),
            ("45000", "2023-03-15"),
            (45000.0, "2023-03-15"),
            (2958465, "9999-12-31"),
        ],
    )
    def test_dates(self, value: Any, expected: str) -> None:
        assert run(DATE, value) == expected

    def test_the_fake_leap_day_is_refused(self) -> None:
        assert reason(DATE, 60) == "60 is Excel's serial for 1900-02-29, a day that never existed"
        assert reason(DATETIME, "60.5") == "'60.5' is Excel's serial for 1900-02-29, a day that never existed"

    @pytest.mark.parametrize("value", [0, -1, 2958466, "0.5"])
    def test_out_of_range(self, value: Any) -> None:
        shown = f"'{value}'" if isinstance(value, str) else str(value)
        assert reason(DATE, value) == f"{shown} is outside Excel's serial date range (1 to 2958465)"

    def test_fractions_are_the_time_of_day(self) -> None:
        assert run(DATETIME, 45000.5) == "2023-03-15T12:00:00+00:00"
        assert run(DATETIME, 45000.60555555556) == "2023-03-15T14:32:00+00:00"
        assert run(DATETIME, "45078.60555555556") == "2023-06-01T14:32:00+01:00"
        assert run(DATETIME, 45000) == "2023-03-15T00:00:00+00:00"

    def test_a_fraction_is_refused_for_a_date(self) -> None:
        assert reason(DATE, 45000.5) == "45000.5 has a time of day that is not midnight; a date was expected"

    def test_clock_changes(self) -> None:
        # 45011 = 2023-03-26, 45228 = 2023-10-29; 1/16 of a day = 01:30.
        assert reason(DATETIME, 45011.0625) == (
            "45011.0625 does not exist in Europe/London: the clocks went forward over that time"
        )
        assert reason(DATETIME, 45228.0625).startswith("45228.0625 happened twice in Europe/London")
        assert run({**DATETIME, "on_ambiguous": "later"}, 45228.0625) == "2023-10-29T01:30:00+00:00"

    def test_decoded_cells_pass_through(self) -> None:
        assert run(DATE, dt.datetime(2023, 3, 15)) == "2023-03-15"
        assert run(DATE, dt.date(2023, 3, 15)) == "2023-03-15"
        assert run(DATETIME, dt.datetime(2023, 6, 1, 14, 32)) == "2023-06-01T14:32:00+01:00"

    def test_not_a_number(self) -> None:
        assert reason(DATE, "15/03/2023") == "'15/03/2023' is not a number"
        assert reason(DATE, False) == "false is a boolean, not an Excel serial date"
