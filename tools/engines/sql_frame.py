"""SQL expression text with the stage it can be computed in, and the stages themselves.

The DuckDB query is a stack of projections: stage 1 reads the source columns, stage 2
may use what stage 1 computed, and so on. Naming an intermediate (``Frame.let``) keeps
DuckDB from evaluating the same sub-expression once per use (a stripped value feeds a
regex test, a cast and a reason). Pure string building: nothing here imports duckdb.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

# Python's str.strip() / str.isspace() set, so SQL trims exactly what the reference trims
# (found with re's \s, which is str.isspace, over every code point).
PY_WHITESPACE = "".join(re.findall(r"\s", "".join(map(chr, range(sys.maxunicode + 1)))))
# The ASCII part, for rows known to be ASCII (see "guard" in sql_transforms).
ASCII_WHITESPACE = "".join(ch for ch in PY_WHITESPACE if ch.isascii())


@dataclass(frozen=True)
class Expr:
    """SQL text and the first stage whose input already has everything it refers to."""

    sql: str
    level: int = 0

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.sql


def lvl(*exprs: Expr) -> int:
    return max((e.level for e in exprs), default=0)


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"



def ident(name: str) -> str:
    """A quoted SQL identifier (source column names can hold anything)."""
    return '"' + name.replace('"', '""') + '"'



def int_lit(value: int) -> str:
    """An integer literal typed HUGEINT, so comparisons and sums never overflow BIGINT."""
    return f"CAST({int(value)} AS HUGEINT)"


def float_lit(value: float) -> str:
    """A DOUBLE literal equal to the Python float (repr round-trips exactly)."""
    return f"CAST({lit(repr(float(value)))} AS DOUBLE)"


@dataclass
class Frame:
    """Collects named intermediates by stage; renders the nested SELECTs."""

    stages: list[list[tuple[str, str]]] = field(default_factory=list)
    counter: int = 0
    skip_when: str | None = None

    def let(self, expr: Expr, hint: str = "t") -> Expr:
        """Name ``expr`` in the stage after its inputs; return a reference to the name.

        Under ``skipping(column)`` the value is NULL (and not computed) where the boolean
        source column is true: rows whose value Python already made.
        """
        stage = expr.level + 1
        while len(self.stages) < stage:
            self.stages.append([])
        self.counter += 1
        name = f"__x{self.counter}_{hint}"  # "__x" never clashes with source or Python columns
        sql = expr.sql if self.skip_when is None else f"CASE WHEN NOT {self.skip_when} THEN {expr.sql} END"
        self.stages[stage - 1].append((name, sql))
        return Expr(name, stage)

    def snapshot(self) -> tuple[list[list[tuple[str, str]]], int]:
        return [list(stage) for stage in self.stages], self.counter

    def restore(self, saved: tuple[list[list[tuple[str, str]]], int]) -> None:
        """Forget what was added since ``snapshot`` (a compile that gave up half way)."""
        self.stages, self.counter = [list(stage) for stage in saved[0]], saved[1]

    @contextmanager
    def skipping(self, column: str) -> Iterator[None]:
        previous, self.skip_when = self.skip_when, column
        try:
            yield
        finally:
            self.skip_when = previous

    def render(self, source: str) -> str:
        """``SELECT *, <stage n> FROM (... SELECT *, <stage 1> FROM source)``."""
        query = f"SELECT * FROM {source}"
        for stage in self.stages:
            if not stage:
                continue
            columns = ", ".join(f"{sql} AS {name}" for name, sql in stage)
            query = f"SELECT *, {columns} FROM ({query})"
        return query

    @property
    def depth(self) -> int:
        return len(self.stages)


def ws_class(ascii_only: bool = False, spaces: bool = True) -> str:
    """An RE2 character class of Python's white space (optionally without ' ')."""
    chars = ASCII_WHITESPACE if ascii_only else PY_WHITESPACE
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in chars if spaces or c != " ") + "]"


def strip(x: Expr, ascii_only: bool = False) -> Expr:
    """Python's ``str.strip()``.

    DuckDB's trim with a character list is slow, so it only runs on the few values that
    start or end with white space at all.
    """
    ws = ws_class(ascii_only)
    chars = lit(ASCII_WHITESPACE if ascii_only else PY_WHITESPACE)
    return Expr(f"(CASE WHEN regexp_matches({x.sql}, {lit('^' + ws + '|' + ws + '$')}) THEN trim({x.sql}, {chars}) ELSE {x.sql} END)", x.level)


def is_blank_text(x: Expr) -> Expr:
    """True when ``x`` is empty or only white space (Python's ``not x.strip()``)."""
    return Expr(f"NOT regexp_matches({x.sql}, {lit('[^' + ws_class()[1:])})", x.level)


def show(x: Expr) -> Expr:
    """``reasons.show`` of a string: single-quoted, cut to 77 characters plus '...' past 80."""
    from tools.transforms.reasons import SHOW_LIMIT

    cut = SHOW_LIMIT - 3
    return Expr(
        f"('''' || CASE WHEN length({x.sql}) > {SHOW_LIMIT} THEN left({x.sql}, {cut}) || '...' ELSE {x.sql} END || '''')",
        x.level,
    )


def template(text: str, **parts: Expr | str) -> Expr:
    """A reason template from ``tools.transforms.reasons`` with its fields filled.

    A field given as ``Expr`` is spliced in as SQL; a ``str`` is literal text.
    """
    pieces: list[str] = []
    level = 0
    rest = text
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        if before:
            pieces.append(lit(before))
        value = parts[name]
        if isinstance(value, Expr):
            pieces.append(value.sql)
            level = max(level, value.level)
        else:
            pieces.append(lit(value))
    if rest:
        pieces.append(lit(rest))
    return Expr("(" + " || ".join(pieces or ["''"]) + ")", level)
