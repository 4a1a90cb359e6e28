"""Which date/time formats a column's values are written in, and how sure we can be.

Candidates are ``strptime`` formats that parse every value. Day/month order is read from
the whole column: one value whose first part is above 12 settles day-first. Matching is
done first on value shapes (few per column) and only then on the values themselves, so
a sample of thousands of rows costs milliseconds; every candidate is confirmed with the
real ``datetime.strptime`` on some values, so a transform can rely on the format.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from tools.value_shapes import value_shape

DateKind = Literal["date", "datetime", "time", "month"]
DayMonthOrder = Literal["day_first", "month_first", "ambiguous", "not_applicable"]

PARTIAL_MIN_RATE = 0.8  # a format that parses this share of rows is worth showing
_CONFIRM_WITH_STRPTIME = 25  # distinct values checked with the real strptime per candidate

_BASES = ("%d/%m/%Y", "%m/%d/%Y", "%d/%m/%y", "%m/%d/%y", "%Y-%m-%d", "%d-%m-%Y", "%d-%m-%y", "%m-%d-%Y",
          "%d.%m.%Y", "%d.%m.%y", "%Y%m%d", "%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d")
_SPACE_TIMES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %H:%M:%S%z", " %I:%M %p", " %I:%M:%S %p")
_ISO_TIMES = ("T%H:%M", "T%H:%M%z", "T%H:%M:%S", "T%H:%M:%S%z", "T%H:%M:%S.%f", "T%H:%M:%S.%f%z")
_MONTHS = ("%Y-%m",)
# time-only formats come last: "1432" is more often a number than a time
_TIMES = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%H%M")

_ABBR = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_FULL = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_DAY_MONTH = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})(?:[ T]|$)", re.ASCII)
_DAY_MONTH_SHAPE = re.compile(r"9{1,2}[/.\-]9{1,2}[/.\-]")
_DIGIT_DIRECTIVES = frozenset("dmYyHMSIf")


class DateCandidate(BaseModel):
    format: str = Field(description="A datetime.strptime format")
    kind: DateKind
    parsed: int = Field(description="Sampled rows this format parses")


class DayMonthEvidence(BaseModel):
    values_checked: int = Field(default=0, description="Rows written as dd?mm?yy(yy), either order")
    first_part_over_12: int = 0
    second_part_over_12: int = 0


class DateEvidence(BaseModel):
    candidates: list[DateCandidate] = Field(default_factory=list, description="Formats that parse every value, best first")
    partial_candidates: list[DateCandidate] = Field(default_factory=list, description="When none parses all: formats parsing most rows")
    day_month_order: DayMonthOrder = "not_applicable"
    day_month_evidence: DayMonthEvidence = Field(default_factory=DayMonthEvidence)
    two_digit_year: bool = False


class NumericDateFlags(BaseModel):
    excel_serial_candidate: bool = Field(default=False, description="Every value in 20000..60000: Excel day serials 1954-2064")
    epoch_seconds_candidate: bool = False
    epoch_millis_candidate: bool = False
    hhmm_time_candidate: bool = Field(default=False, description="Integers 0..2359 with minutes < 60, some >= 1000, not all years: times with their leading zeros lost")


@dataclass(frozen=True)
class _Format:
    text: str
    kind: DateKind
    directives: tuple[str, ...]
    value_re: re.Pattern[str]
    shape_re: re.Pattern[str]
    day_group: int | None  # 1-based group of %d: only days 29-31 need a calendar check

    def parses(self, text: str) -> bool:
        match = self.value_re.fullmatch(text)
        if match is None:
            return False
        # the ranged regex already refused month 13, hour 24 ...; left: 29-31 February and such
        if self.day_group is None or int(match.group(self.day_group)) <= 28:
            return True
        return _valid(self, dict(zip(self.directives, match.groups())))


def _compile(text: str, kind: DateKind) -> _Format:
    tokens = re.findall(r"%.|[^%]", text)
    directives: list[str] = []
    value_parts: list[str] = []
    shape_parts: list[str] = []
    for i, token in enumerate(tokens):
        if not token.startswith("%"):
            value_parts.append(r"\s+" if token.isspace() else re.escape(token))
            shape_parts.append(r"\s+" if token.isspace() else re.escape(value_shape(token)))
            continue
        letter = token[1]
        # directives written back to back (%Y%m%d, %H%M) have fixed widths, as people write them
        packed = any(0 <= j < len(tokens) and tokens[j].startswith("%") and tokens[j][1:] in _DIGIT_DIRECTIVES
                     for j in (i - 1, i + 1))
        directives.append(letter)
        value_parts.append("(" + _value_pattern(letter, packed) + ")")
        shape_parts.append("(?:" + _shape_pattern(letter, packed) + ")")
    day = directives.index("d") + 1 if "d" in directives else None
    return _Format(text, kind, tuple(directives), re.compile("".join(value_parts), re.ASCII),
                   re.compile("".join(shape_parts)), day)


def _value_pattern(letter: str, packed: bool) -> str:
    """Ranged patterns, like strptime's own; packed fields need both digits."""
    opt = "" if packed else "?"
    return {
        "d": rf"3[01]|[12]\d|0{opt}[1-9]", "m": rf"1[0-2]|0{opt}[1-9]",
        "H": rf"2[0-3]|[01]{opt}\d", "I": rf"1[0-2]|0{opt}[1-9]",
        "M": rf"[0-5]{opt}\d", "S": rf"[0-5]{opt}\d",
        "Y": r"(?!0000)\d{4}", "y": r"\d{2}", "f": r"\d{1,6}",
        "b": "(?i:" + "|".join(_ABBR) + ")", "B": "(?i:" + "|".join(_FULL) + ")", "p": "(?i:am|pm)",
        "z": r"Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d",
    }[letter]


