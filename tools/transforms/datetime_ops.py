"""Date and time ops with an explicit format: parse_date, parse_datetime, parse_time,
combine_date_time. Serial numbers (epoch, Excel) are in ``serial_ops``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.date_parsing import format_date, format_time, read_date, read_datetime, read_time
from tools.transforms.source_values import as_text
from tools.transforms.spec import CombineDateTime, ParseDate, ParseDateTime, ParseTime
from tools.transforms.timezones import localize, rfc3339, to_instant


def parse_date(spec: ParseDate, value: Any) -> str:
    """``YYYY-MM-DD`` from text in ``spec.format`` (or a date object)."""
    return format_date(read_date(value, spec.format, spec.century_pivot, spec.allow_time_suffix))


def parse_datetime(spec: ParseDateTime, value: Any) -> str:
    """RFC 3339 date-time; naive values are local in ``spec.timezone``."""
    moment = read_datetime(value, spec.format, spec.century_pivot)
    shown = reasons.show(value)
    return render(to_instant(moment, spec.timezone, spec.on_ambiguous, shown), spec.timezone, shown)


def parse_time(spec: ParseTime, value: Any) -> str:
    """``HH:MM:SS`` (plus ``.ffffff`` when there are microseconds)."""
    return format_time(read_time(value, spec.format))


def combine_date_time(spec: CombineDateTime, values: Sequence[Any]) -> str:
    """One RFC 3339 date-time from a date source and a time source.

    A missing time is an error or midnight as ``missing_time`` says; a time without a
    date is always an error.
    """
    date_value, time_value = values
    if date_value is None:
        raise TransformValueError(reasons.MISSING_DATE.format(value=reasons.show(time_value)))
    day = read_date(date_value, spec.date_format, spec.century_pivot)
    if time_value is None:
        if spec.missing_time == "error":
            raise TransformValueError(reasons.MISSING_TIME.format(value=reasons.show(date_value)))
        clock = dt.time(0, 0)
    else:
        clock = read_time(time_value, spec.time_format)
    shown = reasons.quote(_plain(date_value) + (" " + _plain(time_value) if time_value is not None else ""))
    instant = localize(dt.datetime.combine(day, clock), spec.timezone, spec.on_ambiguous, shown)
    return render(instant, spec.timezone, shown)


def render(instant: dt.datetime, zone_name: str, shown: str) -> str:
    """RFC 3339 text, refusing instants that leave years 1-9999 in the target zone."""
    try:
        return rfc3339(instant, zone_name)
    except (OverflowError, ValueError):
        raise TransformValueError(reasons.OUT_OF_RANGE.format(value=shown, zone=zone_name)) from None


def _plain(value: Any) -> str:
    """The value's text for a combined quote (date objects as ISO)."""
    try:
        return as_text(value).strip()
    except TransformValueError:
        return reasons.show(value)
