"""Date, date-time and year-month detectors and the day/month order evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from tools.detectors.temporal import detect_date, detect_datetime, detect_year_month


def test_uk_dates_settled_day_first_by_a_day_above_12() -> None:
    d = detect_date(["15/01/2023", "28/02/2023", "01/03/2023"] * 3)
    assert (d.kind, d.matched, d.score) == ("date", 9, 0.9)
    assert d.evidence == {
        "format": "%d/%m/%Y",
        "formats": {"%d/%m/%Y": 9},
        "min": "2023-01-15",
        "max": "2023-03-01",
        "two_digit_year_range": None,
        "native": 0,
        # the profiler's date evidence (tools.date_evidence) over the same values
        "candidates": [{"format": "%d/%m/%Y", "kind": "date", "parsed": 9}],
        "partial_candidates": [],
        "day_month_order": "day_first",
        "day_month_evidence": {"values_checked": 9, "first_part_over_12": 6, "second_part_over_12": 0},
        "two_digit_year": False,
        "time_always_midnight": False,
    }


def test_us_dates_settled_month_first() -> None:
    d = detect_date(["10/15/2020", "4/28/2020", "1/2/2020"])
    assert d.matched == 3
    assert d.evidence["day_month_order"] == "month_first"
    assert d.evidence["format"] == "%m/%d/%Y"


def test_unsettled_order_is_flagged_ambiguous_and_read_day_first() -> None:
    d = detect_date(["01/02/2023", "03/04/2023", "05/06/2023"])
    assert d.matched == 3
    assert d.evidence["day_month_order"] == "ambiguous"
    assert d.evidence["format"] == "%d/%m/%Y"
    assert [c["format"] for c in d.evidence["candidates"]] == ["%d/%m/%Y", "%m/%d/%Y"]
    assert (d.evidence["min"], d.evidence["max"]) == ("2023-02-01", "2023-06-05")


def test_conflicting_order_keeps_the_majority_and_rejects_the_rest() -> None:
    d = detect_date(["13/12/2020", "25/12/2020", "12/13/2020"])
    assert d.matched == 2
    assert d.counter_examples == ["12/13/2020"]
    assert d.evidence["day_month_order"] == "ambiguous"  # settled both ways
    assert d.evidence["day_month_evidence"] == {"values_checked": 3, "first_part_over_12": 2, "second_part_over_12": 1}


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2023-01-15", "1999-12-31"], "%Y-%m-%d"),
        (["15.01.2023", "31.12.1999"], "%d.%m.%Y"),
        (["15-JAN-23", "03-feb-99"], "%d-%b-%y"),
        (["20230115", "19991231"], "%Y%m%d"),
        (["3 March 2021", "14 June 2020"], "%d %B %Y"),
        (["Mar 15, 2023", "Dec 31, 1999"], "%b %d, %Y"),
        ([dt.date(2023, 1, 15), dt.date(1999, 12, 31)], "%Y-%m-%d"),
    ],
)
def test_date_layouts_and_their_strptime_formats(values: list[object], fmt: str) -> None:
    d = detect_date(values)
    assert (d.matched, d.evidence["format"]) == (2, fmt)
    for value in values:
        if isinstance(value, str):
            dt.datetime.strptime(value, fmt)  # the reported format really parses the values


def test_two_digit_years_are_reported() -> None:
    ev = detect_date(["15/01/23", "28/02/99", "01/03/05"]).evidence
    assert ev["two_digit_year"] is True
    assert ev["two_digit_year_range"] == [5, 99]
    assert ev["formats"] == {"%d/%m/%y": 3}


@pytest.mark.parametrize(
    "value",
    ["1.2.3", "2.0.1", "1.2.30", "31/02/2023", "29/02/2023", "2023-13-01", "15-Foo-23", "12345678", "1/2"],
)
def test_versions_and_impossible_dates_are_not_dates(value: str) -> None:
    assert detect_date([value]).matched == 0


def test_leap_day_is_a_date() -> None:
    assert detect_date(["29/02/2024"]).matched == 1


def test_datetimes_with_offsets_and_fractions() -> None:
    values = ["2019-05-31T23:01:00+00:00", "2019-05-31T23:08:00+01:00", "2023-01-15 14:32:05.123Z"]
    d = detect_datetime(values)
    assert (d.kind, d.matched, d.score) == ("datetime", 3, 0.75)
    assert d.evidence["formats"] == {"%Y-%m-%dT%H:%M:%S%z": 2, "%Y-%m-%d %H:%M:%S.%f%z": 1}
    assert d.evidence["timezone"] == {"offset": 2, "Z": 1}
    assert d.evidence["midnight_share"] == 0.0
    assert detect_date(values).matched == 0  # times of day: not plain dates


def test_twelve_hour_and_oracle_dot_times() -> None:
    d = detect_datetime(["15/01/2023 2:32 PM", "16/01/2023 11:05 am", "17-JAN-23 14.32.05"])
    assert d.matched == 3
    assert d.evidence["formats"] == {"%d/%m/%Y %I:%M %p": 2, "%d-%b-%y %H.%M.%S": 1}


def test_impossible_times_are_not_datetimes() -> None:
    d = detect_datetime(["2023-01-15 24:00", "2023-01-15 13:00 PM", "2023-01-15 10:61"])
    assert d.matched == 0


def test_always_midnight_datetimes_are_dates_first() -> None:
    values = ["10/15/2020 0:00", "4/28/2020 0:00", "11/24/2021 0:00"]
    date, datetime = detect_date(values), detect_datetime(values)
    assert (date.matched, date.score, date.evidence["time_always_midnight"]) == (3, 0.75, True)
    assert (datetime.matched, datetime.score, datetime.evidence["midnight_share"]) == (3, 0.675, 1.0)


def test_native_datetimes() -> None:
    values = [dt.datetime(2020, 1, 1, 10, 5), dt.datetime(2021, 6, 30, 23, 59, 59)]
    d = detect_datetime(values)
    assert (d.matched, d.evidence["native"], d.evidence["format"]) == (2, 2, "%Y-%m-%dT%H:%M:%S")


def test_year_month() -> None:
    d = detect_year_month(["2026-02", "2019-05", "2018-01"])
    assert (d.kind, d.matched, d.evidence) == ("year_month", 3, {"format": "%Y-%m", "min": "2018-01", "max": "2026-02"})
    assert detect_year_month(["2026-13", "1432-02", "26-02"]).matched == 0
    assert detect_date(["2026-02"]).matched == 0
