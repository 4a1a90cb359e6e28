"""tools.date_evidence: date format candidates, day/month order, numeric date flags."""

from __future__ import annotations

import datetime as dt

import pytest

from tools.date_evidence import DateCandidate, DayMonthEvidence, date_evidence, numeric_date_flags


def formats(values: dict[str, int]) -> list[str]:
    return [c.format for c in date_evidence(values).candidates]


def test_one_value_with_first_part_over_12_settles_day_first() -> None:
    evidence = date_evidence({"05/04/2023": 3, "13/04/2023": 1, "01/12/1999": 2})
    assert evidence.candidates == [DateCandidate(format="%d/%m/%Y", kind="date", parsed=6)]
    assert evidence.day_month_order == "day_first"
    assert evidence.day_month_evidence == DayMonthEvidence(values_checked=6, first_part_over_12=1, second_part_over_12=0)
    assert evidence.two_digit_year is False
    assert evidence.partial_candidates == []


def test_second_part_over_12_settles_month_first() -> None:
    evidence = date_evidence({"10/15/2020 0:00": 2, "4/28/2020 13:05": 1})
    assert [c.format for c in evidence.candidates] == ["%m/%d/%Y %H:%M"]
    assert evidence.candidates[0].kind == "datetime"
    assert evidence.day_month_order == "month_first"
    assert evidence.day_month_evidence == DayMonthEvidence(values_checked=3, first_part_over_12=0, second_part_over_12=3)


def test_no_value_over_12_is_ambiguous_and_day_first_comes_first() -> None:
    evidence = date_evidence({"05/04/2023": 1, "01/02/2023": 1})
    assert [c.format for c in evidence.candidates] == ["%d/%m/%Y", "%m/%d/%Y"]
    assert evidence.day_month_order == "ambiguous"


def test_values_settling_both_ways_have_no_candidate() -> None:
    evidence = date_evidence({"31/12/2023": 1, "12/31/2023": 1})
    assert evidence.candidates == []
    assert evidence.partial_candidates == []  # each order parses only half
    assert evidence.day_month_order == "ambiguous"
    assert evidence.day_month_evidence == DayMonthEvidence(values_checked=2, first_part_over_12=1, second_part_over_12=1)


@pytest.mark.parametrize(("values", "expected"), [
    ({"2019-05-31T23:01:00+00:00": 5, "2019-06-01T00:10:00Z": 1}, ["%Y-%m-%dT%H:%M:%S%z"]),
    ({"2019-05-31T23:01:00": 1}, ["%Y-%m-%dT%H:%M:%S"]),
    ({"2023-04-05 14:32:00.123": 1}, ["%Y-%m-%d %H:%M:%S.%f"]),
    ({"2023-04-05": 1, "1999-12-31": 1}, ["%Y-%m-%d"]),
    ({"20230405": 4, "19991231": 1}, ["%Y%m%d"]),
    ({"05.04.2023": 1, "25.12.2023": 1}, ["%d.%m.%Y"]),
    ({"01-JAN-23": 1, "15-feb-99": 1}, ["%d-%b-%y"]),
    ({"01-JAN-2023": 1}, ["%d-%b-%Y"]),
    ({"5 April 2023": 1, "25 December 2023": 1}, ["%d %B %Y"]),
    ({"5 Apr 2023": 1}, ["%d %b %Y"]),
    ({"2023/04/05": 1}, ["%Y/%m/%d"]),
    ({"03/13/2020 12:00:00 AM": 1, "03/14/2020 01:30:00 PM": 1}, ["%m/%d/%Y %I:%M:%S %p"]),
    ({"2023-01": 3}, ["%Y-%m"]),
    ({"14:32": 1, "09:05": 1}, ["%H:%M"]),
    ({"14:32:10": 1}, ["%H:%M:%S"]),
    ({"1432": 1, "0930": 1}, ["%H%M"]),
    ({"Smith": 3}, []),
    ({"12345": 1}, []),
    ({}, []),
])
def test_formats(values: dict[str, int], expected: list[str]) -> None:
    assert formats(values) == expected


def test_kinds() -> None:
    assert [c.kind for c in date_evidence({"2023-01": 1}).candidates] == ["month"]
    assert [c.kind for c in date_evidence({"14:32": 1}).candidates] == ["time"]
    assert [c.kind for c in date_evidence({"2023-04-05": 1}).candidates] == ["date"]


def test_impossible_dates_are_refused() -> None:
    assert formats({"29/02/2023": 1}) == []
    assert formats({"29/02/2024": 1}) == ["%d/%m/%Y"]
    assert formats({"31/04/2023": 1}) == []
    assert formats({"2023-13-01": 1}) == []
    assert formats({"2023-04-05T24:00:00": 1}) == []
    assert formats({"0000-01-01": 1}) == []
    assert formats({"2400": 1}) == []


def test_two_digit_year_flag() -> None:
    evidence = date_evidence({"05/04/23": 1, "13/04/99": 1})
    assert [c.format for c in evidence.candidates] == ["%d/%m/%y"]
    assert evidence.two_digit_year is True
    assert evidence.day_month_order == "day_first"


def test_partial_candidates_when_some_values_are_not_dates() -> None:
    evidence = date_evidence({"05/04/2023": 8, "13/04/2023": 1, "UNKNOWN": 1})
    assert evidence.candidates == []
    # best first; month-first still parses 8 of 10 rows (80 %), so it is shown too
    assert evidence.partial_candidates == [DateCandidate(format="%d/%m/%Y", kind="date", parsed=9),
                                           DateCandidate(format="%m/%d/%Y", kind="date", parsed=8)]
    assert evidence.day_month_order == "day_first"


def test_too_few_dates_give_no_partial_candidates() -> None:
    assert date_evidence({"05/04/2023": 7, "UNKNOWN": 3}).partial_candidates == []


def test_every_candidate_parses_every_value_with_strptime() -> None:
    values = {"01/02/2023 09:05": 1, "12/11/1999 23:59": 1, "1/2/2003 0:00": 1}
    evidence = date_evidence(values)
    assert [c.format for c in evidence.candidates] == ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]
    for candidate in evidence.candidates:
        for value in values:
            dt.datetime.strptime(value, candidate.format)


def test_precomputed_shapes_are_used() -> None:
    # a wrong shape proves the given one is used instead of recomputing it
    assert date_evidence({"05/04/2023": 1}, {"05/04/2023": "nonsense"}).candidates == []


@pytest.mark.parametrize(("numbers", "flags"), [
    ({44119: 3, 43949.5: 1}, {"excel_serial_candidate"}),
    ({1_700_000_000: 2}, {"epoch_seconds_candidate"}),
    ({1_700_000_000_123: 2}, {"epoch_millis_candidate"}),
    ({2000: 1, 100: 1, 1432: 1, 0: 1}, {"hhmm_time_candidate"}),
    ({2000: 1, 1460: 1}, set()),  # 60 minutes
    ({2020: 5, 2019: 1}, set()),  # years
    ({12: 1, 45: 1}, set()),  # no value >= 1000: more likely ages or counts
    ({19999: 1, 44000: 1}, set()),
    ({1_700_000_000.5: 1}, set()),
    ({}, set()),
])
def test_numeric_date_flags(numbers: dict[float, int], flags: set[str]) -> None:
    result = numeric_date_flags(numbers).model_dump()
    assert {name for name, on in result.items() if on} == flags
