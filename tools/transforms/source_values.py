"""How a source value that is not a string reads as text.

CSV gives strings, but JSON and XLSX give numbers, booleans, dates and lists. Ops that
work on text (text, join, value_map, to_boolean, identifiers ...) read such values
through :func:`as_text`, so every op agrees on what ``12.0`` or ``True`` looks like.
"""

from __future__ import annotations

from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons


def as_text(value: Any, expected: str = "a single value") -> str:
    """The text of a scalar value (see ``reasons.plain_text``); lists and objects are refused."""
    text = reasons.plain_text(value)
    if text is None:
        raise TransformValueError(wrong_kind(value, expected))
    return text


def wrong_kind(value: Any, expected: str) -> str:
    """The reason for a value of the wrong type, e.g. "[1, 2] is a list, not a name"."""
    return reasons.WRONG_KIND.format(value=reasons.show(value), kind=reasons.kind_of(value), expected=expected)


def is_number(value: Any) -> bool:
    """True for int and float but not bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
