"""Numbers from text: to_integer and to_number.

Parsing is by regular expression rather than ``int()``/``float()`` because those accept
things a data standard must not ('nan', 'inf', '1_000', Unicode digits).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.source_values import wrong_kind
from tools.transforms.spec import ToInteger, ToNumber

_EXPONENT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$", re.ASCII)


def to_integer(spec: ToInteger, value: Any) -> int:
    """A whole number from an int, an integer-valued float, or text like ' -1,234 ' / '12.0'."""
    if isinstance(value, bool):
        raise TransformValueError(wrong_kind(value, "a number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise TransformValueError(reasons.NOT_INTEGER.format(value=reasons.show(value)))
    if not isinstance(value, str):
        raise TransformValueError(wrong_kind(value, "a number"))
    match = _integer_pattern(spec.thousands_separator).match(value.strip())
    if match is None:
        if _EXPONENT.match(value.strip()):
            raise TransformValueError(reasons.EXPONENT_IN_INTEGER.format(value=reasons.show(value)))
        raise TransformValueError(reasons.NOT_INTEGER.format(value=reasons.show(value)))
    digits = match.group("int")
    if spec.thousands_separator:
        digits = digits.replace(spec.thousands_separator, "")
    number = int(digits)
    return -number if match.group("sign") == "-" else number


def to_number(spec: ToNumber, value: Any) -> float:
    """A decimal number (always a float) from a number or from text.

    Text may have a sign, a decimal point (a comma when ``decimal_comma``), grouped
    thousands when a separator is given, and an exponent ('1.5e3').
    """
    if isinstance(value, bool):
        raise TransformValueError(wrong_kind(value, "a number"))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise TransformValueError(reasons.NOT_NUMBER.format(value=reasons.show(value)))
        return float(value)
    if not isinstance(value, str):
        raise TransformValueError(wrong_kind(value, "a number"))
    parsed = parse_decimal_text(value, decimal_comma=spec.decimal_comma, thousands_separator=spec.thousands_separator)
    number = None if parsed is None else float(parsed)
    # '1e400' is valid number text but overflows a double; JSON has no Infinity to write.
    if number is None or not math.isfinite(number):
        raise TransformValueError(reasons.NOT_NUMBER.format(value=reasons.show(value)))
    return number


def parse_decimal_text(text: str, *, decimal_comma: bool = False, thousands_separator: str | None = None) -> Decimal | None:
    """The exact decimal value of number text, or None when it is not a number."""
    match = _number_pattern(decimal_comma, thousands_separator).match(text.strip())
    if match is None:
        return None
    whole = match.group("int") or "0"
    if thousands_separator:
        whole = whole.replace(thousands_separator, "")
    canonical = f"{match.group('sign') or ''}{whole}.{match.group('frac') or '0'}{match.group('exp') or ''}"
    try:
        return Decimal(canonical)
    except InvalidOperation:  # pragma: no cover - the pattern only lets valid numbers through
        return None


def _grouped(separator: str | None) -> str:
    """Digits, or digits in groups of three split by ``separator`` when one is given."""
    if not separator:
        return r"\d+"
    sep = re.escape(separator)
    # Grouped form first, so '1.234' with separator '.' reads as 1234, not 1.234.
    return rf"(?:\d{{1,3}}(?:{sep}\d{{3}})+|\d+)"


@lru_cache(maxsize=32)
def _integer_pattern(separator: str | None) -> re.Pattern[str]:
    # An all-zero fraction ('12.0', '12.') is allowed: exports often write whole numbers so.
    return re.compile(rf"^(?P<sign>[+-])?(?P<int>{_grouped(separator)})(?:\.0*)?$", re.ASCII)


@lru_cache(maxsize=32)
def _number_pattern(decimal_comma: bool, separator: str | None) -> re.Pattern[str]:
    point = "," if decimal_comma else r"\."
    # The look-ahead demands a digit, so '.5' and '5.' pass but '.' and '-' do not.
    return re.compile(
        rf"^(?P<sign>[+-])?(?={point}?\d)(?P<int>{_grouped(separator)})?(?:{point}(?P<frac>\d*))?(?P<exp>[eE][+-]?\d+)?$",
        re.ASCII,
    )
