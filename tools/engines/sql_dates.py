"""Date and time ops in SQL, reproducing ``datetime.strptime`` and zoneinfo exactly.

``strptime`` is a regular expression per directive (``_strptime.TimeRE``), matched at the
start of the text with IGNORECASE and then required to reach its end. The same regex
runs in RE2 (same leftmost-first choice); the date is then checked by arithmetic. Only
ASCII text is judged here (``guard``): strptime's ``\\d`` also takes other Unicode digits.

Local times become instants as zoneinfo does: the offsets a day before and after are the
candidates, a candidate that round-trips is valid; two valid ones is an ambiguous
(clocks back) time, none a missing (clocks forward) one. Offsets come from DuckDB's ICU.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any, Callable

from tools.engines.sql_frame import ASCII_WHITESPACE, Expr, Frame, lit, lvl, show, strip, template
from tools.engines.sql_regex import re2_literal
from tools.engines.sql_transforms import SqlUnsupported, SqlValue
from tools.transforms import reasons
from tools.transforms.spec import CombineDateTime, ParseDate, ParseDateTime, ParseTime

_WS = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in ASCII_WHITESPACE) + "]+"
_MONTHS_ABBR = sorted([m.lower() for m in calendar.month_abbr[1:]], key=len, reverse=True)
_MONTHS_FULL = sorted([m.lower() for m in calendar.month_name[1:]], key=len, reverse=True)
_DIRECTIVES = {
    "d": "(3[0-1]|[1-2][0-9]|0[1-9]|[1-9]| [1-9])",
    "f": "([0-9]{1,6})",
    "H": "(2[0-3]|[0-1][0-9]|[0-9])",
    "I": "(1[0-2]|0[1-9]|[1-9])",
    "m": "(1[0-2]|0[1-9]|[1-9])",
    "M": "([0-5][0-9]|[0-9])",
    "S": "(6[0-1]|[0-5][0-9]|[0-9])",
    "y": "([0-9][0-9])",
    "Y": "([0-9][0-9][0-9][0-9])",
    "b": "(" + "|".join(_MONTHS_ABBR) + ")",
    "B": "(" + "|".join(_MONTHS_FULL) + ")",
    "p": "(am|pm)",
}
_GROUP_NAMES = {
    "d": "day", "f": "frac", "H": "hour24", "I": "hour12", "m": "month", "M": "minute", "S": "second",
    "y": "year2", "Y": "year4", "b": "month_abbr", "B": "month_name", "p": "ampm",
}
# Directives that set the same field: using two of one group makes the result depend on
# their order in the text, which is not worth reproducing.
_EXCLUSIVE = ({"y", "Y"}, {"m", "b", "B"}, {"H", "I"})
_SUFFIX = "^((.*?[^ \\t\\n\\r\\x0c\\x0b])[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?)$"


@dataclass(frozen=True)
class Parsed:
    """strptime's result as integer expressions; ``ok`` is false where strptime raises."""

    ok: Expr
    year: Expr
    month: Expr
    day: Expr
    hour: Expr
    minute: Expr
    second: Expr
    micro: Expr


def format_regex(fmt: str) -> tuple[str, list[str]]:
    """The RE2 pattern strptime would use for ``fmt`` (ASCII text) and its group names."""
    out: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%":
            if i + 1 >= len(fmt):
                raise SqlUnsupported(f"format {fmt!r} ends in a stray %")
            d = fmt[i + 1]
            i += 2
            if d == "%":
                out.append("%")
            elif d in _DIRECTIVES and d not in names:
                out.append(_DIRECTIVES[d])
                names.append(d)
            else:
                raise SqlUnsupported(f"strptime directive %{d} in {fmt!r}")
        elif ch.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            out.append(_WS)
        else:
            out.append(re2_literal(ch))
            i += 1
    for group in _EXCLUSIVE:
        if len(group & set(names)) > 1:
            raise SqlUnsupported(f"format {fmt!r} sets one field twice")
    return "(?i)^(" + "".join(out) + ")", names


