"""The shared column preparation and Detection building used by every detector."""

from __future__ import annotations

import datetime as dt

import pytest

from tools.detectors.model import Column, Detection, make_detection, sample_score, shape_of, text_of


def test_shape_masks_letters_digits_and_accents_and_keeps_punctuation() -> None:
    assert shape_of("SW1A 1aa") == "AA9A 9aa"
    assert shape_of("Llŷr O'Brien-É") == "Aaaa A'Aaaaa-A"
    assert shape_of("2004/0123456L") == "9999/9999999A"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  M1 1AE ", "M1 1AE"),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        (9434765919.0, "9434765919"),  # spreadsheet whole numbers arrive as floats
        (51.5, "51.5"),
        (True, "True"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (dt.datetime(2024, 2, 29, 14, 32), "2024-02-29T14:32:00"),
        (dt.time(14, 32), "14:32:00"),
    ],
)
def test_text_of_strips_and_normalises_raw_values(value: object, text: str | None) -> None:
    assert text_of(value) == text


def test_column_counts_distinct_texts_and_remembers_native_types() -> None:
    column = Column(["A", " A", "", None, 3, 3.0, True, dt.date(2020, 1, 1)])
    assert column.counts == {"A": 2, "3": 2, "True": 1, "2020-01-01": 1}
    assert column.total == 6
    assert column.distinct == 4
    assert column.natives == {"3": "float", "True": "bool", "2020-01-01": "date"}


def test_shape_groups_and_compact_groups() -> None:
    column = Column(["SW1A 1AA", "sw1a1aa", "EC1A 1BB", "x" * 200])
    assert column.shape_groups() == {"AA9A 9AA": ["SW1A 1AA", "EC1A 1BB"], "aa9a9aa": ["sw1a1aa"]}
    # long narrative text is never shaped
    assert column.compact_groups() == {"AA9A9AA": ["SW1A 1AA", "EC1A 1BB", "sw1a1aa"]}
    assert column.wordy_texts(10) == []
    assert column.texts_where(lambda s: s.startswith("aa")) == ["sw1a1aa"]


def test_sample_score_shrinks_tiny_samples() -> None:
    assert sample_score(1, 1) == 0.5
    assert sample_score(20, 20) == 0.9524
    assert sample_score(5000, 5000) == 0.9998
    assert sample_score(10, 20, factor=0.5) == 0.2381
    assert sample_score(0, 20) == 0.0
    assert sample_score(3, 0) == 0.0


def test_make_detection_reports_first_three_distinct_misses_with_shapes() -> None:
    column = Column(["ok", "bad1", "ok", "Bad 2", "bad1", "BAD3", "bad4"])
    detection = make_detection("demo", column, {"ok"}, evidence={"why": 1})
    assert detection == Detection(
        kind="demo",
        score=0.25,
        matched=2,
        total=7,
        counter_examples=["bad1", "Bad 2", "BAD3"],
        counter_example_shapes=["aaa9", "Aaa 9", "AAA9"],
        evidence={"why": 1},
    )


def test_make_detection_with_everything_matched_has_no_counter_examples() -> None:
    column = Column(["a", "b"])
    detection = make_detection("demo", column, {"a", "b"})
    assert (detection.matched, detection.counter_examples, detection.score) == (2, [], 0.6667)
