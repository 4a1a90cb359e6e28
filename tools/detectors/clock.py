"""Times of day and numeric timestamps: ``14:32`` / ``1432``, epoch seconds or ms, Excel serials."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from tools.detectors.model import ColumnLike, Detection, as_column, make_detection
from tools.detectors.numeric import numeric_view

# --- time of day -------------------------------------------------------------------------
_CLOCK_TEXT = re.compile(
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<F>\.\d{1,9})?)?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
)
_HHMM_DIGITS = re.compile(r"\d{1,4}")
# Shapes (digits masked as 9) worth reading as a time at all.
_TIME_SHAPE = re.compile(r"9{1,2}:99(?::99(?:\.9{1,9})?)?(?:\s*[Aa]\.?[Aa]\.?)?|9{1,4}|99:99:99(?:[+-]99:99)?")
# A column written as bare digits (0915, 1432) is also a column of numbers.
_DIGITS_ONLY_FACTOR = 0.9


def _clock_format(m: re.Match[str]) -> str | None:
    hour, minute, second = int(m["H"]), int(m["M"]), int(m["S"] or 0)
    if minute > 59 or second > 59 or hour > (12 if m["ampm"] else 23) or (m["ampm"] and hour == 0):
        return None
    fmt = ("%I" if m["ampm"] else "%H") + ":%M" + (":%S" if m["S"] else "") + (".%f" if m["F"] else "")
    return fmt + (" %p" if m["ampm"] else "")


def _hhmm_hour(text: str) -> int | None:
    value = int(text)
    hour, minute = divmod(value, 100)
    return hour if hour <= 23 and minute <= 59 else None


def detect_time(values: ColumnLike) -> Detection:
    """Times of day: ``14:32``, ``14:32:05``, ``2:32 PM``, ``1432`` / ``0915`` (HHMM digits)."""
    column = as_column(values)
    matched: set[str] = set()
    formats: Counter[str] = Counter()
    hours: set[int] = set()
    digit_texts: dict[str, int] = {}
    for text in column.texts_shaped(_TIME_SHAPE):
        weight = column.counts[text]
        tag = column.natives.get(text)
        if tag == "time":
            matched.add(text)
            formats["native"] += weight
            hours.add(int(text[:2]))
            continue
        if tag in ("float", "bool", "date", "datetime"):
            continue
        m = _CLOCK_TEXT.fullmatch(text)
        if m is not None:
            fmt = _clock_format(m)
            if fmt is not None:
                matched.add(text)
                formats[fmt] += weight
                pm = 12 if m["ampm"] and m["ampm"][0] in "Pp" else 0
                hours.add(int(m["H"]) % 12 + pm if m["ampm"] else int(m["H"]))
        elif _HHMM_DIGITS.fullmatch(text) and (len(text) >= 3 or tag == "int"):
            hour = _hhmm_hour(text)
            if hour is not None:
                digit_texts[text] = hour
    digit_weight = column.weight(digit_texts)
    # HHMM digits count only when most of them carry an hour (3-4 digits); 1, 2, 3 ... are counts.
    if digit_texts and column.weight(t for t in digit_texts if len(t) >= 3) * 2 >= digit_weight:
        matched.update(digit_texts)
        formats["%H%M"] += digit_weight
        hours.update(digit_texts.values())
    factor = 1.0
    evidence: dict[str, object] = {"formats": dict(formats.most_common()), "distinct_hours": len(hours)}
    if matched and formats.keys() == {"%H%M"}:
        factor = _DIGITS_ONLY_FACTOR
        evidence["ambiguous_with"] = "integer"
        from_ten = column.weight(t for t in digit_texts if digit_texts[t] >= 10)
        evidence["from_10_00_share"] = round(from_ten / digit_weight, 4)
        # Years (2001..2023) read as 20:01..20:23; real times spread over the day.
        if column.total >= 20 and len(hours) <= 2:
            factor *= 0.3
        # Over a day more than half of all times are 10:00 or later; 3-digit codes (624, 510) never are.
        elif from_ten < 0.25 * digit_weight:
            factor *= 0.3
    return make_detection("time", column, matched, factor=factor, evidence=evidence)


# --- epoch timestamps --------------------------------------------------------------------
_EPOCH_MIN = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc).timestamp()
_EPOCH_MAX = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc).timestamp()
_NUMERIC_TIME_FACTOR = 0.9  # a 10- or 13-digit number in range may still be an id
_EPOCH_SHAPE = re.compile(r"(?:9{10}|9{13})(?:\.9+)?")


def _iso_utc(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()


def detect_epoch(values: ColumnLike) -> Detection:
    """Unix epoch seconds (10 digits) or milliseconds (13 digits) between 2000 and 2100."""
    column = as_column(values)
    view = numeric_view(column)
    units: Counter[str] = Counter()
    matched: set[str] = set()
    seconds: list[float] = []
    for text in column.texts_shaped(_EPOCH_SHAPE):
        value = view.values[text]
        digits = len(text.split(".")[0])
        if digits == 10 and _EPOCH_MIN <= value < _EPOCH_MAX:
            unit, as_seconds = "seconds", value
        elif digits == 13 and _EPOCH_MIN <= value / 1000 < _EPOCH_MAX:
            unit, as_seconds = "milliseconds", value / 1000
        else:
            continue
        matched.add(text)
        units[unit] += column.counts[text]
        seconds.append(as_seconds)
    evidence: dict[str, object] = {"units": dict(units), "ambiguous_with": "integer"}
    if seconds:
        evidence["min"], evidence["max"] = _iso_utc(min(seconds)), _iso_utc(max(seconds))
    return make_detection("epoch_time", column, matched, factor=_NUMERIC_TIME_FACTOR, evidence=evidence)


# --- Excel serial dates --------------------------------------------------------------------
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
EXCEL_SERIAL_RANGE = (20_000, 60_000)  # 1954-10-03 .. 2064-04-08
# Five-digit numbers in range are often plain ids: keep this below the integer detection.
_EXCEL_FACTOR = 0.7


def detect_excel_serial(values: ColumnLike) -> Detection:
    """Excel serial day numbers (20000..60000); a fractional part carries a time of day."""
    column = as_column(values)
    view = numeric_view(column)
    low, high = EXCEL_SERIAL_RANGE
    matched = {t for t, v in view.values.items() if low <= v <= high}
    evidence: dict[str, object] = {"ambiguous_with": "integer"}
    if matched:
        days = [view.values[t] for t in matched]
        evidence["min"] = (_EXCEL_EPOCH + dt.timedelta(days=min(days))).isoformat()
        evidence["max"] = (_EXCEL_EPOCH + dt.timedelta(days=max(days))).isoformat()
        evidence["with_time"] = column.weight(t for t in matched if not view.values[t].is_integer())
    return make_detection("excel_serial_date", column, matched, factor=_EXCEL_FACTOR, evidence=evidence)
