"""UK identifiers with a fixed grammar: postcode, VRM, NHS number, NI number.

Each is normalised first (upper case, separators removed), then checked against its
grammar, then laid out in the requested style.
"""

from __future__ import annotations

import re
from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.source_values import as_text
from tools.transforms.spec import NhsNumber, NiNumber, Postcode, Vrm
from tools.uk_identifiers import NI_NUMBER, POSTCODE_ANCHORED as POSTCODE, POSTCODE_COMPACT, nhs_check_digit, ni_prefix_issued

_WHITE_SPACE = re.compile(r"\s+")
_SPACES_AND_HYPHENS = re.compile(r"[\s\-]+")

# Vehicle registration styles, each with where the optional space goes.
VRM_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("current", re.compile(r"^(?P<a>[A-Z]{2}[0-9]{2})(?P<b>[A-Z]{3})$")),  # AB12 CDE (2001-)
    ("prefix", re.compile(r"^(?P<a>[A-Z][0-9]{1,3})(?P<b>[A-Z]{3})$")),  # A123 BCD (1983-2001)
    ("suffix", re.compile(r"^(?P<a>[A-Z]{3})(?P<b>[0-9]{1,3}[A-Z])$")),  # ABC 123D (1963-1983)
    ("dateless", re.compile(r"^(?P<a>[A-Z]{1,3})(?P<b>[0-9]{1,4})$")),  # ABC 123, and NI's ABZ 1234
    ("dateless", re.compile(r"^(?P<a>[0-9]{1,4})(?P<b>[A-Z]{1,3})$")),  # 1234 AB
)

def postcode(spec: Postcode, value: Any) -> str:
    """'sw1a1aa' / 'SW1A  1AA' -> 'SW1A 1AA' (or 'SW1A1AA' without ``space``)."""
    compact = _WHITE_SPACE.sub("", as_text(value, "a postcode")).upper()
    if not POSTCODE_COMPACT.fullmatch(compact):
        raise TransformValueError(reasons.INVALID_POSTCODE.format(value=reasons.show(value)))
    return f"{compact[:-3]} {compact[-3:]}" if spec.space else compact


def vrm(spec: Vrm, value: Any) -> str:
    """A registration mark in upper case, spaces and hyphens removed (or one space if asked)."""
    compact = _SPACES_AND_HYPHENS.sub("", as_text(value, "a registration mark")).upper()
    for _style, pattern in VRM_STYLES:
        match = pattern.match(compact)
        if match:
            return f"{match.group('a')} {match.group('b')}" if spec.space else compact
    raise TransformValueError(reasons.INVALID_VRM.format(value=reasons.show(value)))


def nhs_number(spec: NhsNumber, value: Any) -> str:
    """Ten digits whose last is the modulus-11 check of the first nine."""
    digits = _SPACES_AND_HYPHENS.sub("", as_text(value, "an NHS number"))
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        raise TransformValueError(reasons.NHS_NOT_TEN_DIGITS.format(value=reasons.show(value)))
    expected = nhs_check_digit(digits[:9])
    if expected is None:
        raise TransformValueError(reasons.NHS_NO_CHECK.format(value=reasons.show(value)))
    if expected != int(digits[9]):
        raise TransformValueError(reasons.NHS_BAD_CHECK.format(value=reasons.show(value), expected=expected, actual=digits[9]))
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if spec.style == "spaced" else digits


def ni_number(spec: NiNumber, value: Any) -> str:
    """'ab123456c' -> 'AB123456C' (or 'AB 12 34 56 C' with ``space``)."""
    compact = _WHITE_SPACE.sub("", as_text(value, "a National Insurance number")).upper()
    match = NI_NUMBER.fullmatch(compact)
    if match is None:
        raise TransformValueError(reasons.NI_BAD_SHAPE.format(value=reasons.show(value)))
    prefix = match.group("prefix")
    if not ni_prefix_issued(prefix):
        raise TransformValueError(reasons.NI_NOT_ISSUED.format(value=reasons.show(value), prefix=prefix))
    if not spec.space:
        return compact
    d = match.group("digits")
    return f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {match.group('suffix')}"
