"""Time-of-day, epoch and Excel serial detectors."""

from __future__ import annotations

import datetime as dt
import random

from tools.detectors.clock import detect_epoch, detect_excel_serial, detect_time


def test_clock_times_with_and_without_seconds() -> None:
    d = detect_time(["14:32", "09:05", "23:59:59", "2:32 PM", "0:00", dt.time(7, 30)])
    assert (d.kind, d.matched, d.score) == ("time", 6, 0.8571)
    assert d.evidence["formats"] == {"%H:%M": 3, "%H:%M:%S": 1, "%I:%M %p": 1, "native": 1}
    assert "ambiguous_with" not in d.evidence


def test_impossible_clock_times() -> None:
    d = detect_time(["24:00", "12:60", "13:00 PM", "0:00 AM", "1:2"])
    assert (d.matched, d.score) == (0, 0.0)


def test_hhmm_digits_are_times_but_flagged_ambiguous_with_integers() -> None:
    values = ["1432", "0915", "2000", "0045", "1230", "1800", 2359, 5]
    d = detect_time(values)
    assert d.matched == 8
    assert d.evidence["formats"] == {"%H%M": 8}
    assert d.evidence["ambiguous_with"] == "integer"
    assert d.score == round(8 / 9 * 0.9, 4)


def test_small_integers_are_not_times() -> None:
    # 1..5 are valid as 00:01..00:05 but most HHMM values carry an hour
    assert detect_time([1, 2, 3, 4, 5]).score == 0.0
    assert detect_time(["1", "2", "3"]).score == 0.0


def test_three_digit_codes_score_low_as_times() -> None:
    d = detect_time([624, 510, 330, 740, 354, 230, 121, 442])  # crime codes read as 06:24 ...
    assert d.matched == 8
    assert d.score == round(8 / 9 * 0.9 * 0.3, 4)


def test_years_score_low_as_times() -> None:
    d = detect_time([2001 + i % 20 for i in range(40)])  # 20:01 .. 20:20, all the same hour
    assert d.evidence["distinct_hours"] == 1
    assert d.score < 0.3


def test_random_four_digit_numbers_are_mostly_not_times() -> None:
    rng = random.Random(5)
    values = [rng.randint(1000, 9999) for _ in range(500)]
    assert detect_time(values).score < 0.1


def test_epoch_seconds_and_milliseconds() -> None:
    seconds = detect_epoch([1700000000, "1600000000", 1700000000.5])
    assert (seconds.matched, seconds.evidence["units"]) == (3, {"seconds": 3})
    assert seconds.evidence["min"] == "2020-09-13T12:26:40+00:00"
    assert seconds.score == round(3 / 4 * 0.9, 4)
    millis = detect_epoch([1700000000123, 1600000000000])
    assert millis.evidence["units"] == {"milliseconds": 2}


def test_epoch_near_misses() -> None:
    # before 2000, after 2100, 11 digits, NHS numbers, negative
    d = detect_epoch([900000000, 4200000000, 17000000001, 9434765919, -1700000000])
    assert d.matched == 0


def test_excel_serial_dates() -> None:
    d = detect_excel_serial([44119, 43949, "45000.5"])
    assert d.matched == 3
    assert d.evidence["min"] == "2020-04-28T00:00:00"
    assert d.evidence["max"] == "2023-03-15T12:00:00"
    assert d.evidence["with_time"] == 1
    assert d.score == round(3 / 4 * 0.7, 4)


def test_excel_serial_near_misses() -> None:
    assert detect_excel_serial([19999, 60001, 2020, "44119A"]).matched == 0
