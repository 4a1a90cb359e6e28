"""The whole DuckDB query of an apply run: values, checks, and the finished JSONL lines.

Input relation ``src`` has ``__row``, the source columns renamed ``__c0``, ``__c1`` ...
(DuckDB names ignore case, source headers do not), and the columns the feeder computes in
Python: for field i ``__p{i}_v`` (value), ``__p{i}_e`` (reason), ``__p{i}_on`` (this row's
value came from Python; fields that also have SQL), ``__p{i}_j`` (the ready JSON member;
Python-only fields), ``__p{i}_t`` (JSON type; fields whose type varies) and ``__pc{n}``
(checks made in Python). The output has ``__row``, ``ok``, ``line`` (with its newline),
``needs_ref`` and, for rejects, ``err_keys`` (field, stage, kind, reason).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tools.engines.output import dumps
from tools.engines.plan import ApplyPlan, PlannedField, RecordNode
from tools.engines.record_errors import schema_kind
from tools.engines.sql_checks import Check, PyCheck, leaf_checks, object_checks, ordered
from tools.engines.sql_frame import Expr, Frame, ident, lit, lvl
from tools.engines.sql_transforms import SqlUnsupported, SqlValue, compile_transform
from tools.json_pointer import make_pointer
from tools.target_schema import TargetSchema
from tools.transforms.spec import Constant, Copy, Pipeline, ValueMap

KEY_SEP = "\x1f"


@dataclass(frozen=True)
class PyField:
    """Python's share of a field's values.

    ``all_rows``: no SQL at all (the op has no SQL form, or the values repeat so that the
    reference once per distinct value is cheaper). Otherwise SQL computes the field except
    where ``__p{i}_on`` is true: per batch the feeder sets it for every row when it can make
    the values cheaply (few new distinct values, or a date and a time column), or for the
    rows with non-ASCII input when ``guard`` is set.
    """

    field: PlannedField
    type: str
    all_rows: bool
    guard: bool = False

    @property
    def member_prefix(self) -> str:
        """'"name":', the start of this field's member in its object's JSON."""
        return dumps(self.field.parts[-1]) + ":"


@dataclass
class CompiledQuery:
    """The SQL text and what the feeder must add to each batch for it."""

    sql: str
    py_fields: list[PyField]
    py_checks: list[PyCheck]
    sql_fields: list[str] = field(default_factory=list)
    python_fields: list[str] = field(default_factory=list)


def source_column(j: int) -> str:
    return f"__c{j}"


def python_type(spec: Any) -> str:
    """The JSON type of the reference's output for text input; 'json' when it varies."""
    if isinstance(spec, Pipeline):
        return python_type(spec.steps[-1])
    if isinstance(spec, Copy):
        return "string"
    if isinstance(spec, ValueMap):
        kinds = {type(v) for v in spec.mapping.values() if v is not None} | ({str} if spec.on_unmapped == "keep" else set())
        names = {str: "string", int: "integer", float: "number", bool: "boolean"}
        return names.get(next(iter(kinds)), "json") if len(kinds) == 1 else ("string" if not kinds else "json")
    if isinstance(spec, Constant) and spec.output_type == "any":
        return "json"
    kind = spec.output_type
    return "json" if kind == "any" else kind


