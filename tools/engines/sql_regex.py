"""Python ``re`` patterns rewritten for RE2 (DuckDB's regex engine), exactly or not at all.

JSON Schema ``pattern`` is checked by jsonschema with ``re.search``, so the reference
semantics are Python's: ``\\d``/``\\w``/``\\s`` are Unicode classes, ``$`` also matches
before a final newline, ``{,n}`` means ``{0,n}``. RE2 differs on each of those, and has no
look-around or back-references. :func:`to_re2` translates a whitelisted subset token by
token (Unicode classes become explicit code point ranges) and raises
:class:`RegexUnsupported` for anything it cannot reproduce exactly.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Literal

_SURROGATES = range(0xD800, 0xE000)
_SIMPLE_ESCAPES = {"n": "\\n", "t": "\\t", "r": "\\r", "f": "\\f", "v": "\\v", "a": "\\x07"}
_MAX_REPEAT = 1000  # RE2's limit on {m,n}


class RegexUnsupported(ValueError):
    """The pattern uses something RE2 cannot do the way Python's ``re`` does."""


Mode = Literal["unicode", "ascii_flag", "ascii_text"]


def to_re2(pattern: str, *, ascii_flag: bool = False, ascii_text: bool = False) -> str:
    """The RE2 pattern matching exactly the strings ``re.search(pattern, s)`` matches.

    ``ascii_flag`` is Python's ``re.ASCII``: ``\\d``, ``\\w`` and ``\\s`` are then ASCII classes.
    ``ascii_text`` keeps Python's Unicode meaning but is only ever run on ASCII text, so
    the classes shrink to their ASCII members (RE2 runs small classes much faster).
    """
    mode: Mode = "ascii_flag" if ascii_flag else "ascii_text" if ascii_text else "unicode"
    return _Translator(pattern, mode).run()


def _ascii_members(kind: str, mode: Mode) -> list[int]:
    if mode == "ascii_flag":
        return [c for c in range(128) if re.fullmatch(f"\\{kind}", chr(c), re.ASCII)]
    return [c for c in range(128) if re.fullmatch(f"\\{kind}", chr(c))]


def _spell(codes: list[int]) -> str:
    """Class body text for a set of code points, as ranges."""
    out = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(_char(codes[i]) if i == j else f"{_char(codes[i])}-{_char(codes[j])}")
        i = j + 1
    return "".join(out)


