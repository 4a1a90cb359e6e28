"""Target schema constraints as SQL predicates that fail exactly where jsonschema fails.

Leaf checks: type (decided from the value's static type, plus integrality for numbers
against an integer target), enum/const, every pattern (Python ``re.search`` semantics via
:mod:`sql_regex`), the formats jsonschema's checker tests (date, date-time, time,
email), bounds and lengths. Object checks: ``required`` (a child missing from a present
object), ``dependentRequired`` and ``additionalProperties: false``. A 'required' failure
caused by a failed transform is not reported again (as in the reference engine).
Reasons imitate jsonschema's messages; only field, stage and kind must match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tools.engines.plan import ApplyPlan, PlannedField, RecordNode
from tools.engines.record_errors import keyword_rank, schema_kind
from tools.engines.schema_nodes import check_keywords, nodes_at, strings_of
from tools.engines.sql_frame import Expr, Frame, float_lit, int_lit, lit, lvl
from tools.engines.sql_regex import RegexUnsupported, to_re2
from tools.engines.sql_transforms import SqlUnsupported, SqlValue
from tools.json_pointer import make_pointer
from tools.target_schema import TargetField, TargetSchema
from tools.transforms.spec import CombineDateTime, EpochToDateTime, ExcelSerialDate, ParseDate, ParseDateTime, Pipeline

SQL_FORMATS = frozenset({"date", "date-time", "time", "email"})
_RFC3339 = (
    "^([0-9]{4})-(0[1-9]|1[0-2])-([0-9]{2})[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?"
    "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])(?:\\n?\\z)"
)


@dataclass(frozen=True)
class Check:
    """One way a row can fail the schema at ``pointer``."""

    pointer: str
    keyword: str
    failed: Expr
    reason: Expr
    kind: str


@dataclass(frozen=True)
class PyCheck:
    """A check the SQL cannot make, computed in Python for a field whose values Python makes."""

    column: str
    field_index: int
    keyword: str
    argument: str


def _repr(value: Expr, type_: str) -> str:
    """Roughly Python's repr of the value, as jsonschema messages start."""
    if type_ == "string":
        return f"('''' || {value.sql} || '''')"
    if type_ == "boolean":
        return f"CASE WHEN {value.sql} THEN 'True' ELSE 'False' END"
    return f"CAST({value.sql} AS VARCHAR)"


def _check(frame: Frame, f: PlannedField, keyword: str, violation: str, v: Expr, t: str, tail: str, fmt: str | None = None) -> Check:
    failed = frame.let(Expr(f"coalesce({v.sql} IS NOT NULL AND ({violation}), FALSE)", v.level), "c")
    reason = Expr(f"({_repr(v, t)} || {lit(tail)})", v.level)
    return Check(f.target, keyword, failed, reason, schema_kind(keyword, fmt))


def leaf_checks(
    frame: Frame, f: PlannedField, sv: SqlValue, tf: TargetField | None, schema: TargetSchema,
    checked_formats: frozenset[str], python_values: bool, py_checks: list[PyCheck],
) -> list[Check]:
    """The checks of one mapped leaf; raises SqlUnsupported for anything not exact."""
    nodes = nodes_at(schema.raw, f.parts)
    check_keywords(nodes, f.target, is_object=False)
    if tf is None:
        if nodes:
            raise SqlUnsupported(f"{f.target} is an object in the schema but mapped as a value")
        return []
    v, t = sv.value, sv.type
    checks: list[Check] = []
    types = tf.types
    if types and not _type_ok_statically(t, types):
        integral = t == "number" and "integer" in types
        violation = f"{v.sql} <> trunc({v.sql})" if integral else "TRUE"
        tail = " is not of type " + ", ".join(repr(x) for x in types)
        checks.append(_check(frame, f, "type", violation, v, t, tail))
    if tf.enum is not None:
        members = [m for m in tf.enum if _same_kind(m, t)]
        listed = ", ".join(_literal(m, t) for m in members)
        violation = f"{v.sql} NOT IN ({listed})" if members else "TRUE"
        checks.append(_check(frame, f, "enum", violation, v, t, f" is not one of {tf.enum!r}"))
    if t == "string":
        checks.extend(_string_checks(frame, f, v, tf, nodes, checked_formats, python_values, py_checks))
    if t in ("integer", "number"):
        checks.extend(_number_checks(frame, f, v, t, tf))
    return checks


def _type_ok_statically(t: str, types: list[str]) -> bool:
    if t == "integer":
        return "integer" in types or "number" in types
    return t in types


def _same_kind(member: Any, t: str) -> bool:
    if t == "string":
        return isinstance(member, str)
    if t == "boolean":
        return isinstance(member, bool)
    return isinstance(member, (int, float)) and not isinstance(member, bool) and math.isfinite(member)