def compile_query(plan: ApplyPlan, schema: TargetSchema, checked_formats: frozenset[str], *, source_json_column: bool,
                  python_first: frozenset[int] = frozenset()) -> CompiledQuery:
    """Compile; raises SqlUnsupported when some schema constraint has no exact SQL form.

    Fields in ``python_first`` (whose values repeat, so the reference per distinct value is
    cheaper than SQL per row) get no SQL transform at all.
    """
    frame = Frame()
    columns = {name: Expr(ident(source_column(j))) for j, name in enumerate(plan.source_fields)}
    py_fields: list[PyField] = []
    py_checks: list[PyCheck] = []
    values: dict[int, SqlValue] = {}
    query = CompiledQuery("", py_fields, py_checks)
    for f in plan.fields:
        saved = frame.snapshot()
        try:
            if f.index in python_first:
                raise SqlUnsupported("values repeat: the reference runs once per distinct value")
            with frame.skipping(f"__p{f.index}_on"):
                sv = compile_transform(frame, f.spec, [columns[s] for s in f.sources])
        except SqlUnsupported:
            frame.restore(saved)
            sv = None
        values[f.index] = _final_value(frame, f, sv, py_fields)
        (query.python_fields if sv is None else query.sql_fields).append(f.target)
    checks: list[Check] = []
    for f in plan.fields:
        sv = values[f.index]
        python_values = any(p.field.index == f.index and p.all_rows for p in py_fields)
        if sv.type == "json":
            checks.extend(_json_checks(frame, f, sv, schema))
        else:
            checks.extend(leaf_checks(frame, f, sv, schema.field(f.target), schema, checked_formats, python_values, py_checks))
    present, failed_under = _presence(frame, plan, values)
    checks.extend(object_checks(frame, plan, schema, present, failed_under))
    checks = ordered(checks, plan)
    query.sql = _final_select(frame, plan, values, checks, present, source_json_column)
    return query


def _final_value(frame: Frame, f: PlannedField, sv: SqlValue | None, py_fields: list[PyField]) -> SqlValue:
    """The field's value: from SQL, from the Python columns, or one of them per row."""
    i = f.index
    if sv is None:
        type_ = python_type(f.spec)
        py_fields.append(PyField(f, type_, True))
        value = Expr(f"TRY_CAST(__p{i}_v AS HUGEINT)" if type_ == "integer" else f"__p{i}_v")
        value = frame.let(value, "v")
        needs = Expr(f"(__p{i}_v IS NOT NULL AND {value.sql} IS NULL)", value.level) if type_ == "integer" else None
        error, reason = Expr(f"(__p{i}_e IS NOT NULL)"), Expr(f"__p{i}_e")
        return SqlValue(value, error, reason, type_, False, needs, f"__p{i}_j")  # type: ignore[arg-type] - a SqlType
    py_fields.append(PyField(f, sv.type, False, sv.guard))
    py_value = f"TRY_CAST(__p{i}_v AS HUGEINT)" if sv.type == "integer" else f"__p{i}_v"
    on = f"__p{i}_on"
    value = frame.let(Expr(f"CASE WHEN {on} THEN {py_value} ELSE {sv.value.sql} END", sv.value.level), "v")
    error = frame.let(Expr(f"CASE WHEN {on} THEN __p{i}_e IS NOT NULL ELSE {sv.error.sql} END", sv.error.level), "e")
    reason = Expr(f"CASE WHEN {on} THEN __p{i}_e ELSE {sv.reason.sql} END", sv.reason.level)
    needs = [f"({on} AND __p{i}_v IS NOT NULL AND {value.sql} IS NULL)"] if sv.type == "integer" else []
    if sv.needs_ref is not None:
        needs.append(f"(NOT {on} AND {sv.needs_ref.sql})")
    needs_ref = Expr("(" + " OR ".join(needs) + ")", lvl(value, *(x for x in [sv.needs_ref] if x))) if needs else None
    return SqlValue(value, error, reason, sv.type, False, needs_ref)


def _json_checks(frame: Frame, f: PlannedField, sv: SqlValue, schema: TargetSchema) -> list[Check]:
    """A value whose JSON type varies row to row: only its type can be checked in SQL."""
    tf = schema.field(f.target)
    if tf is None:
        return []
    if any([tf.enum, tf.pattern, tf.format, tf.minimum is not None, tf.maximum is not None, tf.exclusive_minimum is not None,
            tf.exclusive_maximum is not None, tf.min_length is not None, tf.max_length is not None]):
        raise SqlUnsupported(f"{f.target} takes values of several types and has constraints besides its type")
    if not tf.types:
        return []
    allowed = set(tf.types) | ({"integer"} if "number" in tf.types else set())
    listed = ", ".join(lit(t) for t in sorted(allowed))
    failed = frame.let(Expr(f"coalesce({sv.value.sql} IS NOT NULL AND __p{f.index}_t NOT IN ({listed}), FALSE)", sv.value.level), "c")
    reason = Expr(f"({sv.value.sql} || {lit(' is not of type ' + ', '.join(repr(t) for t in tf.types))})", sv.value.level)
    return [Check(f.target, "type", failed, reason, schema_kind("type"))]