def strptime(frame: Frame, s: Expr, fmt: str, pivot: int) -> Parsed:
    """``strptime_pivot(s, fmt, pivot)``: two-digit years are 20yy when yy < pivot."""
    pattern, names = format_regex(fmt)
    found = frame.let(Expr(f"regexp_extract({s.sql}, {lit(pattern)}, {_names(['all', *(_GROUP_NAMES[n] for n in names)])})", s.level), "re")

    def group(name: str) -> str:
        # DuckDB struct keys ignore case, so %m and %M need names of their own.
        return f"{found.sql}[{lit(_GROUP_NAMES.get(name, name))}]"

    def num(name: str, default: int) -> str:
        return f"TRY_CAST(trim({group(name)}) AS INTEGER)" if name in names else str(default)

    year = num("Y", 1900)
    if "y" in names:
        year = f"(CASE WHEN {num('y', 0)} < {pivot} THEN 2000 ELSE 1900 END + {num('y', 0)})"
    month = num("m", 1)
    for key, months in (("b", calendar.month_abbr), ("B", calendar.month_name)):
        if key in names:
            whens = " ".join(f"WHEN {lit(m.lower())} THEN {n}" for n, m in enumerate(months) if n)
            month = f"(CASE lower({group(key)}) {whens} END)"
    hour = num("H", 0)
    if "I" in names:
        ampm = f"lower({group('p')})" if "p" in names else "''"
        i = num("I", 0)
        hour = f"(CASE WHEN {ampm} = 'pm' THEN (CASE WHEN {i} = 12 THEN 12 ELSE {i} + 12 END) WHEN {i} = 12 THEN 0 ELSE {i} END)"
    micro = f"TRY_CAST(rpad({group('f')}, 6, '0') AS INTEGER)" if "f" in names else "0"
    parts = {
        "year": year, "month": month, "day": num("d", 1), "hour": hour,
        "minute": num("M", 0), "second": num("S", 0), "micro": micro,
    }
    matched = f"({group('all')} = {s.sql} AND {s.sql} <> '')"
    # Parts the format does not set are constants; only the others need a column.
    lets = {
        k: Expr(v) if v.isdigit() else frame.let(Expr(f"CASE WHEN {matched} THEN {v} END", found.level), "dt")
        for k, v in parts.items()
    }
    y, m, d = lets["year"].sql, lets["month"].sql, lets["day"].sql
    leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    days = f"(CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN (CASE WHEN {leap} THEN 29 ELSE 28 END) ELSE 31 END)"
    valid = (
        f"coalesce({matched} AND {y} BETWEEN 1 AND 9999 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {days} "
        f"AND {lets['second'].sql} <= 59, FALSE)"
    )
    ok = frame.let(Expr(valid, max(found.level, lvl(*lets.values()))), "ok")
    return Parsed(ok, **lets)


def _names(names: list[str]) -> str:
    return "[" + ", ".join(lit(n) for n in names) + "]"


def _pad(x: Expr | str, width: int) -> str:
    sql = x.sql if isinstance(x, Expr) else x
    return f"lpad(CAST({sql} AS VARCHAR), {width}, '0')"


def date_text(p: Parsed) -> str:
    return f"{_pad(p.year, 4)} || '-' || {_pad(p.month, 2)} || '-' || {_pad(p.day, 2)}"


def clock_text(hour: str, minute: str, second: str, micro: str) -> str:
    """HH:MM:SS plus .ffffff only when there are microseconds."""
    frac = f"CASE WHEN {micro} <> 0 THEN '.' || {_pad(micro, 6)} ELSE '' END"
    return f"{_pad(hour, 2)} || ':' || {_pad(minute, 2)} || ':' || {_pad(second, 2)} || {frac}"


def _midnight(p: Parsed) -> str:
    return f"({p.hour.sql} = 0 AND {p.minute.sql} = 0 AND {p.second.sql} = 0 AND {p.micro.sql} = 0)"


