"""Transform specs as DuckDB SQL expressions that give the reference's results exactly.

Each op compiles to a :class:`SqlValue`: the value (NULL when absent or failed), an error
flag, the reason text (the reference's template, evaluated only for failing rows), the
value's JSON type and two escape hatches:

* ``guard``: the SQL matches the reference only on ASCII input (case mapping, the
  Unicode digits strptime accepts ...). The engine then computes rows with any
  non-ASCII input through the reference ``apply_transform`` instead.
* ``needs_ref``: a row SQL cannot finish (an integer beyond HUGEINT, a number that
  overflows to infinity). The engine restarts the run with the reference engine.

Ops with no SQL form here raise :class:`SqlUnsupported`; the engine then runs that
field through the reference per distinct input. Pure string building: no duckdb import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from tools.engines.sql_frame import Expr, Frame, float_lit, int_lit, is_blank_text, lit, lvl, show, strip, template, ws_class
from tools.engines.sql_regex import class_body, re2_literal, to_re2
from tools.transforms import reasons
from tools.transforms.code_ops import KNOWN_LIMIT
from tools.transforms.identifier_ops import POSTCODE
from tools.transforms.spec import Constant, Copy, Join, Pipeline, Postcode, Text, ToBoolean, ToInteger, ToNumber, ValueMap

SqlType = Literal["string", "integer", "number", "boolean", "json"]
FALSE = Expr("FALSE")
NULL = Expr("NULL")


class SqlUnsupported(Exception):
    """This spec (or schema constraint) has no exact SQL form here."""


@dataclass(frozen=True)
class SqlValue:
    value: Expr
    error: Expr
    reason: Expr
    type: SqlType
    guard: bool = False
    needs_ref: Expr | None = None
    member: str | None = None  # SQL of the ready '"key":value' text (NULL when absent), when Python made it


def compile_transform(frame: Frame, spec: Any, inputs: list[Expr]) -> SqlValue:
    """The SQL of ``apply_transform(spec, inputs)`` for VARCHAR inputs (NULL = None)."""
    if isinstance(spec, Pipeline):
        inputs = [_unblank(frame, x, spec.null_values) for x in inputs]
        result = compile_transform(frame, spec.steps[0], inputs)
        steps = [result]
        for step in spec.steps[1:]:
            if result.type != "string":
                raise SqlUnsupported(f"pipeline step {step.op!r} after a {result.type} value")
            result = compile_transform(frame, step, [result.value])
            steps.append(result)
        return _chain(frame, steps)
    if isinstance(spec, Constant):
        return _constant(spec.value)
    guard = bool(spec.null_values)
    inputs = [_unblank(frame, x, spec.null_values) for x in inputs]
    compiler = _OPS.get(type(spec))
    if compiler is None:
        from tools.engines.sql_dates import DATE_OPS

        date_compiler = DATE_OPS.get(type(spec))
        if date_compiler is None:
            raise SqlUnsupported(f"op {spec.op!r} runs through the reference engine")
        result = date_compiler(frame, spec, inputs)
    else:
        result = compiler(frame, spec, inputs)
    return SqlValue(result.value, result.error, result.reason, result.type, result.guard or guard, result.needs_ref)


def _unblank(frame: Frame, x: Expr, null_values: tuple[str, ...]) -> Expr:
    """``None if is_blank(x, null_values) else x``."""
    if x.sql == "NULL":
        return x
    blank = is_blank_text(x).sql
    if null_values:
        folded = sorted({v.strip().lower() for v in null_values})
        blank += f" OR lower({strip(x).sql}) IN ({', '.join(lit(v) for v in folded)})"
    return frame.let(Expr(f"CASE WHEN {blank} THEN NULL ELSE {x.sql} END", x.level), "in")


def _chain(frame: Frame, steps: list[SqlValue]) -> SqlValue:
    """A pipeline: the first failing step's reason; a failed step leaves later inputs NULL."""
    error = Expr("(" + " OR ".join(s.error.sql for s in steps) + ")", lvl(*(s.error for s in steps)))
    cases = " ".join(f"WHEN {s.error.sql} THEN {s.reason.sql}" for s in steps)
    reason = Expr(f"CASE {cases} END", lvl(*(s.reason for s in steps), *(s.error for s in steps)))
    needs = [s.needs_ref for s in steps if s.needs_ref is not None]
    needs_ref = Expr("(" + " OR ".join(n.sql for n in needs) + ")", lvl(*needs)) if needs else None
    last = steps[-1]
    return SqlValue(last.value, error, reason, last.type, any(s.guard for s in steps), needs_ref)


