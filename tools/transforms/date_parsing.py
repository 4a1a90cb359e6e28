"""Reading dates and times with an explicit strptime format.

``datetime.strptime`` already rejects trailing junk ('unconverted data remains') and
matches ``%b``/``%B`` month names case-insensitively, so Oracle's '05-APR-23' reads with
'%d-%b-%y'. Month and day names follow the process locale, which crosswalk never
changes from the default C/English one. What strptime gets wrong for us is ``%y``: it
pivots at 69 whatever the field means, so the century is recomputed here from the
spec's ``century_pivot``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.source_values import as_text, wrong_kind

# A time of day after a date, for parse_date's allow_time_suffix ('05/04/2023 00:00').
_TIME_SUFFIX = re.compile(r"^(?P<date>.*?\S)[ T]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?$", re.ASCII)

# Formats that are nothing but run-together digits; numbers exported from spreadsheets
# lose their leading zeros ('0032' -> 32), so such values are zero-padded to full width.
_COMPACT_TIME_WIDTH = {"%H%M": 4, "%H%M%S": 6}

# Excel stores a time-only cell as a time on its day zero, which readers may hand over
# as a datetime on one of these dates.
_EXCEL_DAY_ZERO = (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1))


@lru_cache(maxsize=256)
def directives(fmt: str) -> frozenset[str]:
    """The directive letters in a strptime format ('%d/%m/%y' -> {'d', 'm', 'y'})."""
    found: set[str] = set()
    i = 0
    while i < len(fmt) - 1:
        if fmt[i] == "%":
            found.add(fmt[i + 1])
            i += 2
        else:
            i += 1
    found.discard("%")
    return frozenset(found)


def strptime_pivot(text: str, fmt: str, century_pivot: int) -> dt.datetime:
    """``strptime`` with two-digit years read as 20yy when yy < pivot, else 19yy.

    Raises ValueError when the text does not match the format or the date does not exist
    (including 29 February 1900, which the pivot can produce from '29/02/00').
    """
    parsed = dt.datetime.strptime(text, fmt)
    if "y" in directives(fmt):
        two_digits = parsed.year % 100
        century = 2000 if two_digits < century_pivot else 1900
        parsed = parsed.replace(year=century + two_digits)
    return parsed


def value_text(value: Any, expected: str) -> str:
    """Trimmed text of a string or number; other kinds are refused with a reason."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TransformValueError(wrong_kind(value, expected))
    return as_text(value).strip()


def read_date(value: Any, fmt: str, century_pivot: int, allow_time_suffix: bool = False) -> dt.date:
    """A calendar date from text (or a number such as 20230405) or a date/datetime object.

    A time of day is accepted only when it is midnight: from a datetime object (XLSX
    date cells arrive so), from ``fmt`` itself, or as a suffix when allowed.
    """
    if isinstance(value, dt.datetime):
        return _midnight_only(value, value)
    if isinstance(value, dt.date):
        return value
    text = value_text(value, "a date")
    try:
        parsed = strptime_pivot(text, fmt, century_pivot)
    except ValueError:
        parsed = None
    if parsed is not None:
        return _midnight_only(parsed, value)
    suffix = _TIME_SUFFIX.match(text) if allow_time_suffix else None
    if suffix is not None:
        try:
            day = strptime_pivot(suffix.group("date"), fmt, century_pivot)
        except ValueError:
            day = None
        if day is not None:
            clock = [suffix.group(k) or "0" for k in ("h", "m", "s", "f")]
            if any(int(part) for part in clock):
                raise TransformValueError(reasons.TIME_NOT_MIDNIGHT.format(value=reasons.show(value)))
            return _midnight_only(day, value)
    raise TransformValueError(reasons.INVALID_DATE.format(value=reasons.show(value), format=fmt))


def read_datetime(value: Any, fmt: str, century_pivot: int) -> dt.datetime:
    """A date-time, naive or (when the text carried ``%z``) aware; date-only objects refused."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        raise TransformValueError(reasons.DATE_WITHOUT_TIME.format(value=reasons.show(value)))
    text = value_text(value, "a date-time")
    try:
        return strptime_pivot(text, fmt, century_pivot)
    except ValueError:
        raise TransformValueError(reasons.INVALID_DATETIME.format(value=reasons.show(value), format=fmt)) from None


def read_time(value: Any, fmt: str) -> dt.time:
    """A time of day from text, a number (1432 for '%H%M'), a time, or an Excel day-zero datetime."""
    if isinstance(value, dt.datetime):
        if value.date() in _EXCEL_DAY_ZERO:
            return value.time()
        raise TransformValueError(wrong_kind(value, "a time of day"))
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    text = value_text(value, "a time of day")
    width = _COMPACT_TIME_WIDTH.get(fmt)
    if width is not None and text.isascii() and text.isdigit() and len(text) < width:
        text = text.zfill(width)
    try:
        return dt.datetime.strptime(text, fmt).time()
    except ValueError:
        raise TransformValueError(reasons.INVALID_TIME.format(value=reasons.show(value), format=fmt)) from None


def format_time(clock: dt.time) -> str:
    """HH:MM:SS, with .ffffff only when there are microseconds."""
    text = f"{clock.hour:02d}:{clock.minute:02d}:{clock.second:02d}"
    if clock.microsecond:
        text += f".{clock.microsecond:06d}"
    return text


def format_date(day: dt.date) -> str:
    """YYYY-MM-DD with a four-digit year even before 1000 (strftime may not pad)."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _midnight_only(moment: dt.datetime, shown: Any) -> dt.date:
    if moment.time() != dt.time(0, 0):
        raise TransformValueError(reasons.TIME_NOT_MIDNIGHT.format(value=reasons.show(shown)))
    return moment.date()
