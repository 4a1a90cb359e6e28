"""tools.value_shapes: masking values down to their shape."""

from __future__ import annotations

import pytest

from tools.value_shapes import SHAPE_MAX_LENGTH, shape_counts, value_shape


@pytest.mark.parametrize(("value", "shape"), [
    ("SW1A 1AA", "AA9A 9AA"),
    ("sw1a  1aa", "aa9a  9aa"),  # case and the double space are kept
    ("05/04/2023", "99/99/9999"),
    ("2004/0123456L", "9999/9999999A"),
    ("943 476 5919", "999 999 9999"),
    ("O'Brien-Smith", "A'Aaaaa-Aaaaa"),
    ("Zoë Ángel", "Aaa Aaaaa"),
    ("AAAA", "AAAA"),  # runs are not collapsed
    ("IC1", "AA9"),
    ("", ""),
    ("  x ", "  a "),
    ("٣٤", "99"),  # any script's digits are digits
])
def test_value_shape(value: str, shape: str) -> None:
    assert value_shape(value) == shape


def test_long_values_are_cut_and_marked() -> None:
    assert SHAPE_MAX_LENGTH == 40
    assert value_shape("a" * 40) == "a" * 40
    assert value_shape("a" * 41) == "a" * 40 + "…"
    assert value_shape("AB12 CDE", max_length=4) == "AA99…"


def test_shape_counts_weights_and_orders() -> None:
    counts = {"SW1A 1AA": 3, "M1 1AE": 2, "LS1 4AP": 2, "EC1A 1BB": 1, "x": 1}
    assert shape_counts(counts) == [("AA9A 9AA", 4), ("A9 9AA", 2), ("AA9 9AA", 2), ("a", 1)]
    assert shape_counts(counts, top=1) == [("AA9A 9AA", 4)]
    assert shape_counts({}) == []
