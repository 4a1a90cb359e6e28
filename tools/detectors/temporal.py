"""Dates and date-times written as text: which values are real dates, in what format.

Values are read by layout (shape by shape, then by slicing) and checked against the
calendar. Day/month order is decided by the values that settle it (a first part above
12 means day-first), UK day-first when none do. The evidence also carries the
profiler's own date evidence (``tools.date_evidence``: strptime candidates, day/month
order and its counts, two-digit years) over the same values.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tools.date_evidence import DateEvidence, date_evidence
from tools.detectors.model import Column, ColumnLike, Detection, as_column, make_detection

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_NAMES["sept"] = 9

_TIME = (
    r"(?P<H>\d{1,2})(?P<ts>[:.])(?P<M>\d{2})(?:(?P=ts)(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?(?:\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT))?"
)
# Date layouts by name. ``a``/``b`` are day and month in an order the column decides.
_DATE_LAYOUTS: dict[str, str] = {
    "ymd": r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})",
    "aby": r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})",
    "d_mon_y": r"(?P<d>\d{1,2})(?P<sep>[- /])(?P<mon>[A-Za-z]{3,9})(?P=sep)(?P<y>\d{4}|\d{2})",
    "mon_d_y": r"(?P<mon>[A-Za-z]{3,9}) (?P<d>\d{1,2})(?P<sep>,? )(?P<y>\d{4})",
    "compact": r"(?P<y>(?:18|19|20|21)\d{2})(?P<m>\d{2})(?P<d>\d{2})",
}
_DATE_REGEXES = {
    name: re.compile(rf"(?:{layout})(?:(?P<tsep>T|\s+){_TIME})?") for name, layout in _DATE_LAYOUTS.items()
}
_YEAR_MONTH = re.compile(r"(?P<y>(?:18|19|20|21)\d{2})(?P<sep>[-/])(?P<m>\d{2})")
_YEAR_MONTH_SHAPE = re.compile(r"9999[-/]99")
_MIN_YEAR, _MAX_YEAR = 1800, 2199


@dataclass(frozen=True, slots=True)
class _Template:
    """What all texts of one shape share: layout, format pieces and where each field sits."""

    layout: str
    sep: str
    year_digits: int
    month_format: str  # "%b" / "%B" for month names, else ""
    time_format: str  # with its leading "T" or " "; "" when there is no time part
    tz: str  # "", "Z" or "offset"
    spans: tuple[tuple[int, int], ...]  # first, second, third, hour, minute, second-of-minute
    ampm_at: int  # index of the A/P letter, -1 without one

    def date_format(self, day_first: bool) -> str:
        year = "%Y" if self.year_digits == 4 else "%y"
        s = self.sep
        if self.layout == "ymd":
            date = f"%Y{s}%m{s}%d"
        elif self.layout == "compact":
            date = "%Y%m%d"
        elif self.layout == "aby":
            date = f"%d{s}%m{s}{year}" if day_first else f"%m{s}%d{s}{year}"
        elif self.layout == "d_mon_y":
            date = f"%d{s}{self.month_format}{s}{year}"
        else:
            date = f"{self.month_format} %d{s}{year}"
        return date + self.time_format


@dataclass(slots=True)
class _Reading:
    """One text's numbers, before day/month order is known."""

    template: _Template
    first: int  # year for ymd/compact, else a or day
    second: int  # month, or b
    third: int  # day, or year
    midnight: bool


_NO_SPAN = (0, 0)
_FIELD_GROUPS = {
    "ymd": ("y", "m", "d"), "compact": ("y", "m", "d"), "aby": ("a", "b", "y"),
    "d_mon_y": ("d", "mon", "y"), "mon_d_y": ("d", "mon", "y"),
}