def _presence(frame: Frame, plan: ApplyPlan, values: dict[int, SqlValue]) -> tuple[dict[str, Expr], dict[str, Expr]]:
    present: dict[str, Expr] = {}
    failed_under: dict[str, Expr] = {}

    def walk(node: RecordNode, parts: tuple[str, ...]) -> tuple[list[Expr], list[Expr]]:
        here: list[Expr] = []
        errors: list[Expr] = []
        for name, child in node.children.items():
            pointer = make_pointer([*parts, name])
            if isinstance(child, RecordNode):
                leaves, errs = walk(child, (*parts, name))
            else:
                sv = values[child.index]
                leaves, errs = [frame.let(Expr(f"({sv.value.sql} IS NOT NULL)", sv.value.level), "pr")], [sv.error]
            present[pointer] = _any(frame, leaves)
            failed_under[pointer] = _any(frame, errs)
            here.extend(leaves)
            errors.extend(errs)
        return here, errors

    walk(plan.root, ())
    return present, failed_under


def _any(frame: Frame, exprs: list[Expr]) -> Expr:
    if len(exprs) == 1:
        return exprs[0]
    return frame.let(Expr("(" + " OR ".join(e.sql for e in exprs) + ")", lvl(*exprs)), "any")


def _json_of(sv: SqlValue) -> str:
    v = sv.value.sql
    if sv.type == "string":
        return f"CAST(to_json({v}) AS VARCHAR)"
    if sv.type == "boolean":
        return f"CASE WHEN {v} THEN 'true' ELSE 'false' END"
    if sv.type == "json":
        return v
    return f"CAST({v} AS VARCHAR)"


def _record_json(node: RecordNode, values: dict[int, SqlValue], present: dict[str, Expr], parts: tuple[str, ...]) -> str:
    """The members of one object, comma-separated (one concat_ws skips the absent ones)."""
    pieces: list[str] = []
    for name, child in node.children.items():
        key = lit(json.dumps(name, ensure_ascii=False) + ":")
        if isinstance(child, RecordNode):
            inner = _record_json(child, values, present, (*parts, name))
            pointer = make_pointer([*parts, name])
            pieces.append(f"CASE WHEN {present[pointer].sql} THEN concat({lit(json.dumps(name, ensure_ascii=False) + ':{')}, {inner}, '}}') END")
        else:
            sv = values[child.index]
            if sv.member is not None:
                pieces.append(sv.member)
            else:
                pieces.append(f"CASE WHEN {sv.value.sql} IS NOT NULL THEN concat({key}, {_json_of(sv)}) END")
    if not pieces:
        return "''"
    return "concat_ws(',', " + ", ".join(pieces) + ")"


def _raw_json(sources: tuple[str, ...], plan: ApplyPlan) -> str:
    """The raw input(s) as the reference quotes them (see plan.raw_value)."""
    one = [f"coalesce(CAST(to_json({ident(source_column(plan.source_fields.index(s)))}) AS VARCHAR), 'null')" for s in sources]
    if not one:
        return "'null'"
    if len(one) == 1:
        return one[0]
    return "('[' || " + " || ',' || ".join(one) + " || ']')"


def _error_json(pointer: str | None, sources: tuple[str, ...], value_json: str, stage: str, reason: Expr) -> str:
    head = lit('{"field":' + dumps(pointer) + ',"sources":' + dumps(list(sources)) + ',"value":')
    middle = lit(',"stage":"' + stage + '","reason":')
    return f"({head} || {value_json} || {middle} || CAST(to_json({reason.sql}) AS VARCHAR) || '}}')"


