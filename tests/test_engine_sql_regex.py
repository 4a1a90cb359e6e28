"""Python ``re`` patterns rewritten for RE2 must match exactly what ``re.search`` matches."""

from __future__ import annotations

import re

import duckdb
import pytest

from tools.engines.sql_frame import lit
from tools.engines.sql_regex import RegexUnsupported, re2_literal, to_re2

PATTERNS = [
    r"^\d{10}$",
    r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$",
    r"^\+[1-9]\d{6,14}$",
    r"\w+@\w+",
    r"^\s*x",
    r"^[^\s]+$",
    r"[\D]",
    r"^a{,2}$",
    r"^a{2,}b$",
    r"colou?r",
    r"^(GIR 0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2})$",
    r"^\d{2}(\d{2})?/\d{1,7}[A-Z]$",
    r"\Aab\Z",
    r"[]a]",
    r"[^]a]",
    r"x{",
    r"\u00e9",
    r"^.$",
    r"(?P<year>\d{4})-(?:0[1-9]|1[0-2])",
    r"[\w-]+",
    r"\.\*\+",
]
SAMPLES = [
    "", "a", "aa", "aaa", "ab", "ab\n", "aab", "aaab", "0123456789", "012345678", "٠١٢٣٤٥٦٧٨٩", "１２３４５６７８９０",
    "SW1A 1AA", "SW1A 1AA\n", "sw1a 1aa", "GIR 0AA", "+447700900123", "+0123", "a@b", "é@ü", "  x", "\u00a0x", "\u2003x",
    "x\u3000y", "tab\there", "color", "colour", "]", "^", "x{", "é", "e\u0301", "\n", "2023-04", "2023-13", "a-b_c",
    ".*+", "12/1234567A", "1234/1Z", "ab", "x\x1cy", "\x1f",
]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("mode", ["unicode", "ascii_text"])
def test_translation_matches_python(con: duckdb.DuckDBPyConnection, pattern: str, mode: str) -> None:
    translated = to_re2(pattern, ascii_text=mode == "ascii_text")
    samples = [s for s in SAMPLES if mode == "unicode" or s.isascii()]
    rows = con.execute(f"SELECT s, regexp_matches(s, {lit(translated)}) FROM unnest(?) t(s)", [samples]).fetchall()
    got = {s: m for s, m in rows}
    assert got == {s: re.search(pattern, s) is not None for s in samples}


def test_ascii_flag_classes_follow_re_ascii(con: duckdb.DuckDBPyConnection) -> None:
    samples = ["1", "١", "a", "é", " ", "\x1c", "\u00a0", "_"]
    for pattern in (r"^\d$", r"^\w$", r"^\s$", r"^\S$", r"^[\W]$"):
        translated = to_re2(pattern, ascii_flag=True)
        rows = dict(con.execute(f"SELECT s, regexp_matches(s, {lit(translated)}) FROM unnest(?) t(s)", [samples]).fetchall())
        assert rows == {s: re.search(pattern, s, re.ASCII) is not None for s in samples}, pattern


def test_dollar_and_quantifier_spellings() -> None:
    assert to_re2("a$") == "a(?:\\n?\\z)"
    assert to_re2("a{,3}") == "a{0,3}"
    assert to_re2("a{x}") == "a\\{x}"
    assert to_re2(r"^\d$", ascii_text=True) == "^[\\x{30}-\\x{39}](?:\\n?\\z)"


@pytest.mark.parametrize(
    "pattern",
    [r"^(?!BG|GB)[A-Z]{2}$", r"(?<=a)b", r"(a)\1", r"\bword\b", r"(?i)abc", r"a++", r"(?>a)", r"a{2000}", r"[a&&b]"],
)
def test_constructs_without_exact_re2_form_are_refused(pattern: str) -> None:
    with pytest.raises(RegexUnsupported):
        to_re2(pattern)


def test_literal_escaping(con: duckdb.DuckDBPyConnection) -> None:
    for text in [".", "a.b", "1,234", "é/ü", "[x]", "+"]:
        pattern = "^" + re2_literal(text) + "$"
        assert con.execute(f"SELECT regexp_matches(?, {lit(pattern)})", [text]).fetchone() == (True,)
        assert con.execute(f"SELECT regexp_matches(?, {lit(pattern)})", [text + "x"]).fetchone() == (False,)