def _literal(member: Any, t: str) -> str:
    if t == "string":
        return lit(member)
    if t == "boolean":
        return "TRUE" if member else "FALSE"
    if isinstance(member, int) and t == "integer":
        return int_lit(member)
    return float_lit(float(member)) if _exact_double(member) else _unsupported("an enum number a double cannot hold")


def _exact_double(number: int | float) -> bool:
    return isinstance(number, float) or abs(number) <= 2**53


def _unsupported(why: str) -> str:
    raise SqlUnsupported(why)


def _string_checks(
    frame: Frame, f: PlannedField, v: Expr, tf: TargetField, nodes: list[dict[str, Any]],
    checked_formats: frozenset[str], python_values: bool, py_checks: list[PyCheck],
) -> list[Check]:
    checks: list[Check] = []
    patterns = strings_of(nodes, "pattern") or ([tf.pattern] if tf.pattern else [])
    for pattern in patterns:
        try:
            full, ascii_only = to_re2(pattern), to_re2(pattern, ascii_text=True)
            violation = f"NOT regexp_matches({v.sql}, {lit(full)})"
            if ascii_only != full:
                # Unicode classes are slow in RE2; ASCII values (strlen counts bytes) get the small ones.
                violation = (
                    f"NOT CASE WHEN strlen({v.sql}) = length({v.sql}) THEN regexp_matches({v.sql}, {lit(ascii_only)}) "
                    f"ELSE regexp_matches({v.sql}, {lit(full)}) END"
                )
        except RegexUnsupported:
            violation = _python_check(f, "pattern", pattern, python_values, py_checks)
        checks.append(_check(frame, f, "pattern", violation, v, "string", f" does not match {pattern!r}"))
    formats = strings_of(nodes, "format") or ([tf.format] if tf.format else [])
    for fmt in formats:
        if fmt not in checked_formats or fmt in guaranteed_formats(f.spec):
            continue
        violation = _format_violation(v, fmt) if fmt in SQL_FORMATS else _python_check(f, "format", fmt, python_values, py_checks)
        checks.append(_check(frame, f, "format", violation, v, "string", f" is not a {fmt!r}", fmt))
    if tf.min_length is not None:
        checks.append(_check(frame, f, "minLength", f"length({v.sql}) < {int(tf.min_length)}", v, "string", " is too short"))
    if tf.max_length is not None:
        checks.append(_check(frame, f, "maxLength", f"length({v.sql}) > {int(tf.max_length)}", v, "string", " is too long"))
    return checks


def guaranteed_formats(spec: Any) -> frozenset[str]:
    """Formats every output of the op passes, so checking them row by row is wasted work.

    parse_date writes YYYY-MM-DD of a real date; the date-time ops write RFC 3339 with a
    four-digit year, seconds and an offset (see their docstrings in transforms.spec).
    """
    last = spec.steps[-1] if isinstance(spec, Pipeline) else spec
    if isinstance(last, ParseDate) or (isinstance(last, ExcelSerialDate) and last.output == "date"):
        return frozenset({"date"})
    if isinstance(last, (ParseDateTime, CombineDateTime, EpochToDateTime)) or (isinstance(last, ExcelSerialDate) and last.output == "datetime"):
        return frozenset({"date-time"})
    return frozenset()


def _python_check(f: PlannedField, keyword: str, argument: str, python_values: bool, py_checks: list[PyCheck]) -> str:
    if not python_values:
        raise SqlUnsupported(f"the {keyword} {argument!r} of {f.target} has no exact SQL form")
    column = f"__pc{len(py_checks)}"
    py_checks.append(PyCheck(column, f.index, keyword, argument))
    return f"coalesce({column}, FALSE)"


def _format_violation(v: Expr, fmt: str) -> str:
    if fmt == "email":
        return f"NOT contains({v.sql}, '@')"
    if fmt == "date":
        ymd = [f"TRY_CAST(substr({v.sql}, {a}, {n}) AS INTEGER)" for a, n in ((1, 4), (6, 2), (9, 2))]
        return (
            f"NOT (regexp_full_match({v.sql}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND {ymd[0]} >= 1 "
            f"AND try(make_date({ymd[0]}, {ymd[1]}, {ymd[2]})) IS NOT NULL)"
        )
    text = v.sql if fmt == "date-time" else f"('1970-01-01T' || {v.sql})"
    parts = f"regexp_extract({text}, {lit(_RFC3339)}, ['y', 'm', 'd'])"
    ymd = [f"TRY_CAST({parts}[{lit(k)}] AS INTEGER)" for k in ("y", "m", "d")]
    return (
        f"NOT (regexp_matches({text}, {lit(_RFC3339)}) AND {ymd[0]} >= 1 "
        f"AND try(make_date({ymd[0]}, {ymd[1]}, {ymd[2]})) IS NOT NULL)"
    )


