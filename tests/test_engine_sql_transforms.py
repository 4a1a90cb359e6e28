"""Transform specs compiled to SQL must give the reference's value or reason, row for row.

Rows with non-ASCII input are skipped for ops that set ``guard`` (the engine sends those
rows to the reference); rows flagged ``needs_ref`` are skipped too (the engine restarts).
"""

from __future__ import annotations

import random
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tools.engines.sql_frame import Expr, Frame, ident
from tools.engines.sql_transforms import SqlUnsupported, compile_transform
from tools.errors import TransformValueError
from tools.transforms import apply_transform, parse_transform


def _reference(spec: Any, row: tuple[str | None, ...]) -> tuple[str | None, str | None]:
    try:
        value = apply_transform(spec, list(row))
    except TransformValueError as exc:
        return None, exc.reason
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    return (repr(value) if isinstance(value, float) else str(value)), None


def check(raw_spec: dict[str, Any], rows: list[tuple[str | None, ...]]) -> int:
    """Compare SQL with the reference on every row it must handle; return rows compared."""
    spec = parse_transform(raw_spec)
    width = len(rows[0])
    table = pa.table({f"c{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(width)})
    frame = Frame()
    sv = compile_transform(frame, spec, [Expr(ident(f"c{i}")) for i in range(width)])
    value = f"CAST({sv.value.sql} AS VARCHAR)" if sv.type != "boolean" else f"CASE WHEN {sv.value.sql} THEN 'true' WHEN NOT {sv.value.sql} THEN 'false' END"
    needs = sv.needs_ref.sql if sv.needs_ref is not None else "FALSE"
    sql = f"SELECT {value}, CASE WHEN {sv.error.sql} THEN {sv.reason.sql} END, coalesce({needs}, FALSE) FROM ({frame.render('src')})"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("src", table)
        got = con.execute(sql).fetchall()
    finally:
        con.close()
    compared = 0
    for row, (v, reason, needs_ref) in zip(rows, got):
        if needs_ref or (sv.guard and any(x is not None and not x.isascii() for x in row)):
            continue
        assert (v, reason) == _reference(spec, row), (raw_spec, row)
        compared += 1
    return compared


NUMBERS = [" 12 ", "-0", "+5", "007", "12.0", "12.", "1,234", "1,23", "1,234,567", "1e5", "1.5e3", "abc", "", None, "  ",
           "12.5", "٣", "12\n", "\u3000 7 \u3000", ".5", "5.", "1e400", "-0.0", "0.1", "1.7976931348623157e308",
           "1e-400", "00.5", "1e16", "123456789012345678901234567890", "99999999999999999999999999999999999999999", "- 5"]


@pytest.mark.parametrize("spec", [
    {"op": "to_integer"},
    {"op": "to_integer", "thousands_separator": ","},
    {"op": "to_number"},
    {"op": "to_number", "thousands_separator": ","},
    {"op": "to_number", "decimal_comma": True, "thousands_separator": "."},
])
def test_numbers(spec: dict[str, Any]) -> None:
    rng = random.Random(1)
    extra = [f"{rng.choice(['', '-', '+'])}{rng.randint(0, 10**rng.randint(1, 12))}{rng.choice(['', '.0', '.5', ',5', 'e3'])}" for _ in range(300)]
    assert check(spec, [(x,) for x in NUMBERS + extra]) > 250


TEXTS = ["  a   b ", "x\u3000y", "\tq\n", "A", None, "", "  Ab  c", "o'brien-smith", "JOHN  paul", "d'arcy", "a-", "-b", "x'",
         "mc'donald o'", "1abc", "ß", "Zoë", "n/a", " N/A ", "x\u001fy", "line\nbreak", "a\u00a0b"]


@pytest.mark.parametrize("spec", [
    {"op": "copy"},
    {"op": "text"},
    {"op": "text", "case": "upper"},
    {"op": "text", "case": "lower", "trim": False, "collapse_spaces": False},
    {"op": "text", "case": "title"},
    {"op": "text", "trim": False},
    {"op": "text", "null_values": ["N/A"]},
    {"op": "to_boolean"},
    {"op": "to_boolean", "true_values": ["Ja"], "false_values": ["Nein"]},
    {"op": "value_map", "mapping": {"A": "x", " b ": "y", "N": None}},
    {"op": "value_map", "mapping": {"A": 1, "B": 2}, "case_insensitive": False},
    {"op": "value_map", "mapping": {"A": 1.5}, "on_unmapped": "null"},
    {"op": "value_map", "mapping": {"A": True, "B": False}},
    {"op": "value_map", "mapping": {"A": "x"}, "on_unmapped": "keep"},
    {"op": "postcode"},
    {"op": "postcode", "space": False},
    {"op": "pipeline", "steps": [{"op": "text"}, {"op": "value_map", "mapping": {"A B": "x"}}]},
    {"op": "pipeline", "steps": [{"op": "text", "case": "upper"}, {"op": "to_integer"}], "null_values": ["-"]},
    {"op": "constant", "value": "fixed"},
    {"op": "constant", "value": 3},
])
def test_text_codes_and_identifiers(spec: dict[str, Any]) -> None:
    extra = ["a", " A ", "a b", "B", "n", "Y", "yes", " TRUE ", "0", "maybe", "t", "ja", "sw1a1aa", "M1  1AE", "LS1 4AP",
             "b338th", "GIR 0AA", "XX", "EC1A 1BB", "w1a 0ax", "bad code", "SW1A\t1AA", "x" * 100, "12", "-", " 7 "]
    assert check(spec, [(x,) for x in TEXTS + extra]) > 20


def test_join() -> None:
    rows = [("a ", " b"), (None, "x"), ("", ""), ("n/a", "y"), ("é", "\u3000z")]
    assert check({"op": "join", "separator": ", "}, rows) == 5
    assert check({"op": "join", "null_values": ["N/A"]}, rows) >= 4


def _dates(rng: random.Random, count: int) -> list[str]:
    found = []
    for _ in range(count):
        day, month = rng.choice([rng.randint(0, 32), 29, 30, 31]), rng.randint(0, 13)
        year = rng.choice([rng.randint(1890, 2030), 1900, 2000, 2024, 0, 99, 1])
        style = rng.choice(["%02d/%02d/%04d", "%d/%d/%04d", "%02d/%02d/%02d", "%d/%d/%d"])
        text = (style % (day, month, year % 100 if "%02d/%02d/%02d" == style else year)).replace("/", rng.choice("//- ."))
        if rng.random() < 0.2:
            text += rng.choice([" 00:00", " 00:00:00", " 12:30", "T00:00:00.000", " 0:00", "  00:00", " x"])
        found.append(" " + text + " " if rng.random() < 0.1 else text)
    return found + ["29/02/00", "29/02/1900", "29/02/2000", "31/04/2023", "05/04/2023 00:00", "5/4/23", " 5/ 4/2023", "", "٠١/٠١/٢٠٢٣"]


@pytest.mark.parametrize("spec", [
    {"op": "parse_date", "format": "%d/%m/%Y"},
    {"op": "parse_date", "format": "%d/%m/%y", "century_pivot": 30},
    {"op": "parse_date", "format": "%d/%m/%Y", "allow_time_suffix": True},
    {"op": "parse_date", "format": "%Y-%m-%d %H:%M"},
])
def test_parse_date(spec: dict[str, Any]) -> None:
    assert check(spec, [(x,) for x in _dates(random.Random(3), 2000)]) > 1900


def test_parse_date_month_names() -> None:
    rows = [(x,) for x in ["05-APR-23", "5-apr-99", "05-Sept-23", "31-feb-20", "01-DEC-00", "1-jan-2023"]]
    assert check({"op": "parse_date", "format": "%d-%b-%y"}, rows) == 6
    assert check({"op": "parse_date", "format": "%d %B %Y"}, [(x,) for x in ["5 april 2023", "05  APRIL 2023", "5 Sept 2023"]]) == 3


TIMES = ["1432", "932", "32", "0", "2", "14:32", "9:5", "24:00", "23:59:60", "12:30:15.5", "2359", "12345", " 0930 ", "abc",
         "12:30:15.000001", "12:30:15.1234567", "12:00 AM", "12:00 pm", "1:30 PM", "11:59 am", "13:00 pm"]


@pytest.mark.parametrize("fmt", ["%H%M", "%H:%M", "%H:%M:%S.%f", "%I:%M %p", "%I:%M", "%H%M%S"])
def test_parse_time(fmt: str) -> None:
    assert check({"op": "parse_time", "format": fmt}, [(x,) for x in TIMES]) == len(TIMES)


LOCAL_TIMES = ["2023-03-26 00:59", "2023-03-26 01:00", "2023-03-26 01:30", "2023-03-26 02:00", "2023-10-29 00:59",
               "2023-10-29 01:00", "2023-10-29 01:30", "2023-10-29 02:00", "2023-06-01 14:32", "2023-12-01 14:32",
               "1800-01-01 12:00", "1847-12-01 00:00", "1847-11-30 23:59", "1941-06-01 12:00", "1971-01-01 00:00",
               "9999-12-31 23:00", "0001-01-01 00:00", "2023-03-12 02:30", "2023-11-05 01:30", "bad"]


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
@pytest.mark.parametrize("ambiguous", ["error", "earlier", "later"])
def test_parse_datetime_across_clock_changes(zone: str, ambiguous: str) -> None:
    spec = {"op": "parse_datetime", "format": "%Y-%m-%d %H:%M", "timezone": zone, "on_ambiguous": ambiguous}
    assert check(spec, [(x,) for x in LOCAL_TIMES]) >= len(LOCAL_TIMES) - 2


@pytest.mark.parametrize("missing_time", ["error", "midnight"])
@pytest.mark.parametrize("ambiguous", ["error", "later"])
def test_combine_date_time(missing_time: str, ambiguous: str) -> None:
    pairs: list[tuple[str | None, ...]] = []
    for text in LOCAL_TIMES[:-1]:
        day, clock = text.split(" ")
        pairs.append(("/".join(reversed(day.split("-"))), clock))
    pairs += [(None, "12:00"), ("01/01/2023", None), ("bad", "12:00"), ("01/01/2023", "bad"), ("", ""), (" 26/03/2023 ", "01:30 "),
              ("", "x" * 90)]
    spec = {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M", "missing_time": missing_time,
            "on_ambiguous": ambiguous}
    assert check(spec, pairs) >= len(pairs) - 2


def test_ops_without_sql_form_say_so() -> None:
    for raw in ({"op": "phone"}, {"op": "split_name", "order": "surname_first", "part": "family"},
                {"op": "parse_date", "format": "%d/%m/%Y %z"}, {"op": "parse_date", "format": "%j/%Y"},
                {"op": "value_map", "mapping": {"a": 1, "b": "x"}}):
        with pytest.raises(SqlUnsupported):
            compile_transform(Frame(), parse_transform(raw), [Expr('"c0"'), Expr('"c1"')][: 1])


def test_guard_is_set_only_where_sql_differs_on_unicode() -> None:
    def guard(raw: dict[str, Any]) -> bool:
        return compile_transform(Frame(), parse_transform(raw), [Expr('"c0"')]).guard

    assert not guard({"op": "copy"}) and not guard({"op": "text"}) and not guard({"op": "to_integer"})
    assert guard({"op": "text", "case": "upper"}) and guard({"op": "postcode"}) and guard({"op": "parse_date", "format": "%d/%m/%Y"})
    assert guard({"op": "text", "null_values": ["N/A"]})