def _template(text: str) -> _Template | None:
    """The template of a text's shape, from the first layout whose regex matches it."""
    for layout, regex in _DATE_REGEXES.items():
        m = regex.fullmatch(text)
        if m is None:
            continue
        fields = _FIELD_GROUPS[layout]
        year_digits = len(m["y"])
        if layout == "aby" and m["sep"] == "." and year_digits == 2 and (len(m["a"]) < 2 or len(m["b"]) < 2):
            return None  # 1.2.30 is a version number far more often than a date
        month_format = ""
        if "mon" in fields:
            month_format = "%b" if len(m["mon"]) == 3 else "%B"
        time_format, tz = "", ""
        if m["H"] is not None:
            ts = m["ts"]
            time_format = ("T" if m["tsep"] == "T" else " ") + ("%I" if m["ampm"] else "%H") + f"{ts}%M"
            time_format += (f"{ts}%S" if m["S"] else "") + (".%f" if m["F"] else "") + (" %p" if m["ampm"] else "")
            if m["tz"]:
                tz = "Z" if m["tz"] in ("Z", "UTC", "GMT") else "offset"
                time_format += " %Z" if m["tz"] in ("UTC", "GMT") else "%z"
        spans = tuple(m.span(g) for g in fields) + tuple(
            m.span(g) if m[g] is not None else _NO_SPAN for g in ("H", "M", "S")
        )
        ampm_at = m.start("ampm") if m["ampm"] else -1
        sep = m.groupdict().get("sep") or ""
        return _Template(layout, sep, year_digits, month_format, time_format, tz, spans, ampm_at)
    return None


def _read(text: str, t: _Template) -> _Reading | None:
    """Slice a text's numbers at its template's positions; None for impossible times or months."""
    (a0, a1), (b0, b1), (c0, c1), (h0, h1), (m0, m1), (s0, s1) = t.spans
    if t.month_format:
        month = _MONTH_NAMES.get(text[b0:b1].lower())
        if month is None:
            return None
        second = month
    else:
        second = int(text[b0:b1])
    midnight = False
    if h1:
        hour, minute, sec = int(text[h0:h1]), int(text[m0:m1]), int(text[s0:s1]) if s1 else 0
        if t.ampm_at >= 0:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if text[t.ampm_at] in "Pp" else 0)
        if hour > 23 or minute > 59 or sec > 59:
            return None
        midnight = hour == 0 and minute == 0 and sec == 0
    return _Reading(t, int(text[a0:a1]), second, int(text[c0:c1]), midnight)


def _readings(column: Column) -> dict[str, _Reading]:
    """Every text that has a date layout, read once per column.

    Texts of one shape share a template, found from the first few texts of the shape;
    the rest are read by slicing, without a regex.
    """
    out: dict[str, _Reading] = {}
    for shape, texts in column.shape_groups().items():
        if len(shape) > 40 or shape.count("9") < 4:
            continue
        template = next((t for t in map(_template, texts[:3]) if t is not None), None)
        if template is None:
            continue
        for text in texts:
            reading = _read(text, template)
            if reading is not None:
                out[text] = reading
    return out


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _ymd(r: _Reading, day_first: bool) -> tuple[int, int, int] | None:
    layout = r.template.layout
    if layout in ("ymd", "compact"):
        y, mo, d = r.first, r.second, r.third
    else:
        if layout == "aby" and not day_first:
            d, mo = r.second, r.first
        else:
            d, mo = r.first, r.second
        y = r.third
        if r.template.year_digits == 2:
            y += 1900 if y >= 69 else 2000  # strptime's %y pivot; the caller decides the real century
    if not (_MIN_YEAR <= y <= _MAX_YEAR and 1 <= mo <= 12 and d >= 1):
        return None
    leap = mo == 2 and y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return (y, mo, d) if d <= _DAYS_IN_MONTH[mo] + leap else None


@dataclass(slots=True)
class _Analysis:
    readings: dict[str, _Reading]
    valid: dict[str, tuple[int, int, int]]
    day_first: bool
    profile: DateEvidence  # the profiler's own evidence over every date-shaped text


def _format_weights(by_template: Counter[tuple[_Template, bool]]) -> dict[str, int]:
    """strptime formats by weight, heaviest first (ties by format, so the order is stable)."""
    formats: Counter[str] = Counter()
    for (template, day_first), weight in by_template.items():
        formats[template.date_format(day_first)] += weight
    return dict(sorted(formats.items(), key=lambda item: (-item[1], item[0])))