def _ok(value: Expr, type_: SqlType, guard: bool = False) -> SqlValue:
    return SqlValue(value, FALSE, NULL, type_, guard)


def _constant(value: Any) -> SqlValue:
    if value is None:
        return _ok(NULL, "string")
    if isinstance(value, bool):
        return _ok(Expr("TRUE" if value else "FALSE"), "boolean")
    if isinstance(value, int):
        if abs(value) >= 10**38:
            raise SqlUnsupported("an integer constant beyond HUGEINT")
        return _ok(Expr(int_lit(value)), "integer")
    if isinstance(value, float):
        return _ok(Expr(float_lit(value)), "number")
    if isinstance(value, str):
        return _ok(Expr(lit(value)), "string")
    raise SqlUnsupported("a list or object constant")


# Python's \s (Unicode), for collapse_spaces and the identifier normalisers.
def _ws_run() -> str:
    return lit("[" + class_body("s", negated=False) + "]+")


def _copy(frame: Frame, spec: Copy, xs: list[Expr]) -> SqlValue:
    return _ok(xs[0], "string")


def _text(frame: Frame, spec: Text, xs: list[Expr]) -> SqlValue:
    t = xs[0]
    if spec.trim:
        t = strip(t)
    if spec.collapse_spaces:
        t = frame.let(t, "tx")
        # The regex replace is slow; most values have no run of white space to collapse.
        needs = f"contains({t.sql}, '  ') OR regexp_matches({t.sql}, {lit(ws_class(spaces=False))})"
        t = Expr(f"(CASE WHEN {needs} THEN regexp_replace({t.sql}, {_ws_run()}, ' ', 'g') ELSE {t.sql} END)", t.level)
        if spec.trim:
            t = strip(t)
    if spec.case == "upper":
        t = Expr(f"upper({t.sql})", t.level)
    elif spec.case == "lower":
        t = Expr(f"lower({t.sql})", t.level)
    elif spec.case == "title":
        t = _title_case(frame.let(t, "tc"))
    return _ok(frame.let(Expr(f"nullif({t.sql}, '')", t.level), "v"), "string", guard=spec.case != "keep")


def _title_case(t: Expr) -> Expr:
    """text_ops.title_case for ASCII text: words on ' ' and '-', O'/D' style initials."""
    piece = (
        "CASE WHEN regexp_matches(p, '^[A-Za-z]''[A-Za-z]') "
        "THEN upper(p[1:1]) || p[2:2] || upper(p[3:3]) || p[4:] "
        "ELSE upper(p[1:1]) || p[2:] END"
    )
    word = f"array_to_string(list_transform(string_split(w, '-'), lambda p: {piece}), '-')"
    return Expr(f"array_to_string(list_transform(string_split(lower({t.sql}), ' '), lambda w: {word}), ' ')", t.level)


def _join(frame: Frame, spec: Join, xs: list[Expr]) -> SqlValue:
    parts = ", ".join(f"CASE WHEN {x.sql} IS NOT NULL THEN {strip(x).sql} END" for x in xs)
    value = Expr(f"nullif(concat_ws({lit(spec.separator)}, {parts}), '')", lvl(*xs))
    return _ok(frame.let(value, "v"), "string")


def _grouped(separator: str | None) -> str:
    if not separator:
        return "[0-9]+"
    sep = re2_literal(separator)
    return f"(?:[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)"