def _read_date(frame: Frame, x: Expr, fmt: str, pivot: int, allow_suffix: bool) -> tuple[Expr, Expr, Parsed]:
    """date_parsing.read_date: (ok, reason, parsed date) for a non-NULL VARCHAR ``x``."""
    s = frame.let(strip(x, ascii_only=True), "s")
    p = strptime(frame, s, fmt, pivot)
    not_midnight = template(reasons.TIME_NOT_MIDNIGHT, value=show(x))
    invalid = template(reasons.INVALID_DATE, value=show(x), format=fmt)
    if not allow_suffix:
        ok = Expr(f"({p.ok.sql} AND {_midnight(p)})", p.ok.level)
        reason = Expr(f"CASE WHEN {p.ok.sql} THEN {not_midnight.sql} ELSE {invalid.sql} END", p.ok.level)
        return ok, reason, p
    sfx = frame.let(Expr(f"regexp_extract({s.sql}, {lit(_SUFFIX)}, ['all', 'date', 'h', 'm', 's', 'f'])", s.level), "sx")
    date_part = frame.let(Expr(f"{sfx.sql}['date']", sfx.level), "sd")
    q = strptime(frame, date_part, fmt, pivot)
    clock_zero = (
        f"(TRY_CAST({sfx.sql}['h'] AS INTEGER) = 0 AND TRY_CAST({sfx.sql}['m'] AS INTEGER) = 0 "
        f"AND regexp_full_match({sfx.sql}['s'] || {sfx.sql}['f'], '0*'))"
    )
    use_q = frame.let(Expr(f"(NOT {p.ok.sql} AND {sfx.sql}['all'] <> '' AND {q.ok.sql})", lvl(p.ok, sfx, q.ok)), "uq")
    ok = Expr(f"(({p.ok.sql} AND {_midnight(p)}) OR ({use_q.sql} AND {clock_zero} AND {_midnight(q)}))", use_q.level)
    reason = Expr(f"CASE WHEN {p.ok.sql} OR {use_q.sql} THEN {not_midnight.sql} ELSE {invalid.sql} END", use_q.level)
    chosen = Parsed(
        ok, *(frame.let(Expr(f"CASE WHEN {use_q.sql} THEN {getattr(q, k).sql} ELSE {getattr(p, k).sql} END", use_q.level), "dt")
              for k in ("year", "month", "day", "hour", "minute", "second", "micro"))
    )
    return ok, reason, chosen


def _read_time(frame: Frame, x: Expr, fmt: str) -> tuple[Expr, Parsed]:
    """date_parsing.read_time: compact digit formats are zero-padded first."""
    s = strip(x, ascii_only=True)
    width = {"%H%M": 4, "%H%M%S": 6}.get(fmt)
    if width is not None:
        short = f"regexp_full_match({s.sql}, '[0-9]+') AND length({s.sql}) < {width}"
        s = Expr(f"CASE WHEN {short} THEN lpad({s.sql}, {width}, '0') ELSE {s.sql} END", s.level)
    p = strptime(frame, frame.let(s, "s"), fmt, 69)
    return template(reasons.INVALID_TIME, value=show(x), format=fmt), p