def _shape_pattern(letter: str, packed: bool) -> str:
    if letter in "dmHMSI":
        return "9{2}" if packed else "9{1,2}"
    return {"Y": "9{4}", "y": "9{2}", "f": "9{1,6}", "b": "[Aa]{3}", "B": "[Aa]{3,9}", "p": "[Aa]{2}",
            "z": "A|[+-]99:?99"}[letter]


def _valid(fmt: _Format, parts: dict[str, str]) -> bool:
    """Do the captured parts make a real date/time (30 February does not)?"""
    try:
        if "Y" in parts:
            year = int(parts["Y"])
        else:
            short = int(parts.get("y", "0"))
            year = 2000 + short if short < 69 else 1900 + short  # strptime's own pivot
        if "m" in parts:
            month = int(parts["m"])
        elif "b" in parts or "B" in parts:
            # month 0 (an unknown name) makes the constructor below refuse the value
            month = _ABBR.get(parts["b"].lower(), 0) if "b" in parts else _FULL.get(parts["B"].lower(), 0)
        else:
            month = 1
        hour = int(parts.get("H", "0"))
        if "I" in parts:
            hour = int(parts["I"])
            meridian = parts["p"].lower()
            if not 1 <= hour <= 12 or meridian not in ("am", "pm"):
                return False
            hour = hour % 12 + (12 if meridian == "pm" else 0)
        minute, second = int(parts.get("M", "0")), int(parts.get("S", "0"))
        micro = int(parts.get("f", "0").ljust(6, "0"))
        offset = parts.get("z", "Z").replace(":", "")
        if offset != "Z" and not (int(offset[1:3]) <= 23 and int(offset[3:5]) <= 59):
            return False
        if fmt.kind == "time":
            dt.time(hour, minute, second, micro)
        else:
            dt.datetime(year, month, int(parts.get("d", "1")), hour, minute, second, micro)
    except ValueError:
        return False
    return True


_FORMATS: tuple[_Format, ...] = (
    *(_compile(base + suffix, "datetime" if suffix else "date") for base in _BASES for suffix in _SPACE_TIMES),
    *(_compile("%Y-%m-%d" + suffix, "datetime") for suffix in _ISO_TIMES),
    *(_compile(text, "month") for text in _MONTHS),
    *(_compile(text, "time") for text in _TIMES),
)
_ANY_SHAPE = re.compile("|".join(f"(?:{fmt.shape_re.pattern})" for fmt in _FORMATS))