def _to_integer(frame: Frame, spec: ToInteger, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    s = frame.let(strip(x), "s")
    pattern = lit(f"^([+-])?({_grouped(spec.thousands_separator)})(?:\\.0*)?$")
    ok = frame.let(Expr(f"regexp_full_match({s.sql}, {pattern})", s.level), "ok")
    digits = Expr(f"regexp_extract({s.sql}, {pattern}, 2)", s.level)
    if spec.thousands_separator:
        digits = Expr(f"replace({digits.sql}, {lit(spec.thousands_separator)}, '')", s.level)
    sign = Expr(f"regexp_extract({s.sql}, {pattern}, 1)", s.level)
    value = frame.let(
        Expr(f"CASE WHEN {ok.sql} THEN TRY_CAST(CASE WHEN {sign.sql} = '-' THEN '-' ELSE '' END || {digits.sql} AS HUGEINT) END", ok.level),
        "v",
    )
    error = Expr(f"({x.sql} IS NOT NULL AND NOT {ok.sql})", ok.level)
    exponent = lit("^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)[eE][+-]?[0-9]+$")
    reason = Expr(
        f"CASE WHEN regexp_full_match({s.sql}, {exponent}) THEN {template(reasons.EXPONENT_IN_INTEGER, value=show(x)).sql} "
        f"ELSE {template(reasons.NOT_INTEGER, value=show(x)).sql} END",
        s.level,
    )
    needs_ref = Expr(f"({ok.sql} AND {value.sql} IS NULL)", value.level)
    return SqlValue(value, error, reason, "integer", False, needs_ref)


def _to_number(frame: Frame, spec: ToNumber, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    s = frame.let(strip(x), "s")
    point = "," if spec.decimal_comma else "\\."
    body = f"(?:({_grouped(spec.thousands_separator)})(?:{point}([0-9]*))?|{point}([0-9]+))"
    pattern = lit(f"^(([+-])?{body}([eE][+-]?[0-9]+)?)$")
    parts = frame.let(Expr(f"regexp_extract({s.sql}, {pattern}, ['all', 'sign', 'int', 'frac', 'frac2', 'exp'])", s.level), "m")
    ok = frame.let(Expr(f"({s.sql} <> '' AND {parts.sql}['all'] = {s.sql})", lvl(s, parts)), "ok")
    whole = f"{parts.sql}['int']"
    if spec.thousands_separator:
        whole = f"replace({whole}, {lit(spec.thousands_separator)}, '')"
    canonical = (
        f"{parts.sql}['sign'] || coalesce(nullif({whole}, ''), '0') || '.' || "
        f"coalesce(nullif({parts.sql}['frac'], ''), nullif({parts.sql}['frac2'], ''), '0') || {parts.sql}['exp']"
    )
    value = frame.let(Expr(f"CASE WHEN {ok.sql} THEN TRY_CAST({canonical} AS DOUBLE) END", ok.level), "v")
    error = Expr(f"({x.sql} IS NOT NULL AND NOT {ok.sql})", ok.level)
    reason = template(reasons.NOT_NUMBER, value=show(x))
    needs_ref = Expr(f"({ok.sql} AND ({value.sql} IS NULL OR isinf({value.sql})))", value.level)
    return SqlValue(value, error, reason, "number", False, needs_ref)


def _to_boolean(frame: Frame, spec: ToBoolean, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    folded = frame.let(Expr(f"lower({strip(x).sql})", x.level), "f")
    trues = ", ".join(lit(v) for v in sorted({v.strip().lower() for v in spec.true_values})) or "NULL"
    falses = ", ".join(lit(v) for v in sorted({v.strip().lower() for v in spec.false_values})) or "NULL"
    value = frame.let(
        Expr(f"CASE WHEN {folded.sql} IN ({trues}) THEN TRUE WHEN {folded.sql} IN ({falses}) THEN FALSE END", folded.level), "v"
    )
    error = Expr(f"({x.sql} IS NOT NULL AND {value.sql} IS NULL)", lvl(x, value))
    reason = template(reasons.NOT_BOOLEAN, value=show(x), true=", ".join(spec.true_values), false=", ".join(spec.false_values))
    return SqlValue(value, error, reason, "boolean", True)


def _value_map(frame: Frame, spec: ValueMap, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    kinds = {type(v) for v in spec.mapping.values() if v is not None}
    if spec.on_unmapped == "keep":
        kinds.add(str)
    if len(kinds) > 1:
        raise SqlUnsupported("a value map with values of several types")
    kind = next(iter(kinds), str)
    to_sql: dict[type, tuple[SqlType, Callable[[Any], str]]] = {
        str: ("string", lit), bool: ("boolean", lambda v: "TRUE" if v else "FALSE"),
        int: ("integer", int_lit), float: ("number", float_lit),
    }
    if kind not in to_sql or (kind is int and any(abs(v) >= 10**38 for v in spec.mapping.values() if v is not None)):
        raise SqlUnsupported("a value map with values SQL cannot hold")
    type_, render = to_sql[kind]
    key = frame.let(strip(x), "k")
    folded = frame.let(Expr(f"lower({key.sql})", key.level), "f") if spec.case_insensitive else key
    lookup: dict[str, Any] = {}
    for k, v in spec.mapping.items():
        lookup[k.strip().lower() if spec.case_insensitive else k.strip()] = v
    known = frame.let(Expr(f"{folded.sql} IN ({', '.join(lit(k) for k in lookup)})", folded.level), "kn")
    whens = " ".join(f"WHEN {lit(k)} THEN {render(v)}" for k, v in lookup.items() if v is not None)
    mapped = f"CASE {folded.sql} {whens} END" if whens else "NULL"
    fallback = key.sql if spec.on_unmapped == "keep" else "NULL"
    value = frame.let(Expr(f"CASE WHEN {known.sql} THEN {mapped} ELSE {fallback} END", lvl(known, folded, key)), "v")
    if spec.on_unmapped != "error":
        return SqlValue(value, FALSE, NULL, type_, spec.case_insensitive)
    keys = sorted(spec.mapping)
    shown = ", ".join(reasons.quote(k) for k in keys[:KNOWN_LIMIT])
    if len(keys) > KNOWN_LIMIT:
        shown += f", ... ({len(keys)} in all)"
    error = Expr(f"({x.sql} IS NOT NULL AND NOT {known.sql})", lvl(x, known))
    reason = template(reasons.UNMAPPED, value=show(x), known=shown)
    return SqlValue(value, error, reason, type_, spec.case_insensitive)


def _postcode(frame: Frame, spec: Postcode, xs: list[Expr]) -> SqlValue:
    x = xs[0]
    compact = frame.let(Expr(f"upper(regexp_replace({x.sql}, {_ws_run()}, '', 'g'))", x.level), "pc")
    ok = frame.let(Expr(f"regexp_matches({compact.sql}, {lit(to_re2(POSTCODE.pattern, ascii_flag=True))})", compact.level), "ok")
    spaced = f"left({compact.sql}, length({compact.sql}) - 3) || ' ' || right({compact.sql}, 3)"
    value = frame.let(Expr(f"CASE WHEN {ok.sql} THEN {spaced if spec.space else compact.sql} END", ok.level), "v")
    error = Expr(f"({x.sql} IS NOT NULL AND NOT {ok.sql})", ok.level)
    return SqlValue(value, error, template(reasons.INVALID_POSTCODE, value=show(x)), "string", True)


_OPS: dict[type, Callable[[Frame, Any, list[Expr]], SqlValue]] = {
    Copy: _copy,
    Text: _text,
    Join: _join,
    ToInteger: _to_integer,
    ToNumber: _to_number,
    ToBoolean: _to_boolean,
    ValueMap: _value_map,
    Postcode: _postcode,
}
