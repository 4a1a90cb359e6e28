"""Boolean, code list, integer, decimal and free-text detectors."""

from __future__ import annotations

from tools.detectors.generic import (
    MAX_CODE_LIST_SIZE,
    detect_boolean,
    detect_code_list,
    detect_decimal,
    detect_free_text,
    detect_integer,
)


def test_booleans_in_word_and_letter_forms() -> None:
    d = detect_boolean(["Y", "N", "yes", "No", "True", "FALSE", True, "T", "F"])
    assert (d.kind, d.matched, d.score) == ("boolean", 9, 0.9)
    assert d.evidence == {
        "forms": {"y/n": 2, "yes/no": 2, "true/false": 3, "t/f": 2},
        "true": 5,
        "false": 4,
    }


def test_one_zero_booleans_only_when_nothing_else() -> None:
    d = detect_boolean([1, 0, "1", "0", 1])
    assert (d.matched, d.evidence["forms"]) == (5, {"1/0": 5})
    assert d.score == round(5 / 6 * 0.9, 4)
    assert detect_boolean([1, 0, 2, 3]).matched == 0  # a count, not a flag
    assert detect_boolean([1, 1, 1]).score == round(3 / 4 * 0.5, 4)  # all ones: weak


def test_sex_letters_are_not_booleans() -> None:
    assert detect_boolean(["M", "F", "F", "M", "U"]).score == 0.0  # F counts only beside a T


def test_code_list_of_repeating_values() -> None:
    d = detect_code_list(["A", "B", "A", "C", "B", "A", "D", "A", "B"])
    assert (d.kind, d.matched, d.score) == ("code_list", 7, 0.7)  # C and D appear once
    assert d.evidence == {"distinct": 4, "values": {"A": 4, "B": 3, "C": 1, "D": 1}}


def test_unique_or_high_cardinality_values_are_not_code_lists() -> None:
    assert detect_code_list(["a", "b", "c"]).score == 0.0
    assert detect_code_list(["a", "b", "a", "c", "d"]).score == 0.0  # more than half distinct
    many = [f"v{i % (MAX_CODE_LIST_SIZE + 1)}" for i in range(1000)]
    assert detect_code_list(many).score == 0.0


def test_integers_and_their_evidence() -> None:
    d = detect_integer([12, "-3", "+7", "1,234", "0", 5.0])
    assert (d.kind, d.matched, d.score) == ("integer", 6, 0.8571)
    assert d.evidence == {"leading_zero": 0, "min": -3, "max": 1234, "negative": 1, "thousands_separated": 1}


def test_leading_zeros_and_decimals_are_not_integers() -> None:
    d = detect_integer(["007", "0915", "1.5", "12a", "1 000"])
    assert (d.matched, d.evidence) == (0, {"leading_zero": 2})


def test_decimals_include_whole_numbers_in_the_same_column() -> None:
    d = detect_decimal(["1.25", "3", "-0.5", "10.125"])
    assert (d.matched, d.score) == (4, 0.8)
    assert d.evidence == {"fractional": 3, "max_decimals": 3, "min": -0.5, "max": 10.125, "decimal_comma": False}


def test_whole_numbers_alone_are_not_decimals() -> None:
    assert detect_decimal(["1", "2", "3"]).score == 0.0
    assert detect_decimal(["1.2.3", "abc"]).score == 0.0


def test_decimal_comma_columns() -> None:
    d = detect_decimal(["-75,56985400000", "6,257", "34,5"])
    assert d.matched == 3
    assert d.evidence["decimal_comma"] is True


def test_free_text_narratives() -> None:
    values = [
        "Suspect seen running towards the car park",
        "Victim reports phone taken from bag on the bus",
        "Caller states neighbours shouting, no further details",
    ]
    d = detect_free_text(values)
    assert (d.kind, d.matched, d.score) == ("free_text", 3, 0.75)
    assert d.evidence["distinct_ratio"] == 1.0


def test_repeated_labels_are_not_free_text() -> None:
    values = ["Unable to prosecute suspect"] * 10 + ["Investigation complete; no suspect identified"] * 10
    assert detect_free_text(values).score == round(20 / 21 * 0.2, 4)
    assert detect_free_text(["Vehicle crime", "SW1A 1AA", "two words"]).matched == 0
