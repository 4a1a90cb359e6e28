"""Numeric reading of a column, shared by the coordinate, time and number detectors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.detectors.model import Column

# Shapes (digits masked as 9) of plain decimal numbers: 12, -3.5, +0.25, .5
_DOT_NUMBER_SHAPE = re.compile(r"[+-]?(?:9+(?:\.9*)?|\.9+)")
# Decimal comma, as in continental exports: -75,569854. Only read when no value uses a dot.
_COMMA_NUMBER_SHAPE = re.compile(r"[+-]?9+,9+")
_THOUSANDS_SHAPE = re.compile(r"[+-]?9{1,3}(?:,999)+(?:\.9+)?")


@dataclass(slots=True)
class NumericView:
    """The numbers a column holds, by distinct text."""

    values: dict[str, float] = field(default_factory=dict)
    decimals: dict[str, int] = field(default_factory=dict)
    decimal_comma: bool = False
    thousands_separated: int = 0

    def is_integral_text(self, text: str) -> bool:
        """True when the text was written without a fractional part."""
        return self.decimals.get(text, -1) == 0


def _decimals_after(text: str, separator: str) -> int:
    head, sep, tail = text.partition(separator)
    return len(tail) if sep else 0


def _compute(column: Column) -> NumericView:
    view = NumericView()
    groups = column.shape_groups()
    dot_texts = [t for shape, texts in groups.items() if _DOT_NUMBER_SHAPE.fullmatch(shape) for t in texts]
    comma_texts = [t for shape, texts in groups.items() if _COMMA_NUMBER_SHAPE.fullmatch(shape) for t in texts]
    has_dot_decimal = any("." in t for t in dot_texts)
    for text in dot_texts:
        view.values[text] = float(text)
        view.decimals[text] = _decimals_after(text, ".")
    if comma_texts and not has_dot_decimal:
        # "1,234" could be a thousand; decimal comma only when some value has other than 3 decimals.
        if any(_decimals_after(t, ",") != 3 for t in comma_texts):
            view.decimal_comma = True
            for text in comma_texts:
                view.values[text] = float(text.replace(",", "."))
                view.decimals[text] = _decimals_after(text, ",")
    if not view.decimal_comma:
        for shape, texts in groups.items():
            if _THOUSANDS_SHAPE.fullmatch(shape):
                for text in texts:
                    view.values[text] = float(text.replace(",", ""))
                    view.decimals[text] = _decimals_after(text, ".")
                    view.thousands_separated += 1
    return view


def numeric_view(column: Column) -> NumericView:
    """Numbers in the column (cached on the column)."""
    return column.cached("numeric_view", lambda: _compute(column))


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
