"""Date, date-time and time transforms chosen from a column's date evidence.

The format comes from the profile's candidates, read over the whole sample: the
day/month order is the one the values settle (a first part above 12 means day-first);
when nothing settles it the UK default, day-first, is proposed and the field is marked
for review. Two-digit years get a century pivot from the target's meaning: a date
that is always in the past (a birth) pivots at next year, so '58' is 1958.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tools.date_evidence import DateCandidate, DateEvidence
from tools.date_evidence import date_evidence as source_date_evidence
from tools.propose.facts import SourceFacts, TargetFacts
from tools.propose.model import DATE_ONLY, DAY_MONTH, reason
from tools.transforms import CombineDateTime, EpochToDateTime, ExcelSerialDate, ParseDate, ParseDateTime, ParseTime

DEFAULT_PIVOT = 69  # strptime's own
_PAST_CONCEPTS = frozenset({"date_of_birth", "year_of_birth", "date_of_death", "age"})
_NATIVE_KINDS = frozenset({"date", "datetime", "time"})
NATIVE_SHARE = 0.8
_PAST_WORDS = re.compile(r"\b(in the past|birth|born)\b", re.IGNORECASE)


@dataclass
class Temporal:
    """A chosen temporal transform and what a reviewer should know about it."""

    spec: Any
    why: str
    review: list[str] = field(default_factory=list)


def _ordered(fmt: str) -> str:
    """'day_first', 'month_first' or '' for formats without both %d and %m."""
    if "%d" not in fmt or "%m" not in fmt:
        return ""
    return "day_first" if fmt.index("%d") < fmt.index("%m") else "month_first"


def text_evidence(source: SourceFacts) -> DateEvidence:
    """Date evidence of the column's text values.

    A spreadsheet column can mix real date cells with dates typed as text; the cells need
    no format, so the format is read from the text values alone.
    """
    profile = source.profile
    natives = set(profile.type_counts) & _NATIVE_KINDS
    if not natives or set(profile.type_counts) <= _NATIVE_KINDS:
        return DateEvidence(candidates=profile.date_candidates, partial_candidates=profile.partial_date_candidates,
                            day_month_order=profile.day_month_order, day_month_evidence=profile.day_month_evidence,
                            two_digit_year=profile.two_digit_year)
    texts: dict[str, int] = {}
    for raw, count in source.distinct:
        if isinstance(raw, str):
            texts[raw.strip()] = texts.get(raw.strip(), 0) + count
    return source_date_evidence(texts) if texts else DateEvidence()


def pick_format(source: SourceFacts, kinds: set[str]) -> tuple[DateCandidate | None, list[str]]:
    """The best candidate format of the given kinds, and a review reason if the order is a guess."""
    profile = text_evidence(source)
    candidates = [c for c in profile.candidates if c.kind in kinds]
    if not candidates:
        candidates = [c for c in profile.partial_candidates if c.kind in kinds]
    if not candidates:
        return None, []
    order = profile.day_month_order
    wanted = "month_first" if order == "month_first" else "day_first"
    chosen = next((c for c in candidates if _ordered(c.format) in (wanted, "")), candidates[0])
    review: list[str] = []
    if order == "ambiguous" and _ordered(chosen.format):
        ev = profile.day_month_evidence
        if ev.first_part_over_12 and ev.second_part_over_12:
            detail = f"values settle it both ways ({ev.first_part_over_12} day-first, {ev.second_part_over_12} month-first)"
        else:
            detail = f"no value of {ev.values_checked} has a part above 12"
        review.append(reason(DAY_MONTH, f"{detail}; read day-first (UK default) with {chosen.format!r}"))
    return chosen, review


def century_pivot(source: SourceFacts, target: TargetFacts, fmt: str, today_year: int) -> int:
    """Pivot for %y: next year's two digits for dates that are always in the past."""
    if "%y" not in fmt:
        return DEFAULT_PIVOT
    past = bool(target.concepts & _PAST_CONCEPTS) or bool(_PAST_WORDS.search(target.text.description or ""))
    return (today_year % 100) + 1 if past else DEFAULT_PIVOT


def _native(source: SourceFacts, kind: str) -> bool:
    """Every value is a real date/date-time/time object (a spreadsheet cell, not text)."""
    counts = source.profile.type_counts
    return bool(counts) and set(counts) == {kind}


def _mostly_native(source: SourceFacts, kinds: set[str]) -> bool:
    """Nearly all values are real date cells: the few text ones cannot spoil the choice."""
    counts = source.profile.type_counts
    total = sum(counts.values())
    return bool(total) and sum(n for k, n in counts.items() if k in kinds) >= NATIVE_SHARE * total


