"""CSV exports cannot smuggle spreadsheet formulas."""

import csv
import io

import pytest

from tools.csv_safe import safe_cell, safe_csv_text


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
                                   "\t=1", "\r=1", "-", "+", "=", "-inf"])
def test_formula_like_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-3", "+44", "-0.5", "12", "SMITH", "a=b", "", "O'Brien"])
def test_ordinary_cells_are_unchanged(value: str) -> None:
    assert safe_cell(value) == value


def test_non_text_values() -> None:
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"
    assert safe_cell(3) == "3"
    assert safe_cell({"b": 1, "a": "=x"}) == '{"a": "=x", "b": 1}'
    assert safe_cell(["=x"]) == '["=x"]'  # JSON text starts with "[", which no spreadsheet runs


def test_csv_round_trip_keeps_every_row_and_quotes() -> None:
    rows = [["=1+1", 'say "hi"', "line\nbreak"], ["ok", None, -4]]
    text = safe_csv_text(["a", "=b", "c"], rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["a", "'=b", "c"]
    assert parsed[1] == ["'=1+1", 'say "hi"', "line\nbreak"]
    assert parsed[2] == ["ok", "", "-4"]