def date_evidence(values: Mapping[str, int], shapes: Mapping[str, str] | None = None) -> DateEvidence:
    """Date evidence for distinct (stripped, non-blank) text values and their row counts.

    ``shapes`` may hold shapes already computed for (some of) the values.
    """
    known = shapes or {}
    by_shape: dict[str, dict[str, int]] = {}
    for text, count in values.items():
        shape = known.get(text)
        by_shape.setdefault(shape if shape is not None else value_shape(text), {})[text] = count
    total = sum(values.values())
    # Shapes a date could have; anything else rules out full candidates at once.
    datelike = {shape for shape in by_shape if "9" in shape and _ANY_SHAPE.fullmatch(shape)}
    datelike_rows = sum(sum(by_shape[s].values()) for s in datelike)
    evidence = DateEvidence()
    if total and datelike_rows == total:
        evidence.candidates = _candidates(by_shape, datelike, total, need=total)
    if not evidence.candidates and total and datelike_rows >= PARTIAL_MIN_RATE * total:
        evidence.partial_candidates = _candidates(by_shape, datelike, total, need=PARTIAL_MIN_RATE * total)[:3]
    evidence.two_digit_year = any("%y" in c.format for c in evidence.candidates or evidence.partial_candidates)
    evidence.day_month_evidence = _day_month(by_shape)
    evidence.day_month_order = _order(evidence.day_month_evidence)
    return evidence


def _candidates(by_shape: dict[str, dict[str, int]], shapes: set[str], total: int, need: float) -> list[DateCandidate]:
    found: list[DateCandidate] = []
    for fmt in _FORMATS:
        matching = sorted(s for s in shapes if fmt.shape_re.fullmatch(s))
        if sum(sum(by_shape[s].values()) for s in matching) < need:
            continue
        allowed_failures = total - need
        parsed = failed = 0
        checked: list[str] = []
        for shape in matching:
            for text, count in by_shape[shape].items():
                if fmt.parses(text):
                    parsed += count
                    if len(checked) < _CONFIRM_WITH_STRPTIME:
                        checked.append(text)
                else:
                    failed += count
                    if failed > allowed_failures:
                        break
            if failed > allowed_failures:
                break
        if parsed >= need and failed <= allowed_failures and _confirmed(fmt.text, checked):
            found.append(DateCandidate(format=fmt.text, kind=fmt.kind, parsed=parsed))
    return found if need == total else sorted(found, key=lambda c: -c.parsed)


def _confirmed(fmt: str, texts: list[str]) -> bool:
    try:
        for text in texts:
            dt.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def _day_month(by_shape: dict[str, dict[str, int]]) -> DayMonthEvidence:
    evidence = DayMonthEvidence()
    for shape, texts in by_shape.items():
        if not _DAY_MONTH_SHAPE.match(shape):
            continue
        for text, count in texts.items():
            match = _DAY_MONTH.match(text)
            if match is None:
                continue
            evidence.values_checked += count
            if int(match.group(1)) > 12:
                evidence.first_part_over_12 += count
            if int(match.group(2)) > 12:
                evidence.second_part_over_12 += count
    return evidence


def _order(evidence: DayMonthEvidence) -> DayMonthOrder:
    if evidence.values_checked == 0:
        return "not_applicable"
    first, second = evidence.first_part_over_12, evidence.second_part_over_12
    if first and not second:
        return "day_first"
    if second and not first:
        return "month_first"
    return "ambiguous"  # no value settles it, or values settle it both ways (mixed column)


def numeric_date_flags(numbers: Mapping[float, int]) -> NumericDateFlags:
    """Flags for a column whose every non-null value is a number (given with counts)."""
    if not numbers:
        return NumericDateFlags()
    low, high = min(numbers), max(numbers)
    integral = all(float(n).is_integer() for n in numbers)
    hhmm = integral and 0 <= low and 1000 <= high <= 2359 and all(int(n) % 100 < 60 for n in numbers)
    return NumericDateFlags(
        excel_serial_candidate=20000 <= low and high <= 60000,
        epoch_seconds_candidate=integral and 1_000_000_000 <= low and high <= 4_102_444_800,
        epoch_millis_candidate=integral and 1_000_000_000_000 <= low and high <= 4_102_444_800_000,
        # a column of years (1900 and up) fits 0..2359 too; years are far more likely
        hhmm_time_candidate=hhmm and not 1900 <= low,
    )