def _analyse(column: Column) -> _Analysis:
    readings = _readings(column)
    counts = column.counts
    # Day/month order: the majority of values that settle it (UK day-first when none do).
    day_votes = month_votes = 0
    for text, r in readings.items():
        if r.template.layout == "aby":
            day_votes += counts[text] * (r.first > 12 >= r.second)
            month_votes += counts[text] * (r.second > 12 >= r.first)
    day_first = month_votes <= day_votes
    valid = {}
    for text, r in readings.items():
        ymd = _ymd(r, day_first)
        if ymd is not None:
            valid[text] = ymd
    # Candidates, order evidence and two-digit years come from the profiler's inference,
    # so the proposer sees the same facts in the profile and in the detections.
    profile = date_evidence({t: counts[t] for t in readings}) if readings else DateEvidence()
    return _Analysis(readings, valid, day_first, profile)


def _analysis(column: Column) -> _Analysis:
    return column.cached("date_analysis", lambda: _analyse(column))


def _evidence_for(analysis: _Analysis, texts: set[str], column: Column) -> dict[str, Any]:
    """Evidence about the values one detection counts, plus the column's date profile."""
    by_template: Counter[tuple[_Template, bool]] = Counter()
    short_years: set[int] = set()
    for text in texts:
        r = analysis.readings[text]
        by_template[r.template, analysis.day_first] += column.counts[text]
        if r.template.year_digits == 2:
            short_years.add(r.third)
    formats = _format_weights(by_template)
    dates = [analysis.valid[t] for t in texts]
    ev: dict[str, Any] = {
        "format": next(iter(formats), None),
        "formats": formats,
        "min": "%04d-%02d-%02d" % min(dates) if dates else None,
        "max": "%04d-%02d-%02d" % max(dates) if dates else None,
        "two_digit_year_range": [min(short_years), max(short_years)] if short_years else None,
        "native": column.weight(t for t in texts if t in column.natives),
    }
    ev.update(analysis.profile.model_dump())
    return ev


def detect_date(values: ColumnLike) -> Detection:
    """Calendar dates (no time of day, or a time that is always midnight)."""
    column = as_column(values)
    analysis = _analysis(column)
    readings = analysis.readings
    timed = [t for t in analysis.valid if readings[t].template.time_format]
    always_midnight = bool(timed) and all(readings[t].midnight for t in timed)
    matched = {t for t in analysis.valid if always_midnight or not readings[t].template.time_format}
    evidence = _evidence_for(analysis, matched, column)
    evidence["time_always_midnight"] = always_midnight
    return make_detection("date", column, matched, evidence=evidence)


def detect_datetime(values: ColumnLike) -> Detection:
    """Date-times (a date with a time of day), with time-zone and precision facts."""
    column = as_column(values)
    analysis = _analysis(column)
    matched = {t for t in analysis.valid if analysis.readings[t].template.time_format}
    evidence = _evidence_for(analysis, matched, column)
    tz: Counter[str] = Counter()
    midnight = 0
    for text in matched:
        r = analysis.readings[text]
        tz[r.template.tz or "naive"] += column.counts[text]
        midnight += column.counts[text] * r.midnight
    n = column.weight(matched)
    evidence["timezone"] = dict(tz)
    evidence["midnight_share"] = round(midnight / n, 4) if n else 0.0
    # Always-midnight date-times are dates in disguise; let the date detection rank first.
    factor = 0.9 if n and midnight == n else 1.0
    return make_detection("datetime", column, matched, factor=factor, evidence=evidence)


def detect_year_month(values: ColumnLike) -> Detection:
    """Months written as ``2026-02`` (data.police.uk ``Month``) or ``2026/02``."""
    column = as_column(values)
    matched = set()
    for text in column.texts_shaped(_YEAR_MONTH_SHAPE):
        m = _YEAR_MONTH.fullmatch(text)
        if m and 1 <= int(m["m"]) <= 12:
            matched.add(text)
    found = sorted(matched)
    evidence = {"format": "%Y-%m" if any("-" in t for t in found) else "%Y/%m",
                "min": found[0] if found else None, "max": found[-1] if found else None}
    return make_detection("year_month", column, matched, evidence=evidence)
