"""to_integer and to_number."""

from __future__ import annotations

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


INT = {"op": "to_integer"}
NUM = {"op": "to_number"}


class TestToInteger:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("12", 12), (" -12 ", -12), ("+7", 7), ("12.0", 12), ("12.", 12), ("-0", 0), ("007", 7), (12, 12), (12.0, 12), (-3.0, -3)],
    )
    def test_accepts(self, value: Any, expected: int) -> None:
        result = run(INT, value)
        assert result == expected
        assert type(result) is int

    def test_thousands_separator(self) -> None:
        assert run({"op": "to_integer", "thousands_separator": ","}, "1,234,567") == 1234567
        assert run({"op": "to_integer", "thousands_separator": ","}, "-1234") == -1234
        assert run({"op": "to_integer", "thousands_separator": "."}, "1.234") == 1234
        assert run({"op": "to_integer", "thousands_separator": " "}, "12 345") == 12345

    def test_badly_grouped_thousands_are_refused(self) -> None:
        assert reason({"op": "to_integer", "thousands_separator": ","}, "12,34") == "'12,34' is not a whole number"

    def test_separator_not_set_is_refused(self) -> None:
        assert reason(INT, "1,234") == "'1,234' is not a whole number"

    @pytest.mark.parametrize("value", ["12.5", "abc", "1 2", "- 12", "0x1A", "1_000", "nan", "inf", "١٢"])
    def test_refuses_text(self, value: str) -> None:
        assert reason(INT, value) == f"'{value}' is not a whole number"

    def test_refuses_exponent_notation_with_its_own_reason(self) -> None:
        assert reason(INT, "1e3") == (
            "'1e3' is in exponent notation, which is refused for whole numbers (often a long code mangled by a spreadsheet)"
        )
        assert reason(INT, "1.23457E+15").startswith("'1.23457E+15' is in exponent notation")

    def test_refuses_fractional_floats_and_booleans(self) -> None:
        assert reason(INT, 12.5) == "12.5 is not a whole number"
        assert reason(INT, float("nan")) == "nan is not a whole number"
        assert reason(INT, True) == "true is a boolean, not a number"


class TestToNumber:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("12.5", 12.5), (" -0.25 ", -0.25), (".5", 0.5), ("5.", 5.0), ("12", 12.0), ("1.5e3", 1500.0), ("+2E-2", 0.02), (3, 3.0), (2.5, 2.5)],
    )
    def test_accepts(self, value: Any, expected: float) -> None:
        result = run(NUM, value)
        assert result == expected
        assert type(result) is float

    def test_decimal_comma(self) -> None:
        assert run({"op": "to_number", "decimal_comma": True}, "12,5") == 12.5
        assert run({"op": "to_number", "decimal_comma": True, "thousands_separator": "."}, "1.234,5") == 1234.5
        assert reason({"op": "to_number", "decimal_comma": True}, "12.5") == "'12.5' is not a number"

    def test_thousands_separator(self) -> None:
        assert run({"op": "to_number", "thousands_separator": ","}, "1,234.75") == 1234.75

    @pytest.mark.parametrize("value", ["abc", ".", "-", "1.2.3", "nan", "Infinity", "12,5", "1e"])
    def test_refuses(self, value: str) -> None:
        assert reason(NUM, value) == f"'{value}' is not a number"

    def test_refuses_non_finite_floats_and_booleans(self) -> None:
        assert reason(NUM, float("inf")) == "inf is not a number"
        assert reason(NUM, False) == "false is a boolean, not a number"
        assert reason(NUM, [1]) == "[1] is a list, not a number"


def test_to_number_refuses_text_that_overflows_to_infinity() -> None:
    # JSON cannot carry Infinity, so the row must be quarantined, not written.
    assert reason(NUM, "1e400") == "'1e400' is not a number"
    assert run(NUM, "1e300") == 1e300
