"""How a source value that is not a string reads as text.

CSV gives strings, but JSON and XLSX give numbers, booleans, dates and lists. Ops that
work on text (text, join, value_map, to_boolean, identifiers ...) read such values
through :func:`as_text`, so every op agrees on what ``12.0`` or ``True`` looks like.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons


def as_text(value: Any, expected: str = "a single value") -> str:
    """The text of a scalar value; lists and objects are refused.

    Integer-valued floats lose their '.0' because XLSX stores every number as a float
    (a code typed as 12 arrives as 12.0); booleans read as JSON does, 'true'/'false'.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TransformValueError(wrong_kind(value, expected))


def wrong_kind(value: Any, expected: str) -> str:
    """The reason for a value of the wrong type, e.g. "[1, 2] is a list, not a name"."""
    return reasons.WRONG_KIND.format(value=reasons.show(value), kind=reasons.kind_of(value), expected=expected)


def is_number(value: Any) -> bool:
    """True for int and float but not bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
