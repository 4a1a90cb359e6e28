"""Value shapes: a value with its letters and digits masked, e.g. ``SW1A 1AA`` -> ``AA9A 9AA``.

A shape keeps the structure a detector or a reviewer needs (postcode, PNC ID, date
layout) without the content, so shapes are safe to show where raw values are not.
Runs are not collapsed: the length of each part is part of the evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

SHAPE_MAX_LENGTH = 40
TRUNCATED = "…"


class _ShapeTable(dict[int, str]):
    """``str.translate`` table that classifies any character the first time it is seen."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isdigit():
            shaped = "9"
        elif char.isalpha():
            # caseless scripts have no upper/lower: count them as upper case
            shaped = "a" if char.islower() else "A"
        else:
            shaped = char
        self[code] = shaped
        return shaped


_TABLE = _ShapeTable()


def value_shape(text: str, max_length: int = SHAPE_MAX_LENGTH) -> str:
    """The shape of ``text``; longer values are cut at ``max_length`` and end with ``…``."""
    if len(text) > max_length:
        return text[:max_length].translate(_TABLE) + TRUNCATED
    return text.translate(_TABLE)


def shape_counts(counts: Mapping[str, int], top: int = 10) -> list[tuple[str, int]]:
    """Most common shapes of values given with their counts, most common first, ties by shape."""
    shapes: Counter[str] = Counter()
    for text, count in counts.items():
        shapes[value_shape(text)] += count
    return sorted(shapes.items(), key=lambda item: (-item[1], item[0]))[:top]
