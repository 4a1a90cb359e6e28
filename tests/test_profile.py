"""tools.profile: per-field profiles of a source sample."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Iterator

import pytest

from tools.date_evidence import DateCandidate, DayMonthEvidence
from tools.profile import FieldProfile, ShapeCount, SourceProfile, ValueCount, profile_source, profile_values
from tools.readers.base import SourceInfo, SourceRow


class FakeReader:
    """A reader over rows given in the test; records whether its row stream was closed."""

    def __init__(self, fields: list[str], rows: list[dict[str, Any] | str]) -> None:
        self.info = SourceInfo(path="custody.csv", format="csv", sha256="0" * 64, size_bytes=123, fields=fields)
        self._rows = rows
        self.yielded = 0
        self.closed_stream = False

    def rows(self) -> Iterator[SourceRow]:
        try:
            for index, row in enumerate(self._rows):
                self.yielded += 1
                if isinstance(row, str):  # a broken row: its error text
                    yield SourceRow(index=index, values={}, error=row)
                else:
                    yield SourceRow(index=index, values=row)
        finally:
            self.closed_stream = True

    def close(self) -> None:
        pass

    def __enter__(self) -> "FakeReader":
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def profile(values: list[Any], name: str = "X") -> FieldProfile:
    return profile_values(name, values)


# --- the source -------------------------------------------------------------------------

def test_profile_source_counts_rows_and_skips_broken_ones() -> None:
    reader = FakeReader(["SURNAME", "DOB"], [
        {"SURNAME": "SMITH", "DOB": "05/04/1990"},
        "row has 3 fields, header has 2",
        {"SURNAME": "JONES", "DOB": "13/11/1985"},
        {"SURNAME": "", "DOB": None},
    ])
    result = profile_source(reader)
    assert isinstance(result, SourceProfile)
    assert result.source is reader.info
    assert (result.sample_size, result.rows_sampled, result.rows_with_errors, result.exhausted) == (5000, 4, 1, True)
    assert [f.name for f in result.fields] == ["SURNAME", "DOB"]
    surname = result.field("SURNAME")
    assert surname is not None
    assert (surname.non_null_count, surname.null_count, surname.null_rate) == (2, 1, 0.333333)
    dob = result.field("DOB")
    assert dob is not None
    assert (dob.inferred_type, dob.day_month_order) == ("date", "day_first")
    assert result.field("nope") is None
    assert reader.closed_stream


def test_sample_size_limits_rows_read() -> None:
    reader = FakeReader(["A"], [{"A": str(i)} for i in range(10)])
    result = profile_source(reader, sample_size=4)
    assert (result.rows_sampled, result.exhausted) == (4, False)
    assert result.fields[0].non_null_count == 4
    assert reader.yielded == 5  # one past the sample, to know the sample is not everything
    assert reader.closed_stream
    whole = profile_source(FakeReader(["A"], [{"A": "1"}] * 4), sample_size=4)
    assert (whole.rows_sampled, whole.exhausted) == (4, True)


def test_sample_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="sample_size must be at least 1"):
        profile_source(FakeReader(["A"], []), sample_size=0)


def test_keys_not_in_info_fields_are_profiled_after_them() -> None:
    reader = FakeReader(["/id"], [{"/id": "1"}, {"/id": "2", "/subject/name/first": "Ann"}])
    result = profile_source(reader)
    assert [f.name for f in result.fields] == ["/id", "/subject/name/first"]
    late = result.fields[1]
    assert (late.null_count, late.non_null_count) == (1, 1)


def test_empty_source() -> None:
    result = profile_source(FakeReader(["A"], []))
    assert (result.rows_sampled, result.exhausted) == (0, True)
    assert result.fields[0].model_dump() == FieldProfile(name="A", inferred_type="empty").model_dump()


def test_to_json_round_trips() -> None:
    result = profile_source(FakeReader(["A"], [{"A": "x"}]))
    data = json.loads(result.to_json())
    assert data["fields"][0]["name"] == "A"
    assert data["source"]["path"] == "custody.csv"
    assert SourceProfile.model_validate(data) == result
    assert "\n" not in result.to_json(indent=None)


# --- one field --------------------------------------------------------------------------

def test_string_field_in_full() -> None:
    result = profile(["SW1A 1AA", "M1 1AE", "SW1A 1AA", " ", None, "sw1a1aa"], name="POSTCODE")
    assert result.model_dump() == {
        "name": "POSTCODE", "inferred_type": "string", "type_counts": {"string": 4},
        "non_null_count": 4, "null_count": 2, "null_rate": 0.333333, "distinct_count": 3,
        "top_values": [{"value": "SW1A 1AA", "count": 2}, {"value": "M1 1AE", "count": 1}, {"value": "sw1a1aa", "count": 1}],
        "shapes": [{"shape": "AA9A 9AA", "count": 2}, {"shape": "A9 9AA", "count": 1}, {"shape": "aa9a9aa", "count": 1}],
        "min_length": 6, "max_length": 8, "numeric_min": None, "numeric_max": None, "numeric_mean": None,
        "has_leading_zeros": False, "date_candidates": [], "partial_date_candidates": [],
        "day_month_order": "not_applicable",
        "day_month_evidence": {"values_checked": 0, "first_part_over_12": 0, "second_part_over_12": 0},
        "two_digit_year": False, "excel_serial_candidate": False, "epoch_seconds_candidate": False,
        "epoch_millis_candidate": False, "hhmm_time_candidate": False,
        "looks_like_code_list": False, "code_values": None, "null_like_values": [],
        "examples": ["SW1A 1AA", "M1 1AE", "sw1a1aa"], "masked_examples": ["AA9A 9AA", "A9 9AA", "aa9a9aa"],
    }


def test_top_values_are_capped_at_ten_ties_in_first_seen_order() -> None:
    result = profile([f"v{i:02d}" for i in range(12)] + ["v11"])
    assert [v.value for v in result.top_values] == ["v11", "v00", "v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08"]
    assert result.top_values[0] == ValueCount(value="v11", count=2)
    assert result.examples == ["v00", "v01", "v02", "v03", "v04"]
    assert result.masked_examples == ["a99"] * 5


def test_integer_field_with_numeric_stats() -> None:
    result = profile(["10", "20", "20", "", "-5"])
    assert (result.inferred_type, result.numeric_min, result.numeric_max, result.numeric_mean) == ("integer", -5, 20, 11.25)
    assert result.has_leading_zeros is False


def test_leading_zeros_flag_codes() -> None:
    result = profile(["007", "123", "0"])
    assert (result.inferred_type, result.has_leading_zeros) == ("integer", True)


def test_number_field() -> None:
    result = profile(["53.407704", "-2.162284", "1"])
    assert (result.inferred_type, result.numeric_min, result.numeric_max) == ("number", -2.162284, 53.407704)
    assert result.type_counts == {"number": 2, "integer": 1}


def test_boolean_field() -> None:
    assert profile(["True", "False", "false", "Y", "n"]).inferred_type == "boolean"


def test_mixed_field() -> None:
    result = profile(["12", "N/A", "14", "13", "NULL"])
    assert result.inferred_type == "mixed"
    assert result.type_counts == {"integer": 3, "string": 2}
    assert result.null_like_values == [ValueCount(value="N/A", count=1), ValueCount(value="NULL", count=1)]
    assert result.numeric_min is None


def test_uk_date_field() -> None:
    result = profile(["05/04/2023", "13/04/2023", "01/12/1999", ""])
    assert result.inferred_type == "date"
    assert result.date_candidates == [DateCandidate(format="%d/%m/%Y", kind="date", parsed=3)]
    assert result.day_month_order == "day_first"
    assert result.day_month_evidence == DayMonthEvidence(values_checked=3, first_part_over_12=1, second_part_over_12=0)
    assert result.shapes == [ShapeCount(shape="99/99/9999", count=3)]
    assert result.looks_like_code_list is False


def test_ambiguous_dates_and_two_digit_years() -> None:
    result = profile(["05/04/23", "01/02/99"])
    assert [c.format for c in result.date_candidates] == ["%d/%m/%y", "%m/%d/%y"]
    assert (result.day_month_order, result.two_digit_year) == ("ambiguous", True)


def test_datetime_with_offset_field() -> None:
    result = profile(["2019-05-31T23:01:00+00:00", "2019-06-01T00:10:00+01:00"])
    assert result.inferred_type == "datetime"
    assert [c.format for c in result.date_candidates] == ["%Y-%m-%dT%H:%M:%S%z"]
    assert result.day_month_order == "not_applicable"


def test_yyyymmdd_is_a_date_but_hhmm_stays_integer() -> None:
    mainframe = profile(["20230405", "19991231"])
    assert (mainframe.inferred_type, [c.format for c in mainframe.date_candidates]) == ("date", ["%Y%m%d"])
    times = profile(["1432", "0930", "2359"])
    assert (times.inferred_type, [c.format for c in times.date_candidates]) == ("integer", ["%H%M"])
    assert times.hhmm_time_candidate is True


def test_time_and_month_fields() -> None:
    assert profile(["14:32", "09:05"]).inferred_type == "time"
    month = profile(["2023-01", "2023-02"])
    assert (month.inferred_type, [c.format for c in month.date_candidates]) == ("string", ["%Y-%m"])


def test_excel_serial_and_epoch_flags() -> None:
    assert profile(["44119", "43949"]).excel_serial_candidate is True
    assert profile([44119.25, 43949]).excel_serial_candidate is True
    assert profile(["1700000000", "1710000000"]).epoch_seconds_candidate is True
    assert profile([1_700_000_000_123]).epoch_millis_candidate is True
    assert profile(["12", "13"]).excel_serial_candidate is False


def test_code_list_detection() -> None:
    result = profile(["IC1"] * 6 + ["IC3"] * 3 + ["IC9"])
    assert result.looks_like_code_list is True
    assert result.code_values == ["IC1", "IC3", "IC9"]
    short = profile(["M", "F", "F", "U", "M", "F"])
    assert (short.looks_like_code_list, short.code_values) == (True, ["F", "M", "U"])
    names = profile(["SMITH", "JONES", "PATEL", "SMITH", "KHAN"])
    assert (names.looks_like_code_list, names.code_values) == (False, None)
    unique = profile([str(i) for i in range(100)])
    assert unique.looks_like_code_list is False


def test_native_values_from_xlsx_and_json() -> None:
    assert profile([dt.date(2023, 4, 5), dt.date(1999, 1, 2), None]).inferred_type == "date"
    stamps = profile([dt.datetime(2023, 4, 5, 14, 32), dt.date(2023, 4, 6)])
    assert (stamps.inferred_type, stamps.examples) == ("datetime", ["2023-04-05T14:32:00", "2023-04-06"])
    assert profile([dt.time(14, 32)]).inferred_type == "time"
    ints = profile([1, 2, 2.0, Decimal("4")])
    assert (ints.inferred_type, ints.numeric_max, ints.type_counts) == ("integer", 4, {"integer": 4})
    floats = profile([1.5, float("nan"), 2])
    assert (floats.inferred_type, floats.null_count, floats.numeric_mean) == ("number", 1, 1.75)
    flags = profile([True, False, False])
    assert (flags.inferred_type, flags.top_values[0]) == ("boolean", ValueCount(value=False, count=2))
    assert flags.shapes == [ShapeCount(shape="aaaaa", count=2), ShapeCount(shape="aaaa", count=1)]
    arrays = profile([["a", "b"], ["a", "b"], ["c"]])
    assert (arrays.inferred_type, arrays.distinct_count, arrays.examples) == ("array", 2, ['["a", "b"]', '["c"]'])
    assert profile([{"k": 1}]).inferred_type == "object"
    assert profile([1, "x"]).inferred_type == "mixed"


def test_empty_field() -> None:
    result = profile([None, "", "   "])
    assert (result.inferred_type, result.null_count, result.null_rate, result.distinct_count) == ("empty", 3, 1.0, 0)
    assert (result.shapes, result.examples, result.min_length) == ([], [], None)


def test_raw_fields_are_declared() -> None:
    assert FieldProfile.RAW_FIELDS == ("examples", "top_values", "code_values", "null_like_values")