def date_transform(source: SourceFacts, target: TargetFacts, today_year: int) -> Temporal | None:
    if _native(source, "date") or _native(source, "datetime"):
        return Temporal(ParseDate(format="%Y-%m-%d"), "the values are dates already (spreadsheet or JSON)")
    chosen, review = pick_format(source, {"date"})
    midnight = False
    if chosen is None:
        chosen, review = pick_format(source, {"datetime"})
        midnight = chosen is not None and bool(source.by_kind.get("date") and source.by_kind["date"].evidence.get("time_always_midnight"))
        if not midnight:
            chosen = None
    if chosen is not None:
        pivot = century_pivot(source, target, chosen.format, today_year)
        why = f"dates written {chosen.format!r}" + (" (time always midnight)" if midnight else "")
        if "%y" in chosen.format:
            why += f"; two-digit years pivot at {pivot}"
        return Temporal(ParseDate(format=chosen.format, century_pivot=pivot), why, review)
    if source.profile.excel_serial_candidate and source.score("excel_serial_date") >= 0.5:
        return Temporal(ExcelSerialDate(output="date"), "Excel serial day numbers")
    if _mostly_native(source, {"date", "datetime"}):
        return Temporal(ParseDate(format="%Y-%m-%d"), "date cells; the few text values follow no one format")
    return None


def datetime_transform(source: SourceFacts, target: TargetFacts, timezone: str, today_year: int) -> Temporal | None:
    profile = source.profile
    if _native(source, "datetime"):
        return Temporal(ParseDateTime(format="%Y-%m-%dT%H:%M:%S", timezone=timezone), f"date-time values already; naive ones read in {timezone}")
    chosen, review = pick_format(source, {"datetime"})
    if chosen is not None:
        pivot = century_pivot(source, target, chosen.format, today_year)
        zone = "with their own UTC offsets" if "%z" in chosen.format else f"naive, read as {timezone} local time"
        spec = ParseDateTime(format=chosen.format, timezone=timezone, century_pivot=pivot)
        return Temporal(spec, f"date-times written {chosen.format!r}, {zone}", review)
    if (profile.epoch_millis_candidate or profile.epoch_seconds_candidate) and source.score("epoch_time") >= 0.5:
        unit = "ms" if profile.epoch_millis_candidate else "s"
        return Temporal(EpochToDateTime(unit=unit, timezone=timezone), f"Unix epoch {'milliseconds' if unit == 'ms' else 'seconds'}")
    if profile.excel_serial_candidate and source.score("excel_serial_date") >= 0.5:
        return Temporal(ExcelSerialDate(output="datetime", timezone=timezone), "Excel serial date-times")
    if _mostly_native(source, {"datetime"}):
        spec = ParseDateTime(format="%Y-%m-%dT%H:%M:%S", timezone=timezone)
        return Temporal(spec, "date-time cells; the few text values follow no one format")
    chosen, review = pick_format(source, {"date"})
    if chosen is not None:
        pivot = century_pivot(source, target, chosen.format, today_year)
        note = reason(DATE_ONLY, f"only a date ({chosen.format!r}); the time of day is taken as midnight {timezone}")
        spec = ParseDateTime(format=chosen.format, timezone=timezone, century_pivot=pivot)
        return Temporal(spec, f"dates written {chosen.format!r} with no time of day", [*review, note])
    return None


def time_format(source: SourceFacts) -> str | None:
    """The format a time-of-day column is written in (most rows), if it is one."""
    profile = source.profile
    if _native(source, "time"):
        return "%H:%M:%S"
    chosen, _ = pick_format(source, {"time"})
    if chosen is not None:
        return chosen.format
    detection = source.by_kind.get("time")
    if detection is not None and detection.score >= 0.5:
        formats = detection.evidence.get("formats") or {}
        if formats:
            return max(formats.items(), key=lambda item: (item[1], item[0]))[0]
    return "%H%M" if profile.hhmm_time_candidate else None


def time_transform(source: SourceFacts) -> Temporal | None:
    fmt = time_format(source)
    if fmt is None:
        return None
    return Temporal(ParseTime(format=fmt), f"times of day written {fmt!r}")


def combine_transform(date_source: SourceFacts, time_source: SourceFacts, target: TargetFacts,
                      timezone: str, today_year: int) -> Temporal | None:
    """A date column and a time column into one date-time."""
    chosen, review = pick_format(date_source, {"date"})
    if chosen is None:
        chosen, review = pick_format(date_source, {"datetime"})
        ev = date_source.by_kind.get("date")
        if chosen is None or not (ev and ev.evidence.get("time_always_midnight")):
            return None
    fmt = time_format(time_source)
    if fmt is None:
        return None
    pivot = century_pivot(date_source, target, chosen.format, today_year)
    spec = CombineDateTime(date_format=chosen.format, time_format=fmt, timezone=timezone, century_pivot=pivot)
    why = f"date {chosen.format!r} from {date_source.name!r} and time {fmt!r} from {time_source.name!r}, read as {timezone} local time"
    return Temporal(spec, why, review)
