"""The detection result and the prepared column every detector reads.

A detector answers one question about a sampled column ("are these postcodes?") with a
``Detection``. Detectors share one ``Column`` so that stripping, counting and shape
masking happen once per column, not once per detector.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, TypeVar, Union

from pydantic import BaseModel, Field

from tools.value_shapes import value_shape

# One pseudo-observation of "no match" is added to every column: 1 matching value scores
# 0.5, 20 score 0.95, 5000 score 0.9998. Tiny samples never look certain.
SMALL_SAMPLE_PRIOR = 1
MAX_COUNTER_EXAMPLES = 3
# Structured values (codes, numbers, dates) are short; masking long narrative text is the
# costliest step and no shape-based detector could match it, so it is not grouped.
MAX_SHAPED_LENGTH = 128

T = TypeVar("T")


class Detection(BaseModel):
    """What one detector found in one column."""

    kind: str
    score: float = Field(
        ge=0.0, le=1.0, description="share of non-blank values matched, shrunk for tiny samples and ambiguity"
    )
    matched: int = Field(ge=0)
    total: int = Field(ge=0)
    counter_examples: list[str] = Field(default_factory=list, description="up to 3 raw values that did not match")
    counter_example_shapes: list[str] = Field(
        default_factory=list, description="the same values masked: letters A/a, digits 9"
    )
    evidence: dict[str, Any] = Field(default_factory=dict)


def _grouping_table() -> dict[int, str]:
    # Only ASCII digits become 9, so a detector may int() any run of 9s it finds in a
    # shape ("²" and other Unicode digits stay as they are). Latin-1 and Latin
    # Extended-A letters are masked too, so accented names group together.
    table: dict[int, str] = {}
    for code in range(0x250):
        ch = chr(code)
        if "0" <= ch <= "9":
            table[code] = "9"
        elif ch.isalpha():
            table[code] = "A" if ch.isupper() else "a"
    return table


_SHAPE = _grouping_table()


def shape_of(text: str) -> str:
    """A value masked for display (letters A/a, digits 9), as the profiler shows shapes."""
    return value_shape(text)


def text_of(value: Any) -> str | None:
    """The stripped text form of one value; None for blanks (None, NaN, whitespace)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        # Spreadsheet readers give whole numbers as floats; 9434765919.0 is an integer.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _native_tag(value: Any) -> str | None:
    """Which non-text Python type a value arrived as (datetime before date: it subclasses it)."""
    if isinstance(value, str):
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    return None


class Column:
    """The non-blank values of one sampled column, counted by distinct text."""

    def __init__(self, values: Iterable[Any]) -> None:
        counts: dict[str, int] = {}
        natives: dict[str, str] = {}
        for value in values:
            if type(value) is str:  # the common case first: no type dispatch
                text = value.strip()
                if text:
                    counts[text] = counts.get(text, 0) + 1
                continue
            text = text_of(value)
            if text is None:
                continue
            counts[text] = counts.get(text, 0) + 1
            tag = _native_tag(value)
            if tag is not None:
                natives[text] = tag
        self.counts = counts
        self.natives = natives
        self.total = sum(counts.values())
        self._cache: dict[str, Any] = {}

    @property
    def distinct(self) -> int:
        return len(self.counts)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """Compute something once per column (shared by several detectors)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]  # type: ignore[no-any-return]

    def shape_groups(self) -> dict[str, list[str]]:
        """Distinct texts up to 128 characters grouped by shape (few groups for structured columns)."""

        def compute() -> dict[str, list[str]]:
            groups: dict[str, list[str]] = {}
            for text in self.counts:
                if len(text) <= MAX_SHAPED_LENGTH:
                    groups.setdefault(text.translate(_SHAPE), []).append(text)
            return groups

        return self.cached("shape_groups", compute)

    def compact_groups(self) -> dict[str, list[str]]:
        """Texts grouped by the shape of their upper-cased, whitespace-free form."""

        def compute() -> dict[str, list[str]]:
            # Derived from the shape groups: every text of one shape has the same compact shape.
            groups: dict[str, list[str]] = {}
            for shape, texts in self.shape_groups().items():
                groups.setdefault("".join(shape.split()).replace("a", "A"), []).extend(texts)
            return groups

        return self.cached("compact_groups", compute)

    def texts_shaped(self, shape_pattern: re.Pattern[str], *, compact: bool = False) -> Iterator[str]:
        """Texts whose (compact) shape fully matches ``shape_pattern``."""
        groups = self.compact_groups() if compact else self.shape_groups()
        for shape, texts in groups.items():
            if shape_pattern.fullmatch(shape):
                yield from texts

    def texts_where(self, shape_test: Callable[[str], bool]) -> list[str]:
        """Texts whose shape passes ``shape_test`` (a cheap filter before per-text work)."""
        return [text for shape, texts in self.shape_groups().items() if shape_test(shape) for text in texts]

    def digit_texts(self) -> list[str]:
        """Texts made of ASCII digits only (1, 0915, 2024)."""
        return self.texts_where(lambda shape: not shape.strip("9"))

    def wordy_texts(self, max_length: int) -> list[str]:
        """Texts without digits, up to ``max_length`` (at most 128) characters."""
        return self.texts_where(lambda shape: len(shape) <= max_length and "9" not in shape)

    def weight(self, texts: Iterable[str]) -> int:
        """How many sampled values the given distinct texts stand for."""
        counts = self.counts
        return sum(counts[t] for t in texts)

    def counter_examples(self, matched: Collection[str] | Callable[[str], bool]) -> list[str]:
        """The first few distinct texts that are not matched."""
        is_match = matched if callable(matched) else matched.__contains__
        misses: list[str] = []
        for text in self.counts:
            if not is_match(text):
                misses.append(text)
                if len(misses) == MAX_COUNTER_EXAMPLES:
                    break
        return misses


ColumnLike = Union[Column, Iterable[Any]]


def as_column(values: ColumnLike) -> Column:
    """Accept a prepared Column or any iterable of raw values."""
    return values if isinstance(values, Column) else Column(values)


def sample_score(matched: int, total: int, factor: float = 1.0) -> float:
    """Share matched, shrunk for tiny samples, times a detector's certainty factor."""
    if total <= 0 or matched <= 0:
        return 0.0
    return round(min(1.0, matched / (total + SMALL_SAMPLE_PRIOR) * factor), 4)


def make_detection(
    kind: str,
    column: Column,
    matched: Collection[str],
    *,
    factor: float = 1.0,
    evidence: dict[str, Any] | None = None,
    matched_count: int | None = None,
) -> Detection:
    """Build a Detection from the set of matched distinct texts.

    ``matched_count`` overrides the weight of ``matched`` when a detector estimated it
    from a sample (phone numbers).
    """
    count = column.weight(matched) if matched_count is None else matched_count
    misses = [] if count >= column.total else column.counter_examples(matched)
    return Detection(
        kind=kind,
        score=sample_score(count, column.total, factor),
        matched=count,
        total=column.total,
        counter_examples=misses,
        counter_example_shapes=[shape_of(m) for m in misses],
        evidence=evidence or {},
    )


def empty_detection(kind: str, column: Column, evidence: dict[str, Any] | None = None) -> Detection:
    """A zero-score detection that still reports a few counter-examples."""
    return make_detection(kind, column, (), factor=0.0, evidence=evidence)