def _parse_date(frame: Frame, spec: ParseDate, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    ok, reason, p = _read_date(frame, x, spec.format, spec.century_pivot, spec.allow_time_suffix)
    ok = frame.let(ok, "ok")
    value = frame.let(Expr(f"CASE WHEN {ok.sql} THEN {date_text(p)} END", lvl(ok, p.year, p.month, p.day)), "v")
    return SqlValue(value, Expr(f"({x.sql} IS NOT NULL AND NOT {ok.sql})", ok.level), reason, "string", True)


def _parse_time(frame: Frame, spec: ParseTime, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    reason, p = _read_time(frame, x, spec.format)
    text = clock_text(p.hour.sql, p.minute.sql, p.second.sql, p.micro.sql)
    value = frame.let(Expr(f"CASE WHEN {p.ok.sql} THEN {text} END", lvl(p.ok, p.second)), "v")
    return SqlValue(value, Expr(f"({x.sql} IS NOT NULL AND NOT {p.ok.sql})", p.ok.level), reason, "string", True)


def _parse_datetime(frame: Frame, spec: ParseDateTime, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    s = frame.let(strip(x, ascii_only=True), "s")
    p = strptime(frame, s, spec.format, spec.century_pivot)
    invalid = template(reasons.INVALID_DATETIME, value=show(x), format=spec.format)
    return _localized(frame, x, p, [(p.ok, invalid)], show(x), spec.timezone, spec.on_ambiguous)


def _combine(frame: Frame, spec: CombineDateTime, xs: list[Expr]) -> SqlValue:
    d, t = xs
    date_ok, date_reason, day = _read_date(frame, Expr(f"coalesce({d.sql}, '')", d.level), spec.date_format, spec.century_pivot, False)
    time_reason, clock = _read_time(frame, Expr(f"coalesce({t.sql}, '')", t.level), spec.time_format)
    missing_date = template(reasons.MISSING_DATE, value=show(t))
    checks: list[tuple[Expr, Expr]] = [
        (Expr(f"({d.sql} IS NOT NULL)", d.level), missing_date),
        (date_ok, date_reason),
    ]
    if spec.missing_time == "error":
        checks.append((Expr(f"({t.sql} IS NOT NULL)", t.level), template(reasons.MISSING_TIME, value=show(d))))
    checks.append((Expr(f"({t.sql} IS NULL OR {clock.ok.sql})", lvl(t, clock.ok)), time_reason))

    def part(name: str) -> Expr:
        c = getattr(clock, name)
        return Expr(f"CASE WHEN {t.sql} IS NULL THEN 0 ELSE {c.sql} END", lvl(t, c))

    naive = Parsed(date_ok, day.year, day.month, day.day, part("hour"), part("minute"), part("second"), part("micro"))
    ws = lit(ASCII_WHITESPACE)
    plain = Expr(f"(trim({d.sql}, {ws}) || CASE WHEN {t.sql} IS NULL THEN '' ELSE ' ' || trim({t.sql}, {ws}) END)", lvl(d, t))
    result = _localized(frame, Expr(f"coalesce({d.sql}, {t.sql})", lvl(d, t)), naive, checks, show(plain), spec.timezone, spec.on_ambiguous)
    return result


def _offset_us(zone: str, instant: str) -> str:
    """UTC offset of a TIMESTAMPTZ in ``zone``, in microseconds (one ICU conversion)."""
    return f"(epoch_us(timezone({lit(zone)}, {instant})) - epoch_us({instant}))"


def _offset_text(us: str) -> str:
    """timezones.format_offset: '+01:00', minutes floored as Python's // does."""
    minutes = f"CAST(floor({us} / 60000000.0) AS BIGINT)"
    generic = (
        f"(CASE WHEN {minutes} < 0 THEN '-' ELSE '+' END || lpad(CAST(abs({minutes}) // 60 AS VARCHAR), 2, '0') "
        f"|| ':' || lpad(CAST(abs({minutes}) % 60 AS VARCHAR), 2, '0'))"
    )
    return f"(CASE {us} WHEN 0 THEN '+00:00' WHEN 3600000000 THEN '+01:00' ELSE {generic} END)"


def _localized(frame: Frame, x: Expr, p: Parsed, checks: list[tuple[Expr, Expr]], shown: Expr, zone: str, on_ambiguous: str) -> SqlValue:
    """Checks in order, then the local time in ``zone`` as RFC 3339 with its offset."""
    parsed_ok = frame.let(Expr("(" + " AND ".join(c.sql for c, _ in checks) + ")", lvl(*(c for c, _ in checks))), "ok")
    micros = f"(CAST(({p.hour.sql} * 60 + {p.minute.sql}) * 60 + {p.second.sql} AS BIGINT) * 1000000 + {p.micro.sql})"
    parts = lvl(parsed_ok, p.year, p.month, p.day, p.hour, p.minute, p.second, p.micro)
    day = f"CAST(make_date({p.year.sql}, {p.month.sql}, {p.day.sql}) AS TIMESTAMP)"
    naive = frame.let(Expr(f"CASE WHEN {parsed_ok.sql} THEN {day} + to_microseconds({micros}) END", parts), "nv")
    # The naive time read as UTC; the session time zone is UTC.
    u = frame.let(Expr(f"CAST({naive.sql} AS TIMESTAMPTZ)", naive.level), "u")
    before = frame.let(Expr(_offset_us(zone, f"({u.sql} - INTERVAL 1 DAY)"), u.level), "ob")
    after = frame.let(Expr(_offset_us(zone, f"({u.sql} + INTERVAL 1 DAY)"), u.level), "oa")
    same = f"({before.sql} = {after.sql})"
    # Round trips only near a clock change (a day either side), where the offsets differ.
    def round_trips(offset: Expr) -> str:
        return f"CASE WHEN NOT {same} THEN {_offset_us(zone, f'({u.sql} - to_microseconds({offset.sql}))')} = {offset.sql} END"

    valid_b = frame.let(Expr(round_trips(before), after.level), "vb")
    valid_a = frame.let(Expr(round_trips(after), after.level), "va")
    ambiguous = f"(NOT {same} AND {valid_b.sql} AND {valid_a.sql})"
    missing = f"(NOT {same} AND NOT {valid_b.sql} AND NOT {valid_a.sql})"
    later = on_ambiguous == "later"
    offset = frame.let(
        Expr(f"CASE WHEN {same} THEN {before.sql} WHEN {ambiguous} THEN {after.sql if later else before.sql} "
             f"WHEN {valid_b.sql} THEN {before.sql} ELSE {after.sql} END", lvl(valid_a, valid_b)),
        "of",
    )
    failed_zone = f"({missing} OR {ambiguous})" if on_ambiguous == "error" else missing
    ok = frame.let(Expr(f"(coalesce({parsed_ok.sql}, FALSE) AND NOT coalesce({failed_zone}, FALSE))", lvl(parsed_ok, offset)), "ok")
    # The valid local time is the parsed one; only offsets with seconds (local mean time
    # before 1847) are written in UTC instead, as the reference does.
    whole_minute = f"({offset.sql} % 60000000 = 0)"
    plain = date_text(p) + " || 'T' || " + clock_text(p.hour.sql, p.minute.sql, p.second.sql, p.micro.sql)
    lt = f"({naive.sql} - to_microseconds({offset.sql}))"
    in_utc = (
        f"{_pad(f'year({lt})', 4)} || '-' || {_pad(f'month({lt})', 2)} || '-' || {_pad(f'day({lt})', 2)} || 'T' || "
        + clock_text(f"hour({lt})", f"minute({lt})", f"second({lt})", f"microsecond({lt}) % 1000000") + " || '+00:00'"
    )
    text = f"CASE WHEN {whole_minute} THEN {plain} || {_offset_text(offset.sql)} ELSE {in_utc} END"
    value = frame.let(Expr(f"CASE WHEN {ok.sql} THEN {text} END", max(parts, ok.level)), "v")
    reasons_sql = " ".join(f"WHEN NOT coalesce({c.sql}, FALSE) THEN {r.sql}" for c, r in checks)
    nonexistent = template(reasons.NONEXISTENT_LOCAL, value=shown, zone=zone)
    twice = template(
        reasons.AMBIGUOUS_LOCAL, value=shown, zone=zone,
        first=Expr(_offset_text(before.sql), before.level), second=Expr(_offset_text(after.sql), after.level),
    )
    reason = Expr(f"CASE {reasons_sql} WHEN {missing} THEN {nonexistent.sql} ELSE {twice.sql} END", lvl(ok, shown, valid_a))
    error = Expr(f"({x.sql} IS NOT NULL AND NOT {ok.sql})", lvl(x, ok))
    # Years 1 and 9999 can leave the calendar once shifted by the offset: let the reference decide.
    needs_ref = Expr(f"({ok.sql} AND {p.year.sql} IN (1, 9999))", max(ok.level, p.year.level))
    return SqlValue(value, error, reason, "string", True, needs_ref)


DATE_OPS: dict[type, Callable[[Frame, Any, list[Expr]], SqlValue]] = {
    ParseDate: _parse_date,
    ParseTime: _parse_time,
    ParseDateTime: _parse_datetime,
    CombineDateTime: _combine,
}
