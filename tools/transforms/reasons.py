"""The reason texts a rejected value carries into the quarantine.

Every engine must produce the same text for the same failure, so the texts live here as
format constants (``str.format`` fields in braces) and one function, :func:`show`, that
renders the offending value. The SQL engine can rebuild each text with string
concatenation: ``show`` of a string is the string in single quotes, cut to
``SHOW_LIMIT`` characters.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

SHOW_LIMIT = 80
"""Longer values are cut to this many characters plus '...' so reasons stay one line."""


def plain_text(value: Any) -> str | None:
    """How a scalar reads as text, or None for lists, objects and other kinds.

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
        return str(int(value)) if math.isfinite(value) and value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return None


def show(value: Any) -> str:
    """The value as a reason quotes it: strings and dates in single quotes, numbers bare."""
    if isinstance(value, (str, dt.date, dt.time)):
        return quote(plain_text(value) or "")
    text = plain_text(value)
    if text is not None:
        return text
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def quote(text: str) -> str:
    """``text`` in single quotes, shortened when long."""
    if len(text) > SHOW_LIMIT:
        text = text[: SHOW_LIMIT - 3] + "..."
    return f"'{text}'"


def kind_of(value: Any) -> str:
    """A plain-English name for a value's type, for 'is a list, not ...' reasons."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dt.datetime):
        return "date-time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


# Any op --------------------------------------------------------------------------------
WRONG_KIND = "{value} is a {kind}, not {expected}"

# Numbers -------------------------------------------------------------------------------
NOT_INTEGER = "{value} is not a whole number"
NOT_NUMBER = "{value} is not a number"
EXPONENT_IN_INTEGER = "{value} is in exponent notation, which is refused for whole numbers (often a long code mangled by a spreadsheet)"
NOT_BOOLEAN = "{value} is not one of the true values ({true}) or false values ({false})"

# Codes ---------------------------------------------------------------------------------
UNMAPPED = "{value} is not in the value map (known values: {known})"

# Dates and times -----------------------------------------------------------------------
INVALID_DATE = "{value} is not a valid date for format {format}"
INVALID_DATETIME = "{value} is not a valid date-time for format {format}"
INVALID_TIME = "{value} is not a valid time for format {format}"
TIME_NOT_MIDNIGHT = "{value} has a time of day that is not midnight; a date was expected"
DATE_WITHOUT_TIME = "{value} is a date without a time of day; a date-time was expected"
MISSING_TIME = "date {value} has no time and missing_time is 'error'"
MISSING_DATE = "time {value} has no date"
NONEXISTENT_LOCAL = "{value} does not exist in {zone}: the clocks went forward over that time"
AMBIGUOUS_LOCAL = "{value} happened twice in {zone} (clocks went back: {first} then {second}) and on_ambiguous is 'error'"
OUT_OF_RANGE = "{value} is outside the years 1 to 9999 once shown in {zone}"
EPOCH_OUT_OF_RANGE = "{value} is outside 1900-2100 as {unit} since 1970-01-01{hint}"
EPOCH_HINT_MS = " (it would fit as milliseconds)"
EPOCH_HINT_S = " (it would fit as seconds)"
EXCEL_FAKE_LEAP_DAY = "{value} is Excel's serial for 1900-02-29, a day that never existed"
EXCEL_OUT_OF_RANGE = "{value} is outside Excel's serial date range (1 to 2958465)"

# Names ---------------------------------------------------------------------------------
NOT_A_NAME = "{value} has no letters, so it is not a name"

# Identifiers ---------------------------------------------------------------------------
INVALID_POSTCODE = "{value} is not a valid UK postcode"
INVALID_VRM = "{value} is not a UK vehicle registration mark (current, prefix, suffix or dateless style)"
NHS_NOT_TEN_DIGITS = "{value} is not a 10-digit NHS number"
NHS_BAD_CHECK = "{value} is not a valid NHS number (check digit should be {expected}, not {actual})"
NHS_NO_CHECK = "{value} is not a valid NHS number (no check digit is possible for its first nine digits)"
NI_BAD_SHAPE = "{value} is not a National Insurance number (two letters, six digits, a final letter A-D)"
NI_NOT_ISSUED = "{value} has the National Insurance prefix {prefix}, which is never issued"
INVALID_PHONE = "{value} is not a valid phone number (read in region {region})"

# Geography -----------------------------------------------------------------------------
COORDINATE_MISSING = "{present} {value} has no {missing}"
COORDINATE_NOT_NUMBER = "{axis} {value} is not a number"
COORDINATE_OUT_OF_RANGE = "{axis} {value} is outside British National Grid ({low} to {high} metres)"
TRANSFORM_FAILED = "easting {easting}, northing {northing} could not be converted to WGS84"