def re2_literal(text: str) -> str:
    """RE2 syntax matching ``text`` literally."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch.isascii() and ch.isprintable():
            out.append("\\" + ch)
        else:
            out.append(_char(ord(ch)))
    return "".join(out)



@lru_cache(maxsize=None)
def _ranges(kind: str) -> tuple[tuple[int, int], ...]:
    """Code point ranges of Python's ``\\d`` / ``\\w`` / ``\\s`` (kind 'd', 'w', 's').

    Python's own ``re`` finds the runs in a string of every code point, so the classes
    are exactly the ones jsonschema's ``re.search`` uses.
    """
    found = [(m.start(), m.end() - 1) for m in re.finditer(f"\\{kind}+", _all_code_points())]
    return tuple(piece for start, end in found for piece in _minus_surrogates(start, end))


@lru_cache(maxsize=1)
def _all_code_points() -> str:
    return "".join(map(chr, range(sys.maxunicode + 1)))


@lru_cache(maxsize=None)
def _complement(kind: str) -> tuple[tuple[int, int], ...]:
    found: list[tuple[int, int]] = []
    low = 0
    for start, end in _ranges(kind):
        found.extend(_minus_surrogates(low, start - 1))
        low = end + 1
    found.extend(_minus_surrogates(low, sys.maxunicode))
    return tuple(found)


def _minus_surrogates(low: int, high: int) -> list[tuple[int, int]]:
    if low > high:
        return []
    parts = []
    if low < _SURROGATES.start:
        parts.append((low, min(high, _SURROGATES.start - 1)))
    if high >= _SURROGATES.stop:
        parts.append((max(low, _SURROGATES.stop), high))
    return parts


def class_body(kind: str, negated: bool) -> str:
    ranges = _complement(kind) if negated else _ranges(kind)
    return "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in ranges)


def _char(code: int) -> str:
    return f"\\x{{{code:X}}}"


class _Translator:
    def __init__(self, pattern: str, mode: Mode = "unicode") -> None:
        self.p = pattern
        self.mode = mode
        self.i = 0
        self.out: list[str] = []

    def fail(self, what: str) -> RegexUnsupported:
        return RegexUnsupported(f"pattern {self.p!r}: {what} at position {self.i} has no exact RE2 equivalent")

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            ch = p[self.i]
            if ch == "\\":
                self.out.append(self.escape(in_class=False))
            elif ch == "[":
                self.out.append(self.char_class())
            elif ch == "(":
                self.out.append(self.group_open())
            elif ch == "$":
                self.out.append("(?:\\n?\\z)")
                self.i += 1
            elif ch in "*+?":
                self.i += 1
                self.out.append(ch + self.lazy_or_possessive())
            elif ch == "{":
                self.out.append(self.brace())
            else:
                self.out.append(ch)
                self.i += 1
        return "".join(self.out)

    def lazy_or_possessive(self) -> str:
        if self.i < len(self.p) and self.p[self.i] == "?":
            self.i += 1
            return "?"
        if self.i < len(self.p) and self.p[self.i] == "+":
            raise self.fail("a possessive quantifier")
        return ""

    def brace(self) -> str:
        """``{m}``, ``{m,}``, ``{m,n}``, ``{,n}`` are repeats; any other '{' is a literal."""
        close = self.p.find("}", self.i)
        body = self.p[self.i + 1 : close] if close > 0 else ""
        low, comma, high = body.partition(",")
        if close < 0 or not (low.isdigit() or (comma and low == "")) or (high and not high.isdigit()) or not (low or high):
            self.i += 1
            return "\\{"
        if not low.isascii() or not high.isascii():
            self.i += 1
            return "\\{"
        if max(int(low or 0), int(high or 0)) > _MAX_REPEAT:
            raise self.fail("a repeat count over 1000")
        self.i = close + 1
        return "{" + (low or "0") + comma + high + "}" + self.lazy_or_possessive()

    def group_open(self) -> str:
        p, i = self.p, self.i
        if p.startswith("(?:", i):
            self.i += 3
            return "(?:"
        if p.startswith("(?P<", i):
            close = p.find(">", i)
            name = p[i + 4 : close]
            if close < 0 or not name.isidentifier() or not name.isascii():
                raise self.fail("a group name")
            self.i = close + 1
            return f"(?P<{name}>"
        if p.startswith("(?", i):
            raise self.fail("a look-around, flag, conditional or back-reference group")
        self.i += 1
        return "("

    def escape(self, in_class: bool) -> str:
        p = self.p
        if self.i + 1 >= len(p):
            raise self.fail("a trailing backslash")
        ch = p[self.i + 1]
        self.i += 2
        if ch in "dwsDWS":
            return self.shorthand(ch, in_class)
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if not in_class and ch == "A":
            return "\\A"
        if not in_class and ch == "Z":
            return "\\z"
        if ch in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[ch]
            digits = p[self.i : self.i + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise self.fail("a malformed hex escape")
            self.i += width
            code = int(digits, 16)
            if code > sys.maxunicode or code in _SURROGATES:
                raise self.fail("an escape outside Unicode scalar values")
            return _char(code)
        if ch.isascii() and not ch.isalnum():
            return "\\" + ch
        if ch == "b" and in_class:
            return "\\x08"
        raise self.fail(f"the escape \\{ch}")

    def shorthand(self, ch: str, in_class: bool) -> str:
        """``\\d \\w \\s`` and their negations as explicit classes."""
        negated = ch.isupper()
        if self.mode != "unicode":
            members = _ascii_members(ch.lower(), self.mode)
            if negated:
                members = [c for c in range(128) if c not in members]
            body = _spell(members)
            if negated and self.mode == "ascii_flag":
                body += f"{_char(0x80)}-{_char(0xD7FF)}{_char(0xE000)}-{_char(sys.maxunicode)}"
            return body if in_class else f"[{body}]"
        body = class_body(ch.lower(), negated=negated)
        return body if in_class else f"[{body}]"

    def char_class(self) -> str:
        """``[...]``: members copied or expanded; '[' inside is made literal for RE2."""
        p = self.p
        self.i += 1
        parts = ["["]
        if self.i < len(p) and p[self.i] == "^":
            parts.append("^")
            self.i += 1
        first = True
        while True:
            if self.i >= len(p):
                raise self.fail("an unterminated character class")
            ch = p[self.i]
            if ch == "]" and not first:
                self.i += 1
                break
            first = False
            if ch == "\\":
                parts.append(self.escape(in_class=True))
            elif ch in "[]":
                parts.append("\\" + ch)
                self.i += 1
            elif ch in "&~|" and p.startswith(ch * 2, self.i):
                raise self.fail("a set operation")
            else:
                parts.append(ch)
                self.i += 1
        parts.append("]")
        return "".join(parts)