def _number_checks(frame: Frame, f: PlannedField, v: Expr, t: str, tf: TargetField) -> list[Check]:
    checks: list[Check] = []
    bounds = (
        ("minimum", tf.minimum, "<", " is less than the minimum of "),
        ("maximum", tf.maximum, ">", " is greater than the maximum of "),
        ("exclusiveMinimum", tf.exclusive_minimum, "<=", " is less than or equal to the minimum of "),
        ("exclusiveMaximum", tf.exclusive_maximum, ">=", " is greater than or equal to the maximum of "),
    )
    for keyword, bound, op, tail in bounds:
        if bound is None or isinstance(bound, bool):
            continue
        checks.append(_check(frame, f, keyword, _bound_violation(v, t, bound, op), v, t, tail + repr(bound)))
    return checks


def _bound_violation(v: Expr, t: str, bound: int | float, op: str) -> str:
    """``v op bound`` (op says when the check fails) decided exactly, as Python compares."""
    if t == "integer":
        # For a whole v: v < b <=> v < ceil(b); v > b <=> v > floor(b); v <= b <=> v <= floor(b); v >= b <=> v >= ceil(b).
        edge = math.ceil(bound) if op in ("<", ">=") else math.floor(bound)
        if abs(edge) >= 10**38:
            raise SqlUnsupported("a bound beyond HUGEINT")
        return f"{v.sql} {op} {int_lit(edge)}"
    if not _exact_double(bound):
        raise SqlUnsupported("a bound a double cannot hold")
    return f"{v.sql} {op} {float_lit(float(bound))}"


def object_checks(
    frame: Frame, plan: ApplyPlan, schema: TargetSchema, present: dict[str, Expr], failed_under: dict[str, Expr]
) -> list[Check]:
    """required / dependentRequired / additionalProperties of the root and mapped objects.

    ``present[pointer]`` says whether a mapped leaf or object is in the record;
    ``failed_under[pointer]`` whether a transform failed at or below it.
    """
    checks: list[Check] = []
    for pointer, parts, node in _objects(plan.root):
        nodes = nodes_at(schema.raw, parts)
        check_keywords(nodes, pointer, is_object=True)
        for n in nodes:
            declared = n.get("type")
            if declared is not None and "object" not in (declared if isinstance(declared, list) else [declared]):
                raise SqlUnsupported(f"{pointer or '/'} is mapped as an object but the schema says {declared!r}")
        here = Expr("TRUE") if pointer == "" else present[pointer]
        required = list(schema.object_pointers.get(pointer, []))
        for n in nodes:
            required += [r for r in n.get("required", []) if isinstance(r, str) and r not in required]
        for name in required:
            child = make_pointer([*parts, name])
            checks.append(_missing(frame, child, "required", here, present, failed_under, f"{name!r} is a required property"))
        for n in nodes:
            for prop, deps in (n.get("dependentRequired") or {}).items():
                prop_ptr = make_pointer([*parts, prop])
                if prop_ptr not in present:
                    continue
                for dep in deps:
                    reason = f"{dep!r} is a dependency of {prop!r}"
                    dep_ptr = make_pointer([*parts, dep])
                    checks.append(_missing(frame, dep_ptr, "dependentRequired", present[prop_ptr], present, failed_under, reason))
            if n.get("additionalProperties") is False:
                known = n.get("properties") or {}
                for name in node.children:
                    if name not in known:
                        child = make_pointer([*parts, name])
                        reason = f"Additional properties are not allowed ({name!r} was unexpected)"
                        checks.append(Check(child, "additionalProperties", present[child], Expr(lit(reason)), schema_kind("additionalProperties")))
    return [c for c in checks if c.failed.sql != "FALSE"]


def _missing(frame: Frame, child: str, keyword: str, condition: Expr, present: dict[str, Expr],
             failed_under: dict[str, Expr], reason: str) -> Check:
    there = present.get(child)
    cause = failed_under.get(child)
    parts = [condition.sql]
    if there is not None:
        parts.append(f"NOT {there.sql}")
    if cause is not None:
        parts.append(f"NOT {cause.sql}")
    level = lvl(condition, *(e for e in (there, cause) if e is not None))
    failed = frame.let(Expr("coalesce(" + " AND ".join(parts) + ", FALSE)", level), "c")
    return Check(child, keyword, failed, Expr(lit(reason)), schema_kind(keyword))


def _objects(root: RecordNode) -> list[tuple[str, tuple[str, ...], RecordNode]]:
    found: list[tuple[str, tuple[str, ...], RecordNode]] = []

    def walk(node: RecordNode, parts: tuple[str, ...]) -> None:
        found.append((make_pointer(list(parts)), parts, node))
        for name, child in node.children.items():
            if isinstance(child, RecordNode):
                walk(child, (*parts, name))

    walk(root, ())
    return found


def ordered(checks: list[Check], plan: ApplyPlan) -> list[Check]:
    """Checks in the order the reference lists schema errors: by field, then keyword."""
    return sorted(checks, key=lambda c: (plan.rank(c.pointer), keyword_rank(c.keyword)))
