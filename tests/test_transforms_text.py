"""copy, text and join."""

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


class TestCopy:
    def test_strings_are_unchanged(self) -> None:
        assert run({"op": "copy"}, "  Smith ") == "  Smith "

    def test_numbers_booleans_and_lists_stay_as_they_are(self) -> None:
        assert run({"op": "copy"}, 12) == 12
        assert run({"op": "copy"}, 1.5) == 1.5
        assert run({"op": "copy"}, False) is False
        assert run({"op": "copy"}, ["a", "b"]) == ["a", "b"]

    def test_xlsx_dates_become_iso_text(self) -> None:
        assert run({"op": "copy"}, dt.date(2023, 4, 5)) == "2023-04-05"
        assert run({"op": "copy"}, dt.datetime(2023, 4, 5, 14, 32)) == "2023-04-05T14:32:00"
        assert run({"op": "copy"}, dt.time(14, 32)) == "14:32:00"


class TestText:
    def test_trims_and_collapses_by_default(self) -> None:
        assert run({"op": "text"}, "  High   Street\t North ") == "High Street North"

    def test_no_trim_keeps_the_ends_but_collapses_runs(self) -> None:
        assert run({"op": "text", "trim": False}, "  a   b  ") == " a b "

    def test_no_collapse(self) -> None:
        assert run({"op": "text", "collapse_spaces": False}, " a   b ") == "a   b"

    @pytest.mark.parametrize(
        ("case", "expected"),
        [("upper", "O'BRIEN-SMITH"), ("lower", "o'brien-smith"), ("keep", "o'Brien-SMITH"), ("title", "O'Brien-Smith")],
    )
    def test_case(self, case: str, expected: str) -> None:
        assert run({"op": "text", "case": case}, "o'Brien-SMITH") == expected

    def test_title_case_does_not_capitalise_after_a_possessive(self) -> None:
        assert run({"op": "text", "case": "title"}, "JOHN'S  BAR") == "John's Bar"
        assert run({"op": "text", "case": "title"}, "d'arcy mcdonald") == "D'Arcy Mcdonald"
        assert run({"op": "text", "case": "title"}, "siân ap gruffydd") == "Siân Ap Gruffydd"

    def test_numbers_become_text(self) -> None:
        assert run({"op": "text"}, 12) == "12"
        assert run({"op": "text"}, 12.0) == "12"
        assert run({"op": "text"}, 12.5) == "12.5"
        assert run({"op": "text"}, True) == "true"
        assert run({"op": "text"}, dt.date(2023, 4, 5)) == "2023-04-05"

    def test_a_list_is_refused(self) -> None:
        assert reason({"op": "text"}, ["a", "b"]) == '["a", "b"] is a list, not a text value'


class TestJoin:
    def test_joins_trimmed_parts_skipping_blanks(self) -> None:
        spec = {"op": "join", "separator": ", "}
        assert run(spec, " 12 ", "", "High Street", None, "Leeds") == "12, High Street, Leeds"

    def test_default_separator_is_a_space(self) -> None:
        assert run({"op": "join"}, "John", "Paul") == "John Paul"

    def test_numbers_are_joined_as_text(self) -> None:
        assert run({"op": "join", "separator": "/"}, 4623, 23.0) == "4623/23"

    def test_all_blank_is_absent(self) -> None:
        assert run({"op": "join"}, "", " ", None) is None

    def test_null_values_are_skipped(self) -> None:
        assert run({"op": "join", "null_values": ["N/A"]}, "Flat 1", "n/a", "Leeds") == "Flat 1 Leeds"
