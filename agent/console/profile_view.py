"""The ``crosswalk profile`` table: one row per source field."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tools.profile import FieldProfile, SourceProfile

SHAPES_SHOWN = 2
DATE_FORMATS_SHOWN = 2
CODES_SHOWN = 6
ORDER_TEXT = {"day_first": "day first", "month_first": "month first", "ambiguous": "day/month order ambiguous"}


def shapes_text(field: FieldProfile) -> str:
    """The commonest value shapes with their row counts: 'AA9 9AA x812, AA99AA x90'."""
    return ", ".join(f"{s.shape} x{s.count}" for s in field.shapes[:SHAPES_SHOWN])


def dates_text(field: FieldProfile) -> str:
    """Candidate date/time formats and the day/month order the column shows."""
    parts = [c.format for c in field.date_candidates[:DATE_FORMATS_SHOWN]]
    if not parts and field.partial_date_candidates:
        best = field.partial_date_candidates[0]
        parts = [f"{best.format} ({best.parsed} rows only)"]
    if field.hhmm_time_candidate and "%H%M" not in parts:
        parts.append("%H%M (times, leading zeros lost)")
    order = ORDER_TEXT.get(field.day_month_order)
    if order:
        parts.append(order)
    if field.two_digit_year:
        parts.append("two-digit years")
    return "; ".join(parts)


def codes_text(field: FieldProfile) -> str:
    if not field.looks_like_code_list:
        return ""
    codes = field.code_values or []
    more = f" +{len(codes) - CODES_SHOWN}" if len(codes) > CODES_SHOWN else ""
    return "yes: " + ", ".join(codes[:CODES_SHOWN]) + more


def print_profile(console: Console, profile: SourceProfile) -> None:
    """How the source was read, then the per-field table."""
    info = profile.source
    read_as = [info.format]
    if info.encoding:
        read_as.append(f"encoding {info.encoding}")
    if info.delimiter:
        read_as.append(f"delimiter {info.delimiter!r}")
    if info.sheet:
        read_as.append(f"sheet {info.sheet!r}")
    if info.header_row:
        read_as.append(f"header on line {info.header_row + 1}")
    console.print(f"{info.path}: {', '.join(read_as)}; sha256 {info.sha256[:16]}...")
    whole = "the whole file" if profile.exhausted else f"the first {profile.rows_sampled:,} rows"
    console.print(f"profiled {whole} ({profile.rows_sampled:,} rows, {profile.rows_with_errors:,} broken)")
    for note in info.notes:
        console.print(f"note: {note}")
    table = Table(title=f"{len(profile.fields)} fields", title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("type")
    table.add_column("null %", justify="right")
    table.add_column("distinct", justify="right")
    for name in ("top shapes", "date formats", "code list"):
        table.add_column(name, overflow="fold")
    for f in profile.fields:
        table.add_row(f.name, f.inferred_type, f"{f.null_rate * 100:.1f}", f"{f.distinct_count:,}",
                      shapes_text(f), dates_text(f), codes_text(f))
    console.print(table)
