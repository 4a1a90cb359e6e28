"""Dates and times held as numbers: epoch_to_datetime and excel_serial_date.

Arithmetic is done in ``Decimal`` and whole microseconds/milliseconds so that
'1685626320000' and 45000.605555555556 land on the exact instant a person would expect,
not one float rounding step away from it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.datetime_ops import render
from tools.transforms.date_parsing import format_date
from tools.transforms.number_ops import parse_decimal_text
from tools.transforms.source_values import wrong_kind
from tools.transforms.spec import EpochToDateTime, ExcelSerialDate
from tools.transforms.timezones import UTC, to_instant

EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_FIRST = dt.datetime(1900, 1, 1, tzinfo=UTC)
EPOCH_LAST = dt.datetime(2101, 1, 1, tzinfo=UTC)  # exclusive: 2100 is the last year accepted
_MICROS_PER_UNIT = {"s": 1_000_000, "ms": 1_000}

EXCEL_LAST_SERIAL = 2958465  # 9999-12-31
EXCEL_FAKE_LEAP_SERIAL = 60  # Excel copied Lotus 1-2-3's 29 February 1900
_MS_PER_DAY = 86_400_000


def epoch_to_datetime(spec: EpochToDateTime, value: Any) -> str:
    """RFC 3339 in ``spec.timezone`` from seconds or milliseconds since 1970 (UTC)."""
    amount = serial_number(value, "a number of seconds" if spec.unit == "s" else "a number of milliseconds")
    if not _epoch_in_range(amount, spec.unit):
        other = "ms" if spec.unit == "s" else "s"
        hint = ""
        if _epoch_in_range(amount, other):
            hint = reasons.EPOCH_HINT_MS if other == "ms" else reasons.EPOCH_HINT_S
        unit = "seconds" if spec.unit == "s" else "milliseconds"
        raise TransformValueError(reasons.EPOCH_OUT_OF_RANGE.format(value=reasons.show(value), unit=unit, hint=hint))
    micros = _whole(amount * _MICROS_PER_UNIT[spec.unit])
    instant = EPOCH + dt.timedelta(microseconds=micros)
    return render(instant, spec.timezone, reasons.show(value))


def excel_serial_date(spec: ExcelSerialDate, value: Any) -> str:
    """A date or RFC 3339 date-time from an Excel 1900-system serial day number.

    Serial 1 is 1900-01-01 and 60 is Excel's non-existent 1900-02-29 (refused); the
    fraction is the time of day, rounded to the millisecond Excel keeps. Date objects
    (readers that already decoded the cell) are taken as they are.
    """
    shown = reasons.show(value)
    if isinstance(value, (dt.date, dt.datetime)):
        local = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(0))
    else:
        local = excel_serial_to_naive(serial_number(value, "an Excel serial date"), shown)
    if spec.output == "date":
        if local.time() != dt.time(0):
            raise TransformValueError(reasons.TIME_NOT_MIDNIGHT.format(value=shown))
        return format_date(local.date())
    return render(to_instant(local, spec.timezone, spec.on_ambiguous, shown), spec.timezone, shown)


def excel_serial_to_naive(serial: Decimal, shown: str) -> dt.datetime:
    """The naive local date-time an Excel serial stands for."""
    if serial < 1 or serial >= EXCEL_LAST_SERIAL + 1:
        raise TransformValueError(reasons.EXCEL_OUT_OF_RANGE.format(value=shown))
    days = int(serial)  # serial >= 1, so int() is floor
    if days == EXCEL_FAKE_LEAP_SERIAL:
        raise TransformValueError(reasons.EXCEL_FAKE_LEAP_DAY.format(value=shown))
    # Serials after the fake leap day are one ahead of the real calendar.
    base = dt.datetime(1899, 12, 31) if days < EXCEL_FAKE_LEAP_SERIAL else dt.datetime(1899, 12, 30)
    millis = _whole((serial - days) * _MS_PER_DAY)
    try:
        return base + dt.timedelta(days=days, milliseconds=millis)
    except OverflowError:  # the last serial's fraction rounding into year 10000
        raise TransformValueError(reasons.EXCEL_OUT_OF_RANGE.format(value=shown)) from None


def serial_number(value: Any, expected: str) -> Decimal:
    """The exact decimal value of a number or number text; other kinds are refused."""
    if isinstance(value, bool):
        raise TransformValueError(wrong_kind(value, expected))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        parsed = parse_decimal_text(repr(value))  # repr: the shortest text, not binary noise
    elif isinstance(value, str):
        parsed = parse_decimal_text(value)
    else:
        raise TransformValueError(wrong_kind(value, expected))
    if parsed is None:
        raise TransformValueError(reasons.NOT_NUMBER.format(value=reasons.show(value)))
    return parsed


def _whole(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _epoch_in_range(amount: Decimal, unit: str) -> bool:
    """Whether ``amount`` of ``unit`` after 1970 falls in 1900-2100 (compared exactly)."""
    per_unit = _MICROS_PER_UNIT[unit]
    first = Decimal((EPOCH_FIRST - EPOCH) // dt.timedelta(microseconds=1)) / per_unit
    last = Decimal((EPOCH_LAST - EPOCH) // dt.timedelta(microseconds=1)) / per_unit
    return first <= amount < last