def _final_select(frame: Frame, plan: ApplyPlan, values: dict[int, SqlValue], checks: list[Check],
                  present: dict[str, Expr], source_json_column: bool) -> str:
    errors: list[tuple[str, str, str]] = []  # (condition, error JSON, tally key)
    if source_json_column:
        reason = Expr("__read_error")
        errors.append(("__read_error IS NOT NULL", _error_json(None, (), "'null'", "read", reason),
                       f"{lit(KEY_SEP + 'read' + KEY_SEP + KEY_SEP)} || __read_error"))
    for f in plan.fields:
        sv = values[f.index]
        key = lit(f.target + KEY_SEP + "transform" + KEY_SEP + KEY_SEP)
        errors.append((sv.error.sql, _error_json(f.target, f.sources, _raw_json(f.sources, plan), "transform", sv.reason),
                       f"{key} || {sv.reason.sql}"))
    for c in checks:
        sources, owner = plan.owner(c.pointer)
        raw = _raw_json(owner.sources, plan) if owner else "'null'"
        key = lit(c.pointer + KEY_SEP + "schema" + KEY_SEP + c.kind + KEY_SEP)
        errors.append((c.failed.sql, _error_json(c.pointer, sources, raw, "schema", c.reason), f"{key} || {c.reason.sql}"))
    if source_json_column:
        # A row that could not be read carries its read error and nothing else.
        errors = errors[:1] + [(f"(__read_error IS NULL AND {cond})", j, k) for cond, j, k in errors[1:]]
    record = f"concat('{{', {_record_json(plan.root, values, present, ())}, '}}')"
    bad = " OR ".join(cond for cond, _, _ in errors) or "FALSE"
    needs = [sv.needs_ref.sql for sv in values.values() if sv.needs_ref is not None]
    source_json = "__source" if source_json_column else _source_json(plan)
    err_json = "'[' || concat_ws(',', " + ", ".join(f"CASE WHEN {c} THEN {j} END" for c, j, _ in errors) + ") || ']'" if errors else "'[]'"
    keys = "list_filter([" + ", ".join(f"CASE WHEN {c} THEN {k} END" for c, _, k in errors) + "], lambda k: k IS NOT NULL)" if errors else "[]"
    record_when_read_error = f"CASE WHEN __read_error IS NOT NULL THEN '{{}}' ELSE {record} END" if source_json_column else record
    row = "'{\"row\":' || CAST(__row AS VARCHAR) || ',\"record\":'"
    inner = frame.render("src")
    # Two columns rather than one CASE: every row gets the valid form (cheap to build, and
    # used for nearly all rows); only rejected rows get the reject form.
    return (
        "SELECT __row, ok, needs_ref, "
        f"concat({row}, {record}, '}}', chr(10)) AS line, "
        f"CASE WHEN NOT ok THEN {row} || {record_when_read_error} || ',\"errors\":' || {err_json} "
        f"|| ',\"source\":' || {source_json} || '}}' || chr(10) END AS reject_line, "
        f"CASE WHEN NOT ok THEN {keys} END AS err_keys "
        f"FROM (SELECT *, NOT coalesce({bad}, FALSE) AS ok, coalesce({' OR '.join(needs) or 'FALSE'}, FALSE) AS needs_ref FROM ({inner}))"
    )


def _source_json(plan: ApplyPlan) -> str:
    if not plan.source_fields:
        return "'{}'"
    parts = []
    for j, name in enumerate(plan.source_fields):
        key = lit(("," if j else "{") + json.dumps(name, ensure_ascii=False) + ":")
        parts.append(f"{key} || coalesce(CAST(to_json({ident(source_column(j))}) AS VARCHAR), 'null')")
    return "(" + " || ".join(parts) + " || '}')"
