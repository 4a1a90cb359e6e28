"""The reference's results per distinct source value, kept as Arrow arrays across batches.

Police exports repeat values endlessly (codes, dates of birth, times of day), so a field
of one source column is computed by the reference once per distinct value; each batch is
then matched against the known values in Arrow (``index_in``) and the results gathered
with ``take``, so repeated values cost no Python at all.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc

from tools.engines.output import dumps
from tools.engines.sql_checks import PyCheck
from tools.engines.sql_query import PyField
from tools.errors import TransformValueError
from tools.transforms import apply_transform

MEMO_LIMIT = 200_000
# New distinct values cost a reference call (~10-20 us) each; SQL costs ~1 us a row. So a
# batch with more new values than this share of its rows is left to SQL.
NEW_SHARE = 0.1
_LEARN_IN_SQL = 64  # fewer new values than this are quicker through the reference directly
_JSON_TYPES = {bool: "boolean", int: "integer", str: "string", list: "array", dict: "object"}


class NeedsReference(Exception):
    """A row the SQL engine cannot finish exactly; the run restarts with the reference engine."""


def reference(p: PyField, key: tuple[Any, ...]) -> tuple[Any, str | None]:
    """(value, None) or (None, reason) from the reference transform."""
    try:
        return apply_transform(p.field.spec, list(key)), None
    except TransformValueError as exc:
        return None, exc.reason


def json_type(value: Any) -> str | None:
    """jsonschema's view of a value's type (an integral float counts as integer)."""
    if value is None:
        return None
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    return _JSON_TYPES.get(type(value), "object")


def typed(p: PyField, values: list[Any]) -> pa.Array:
    """The values as the Arrow type the query expects; anything else means: use the reference."""
    kind = p.type
    if kind == "json":
        return pa.array([None if v is None else dumps(v) for v in values], pa.string())
    expected = {"string": str, "integer": int, "number": float, "boolean": bool}[kind]
    for v in values:
        if v is None:
            continue
        if type(v) is not expected or (kind == "number" and not math.isfinite(v)):
            raise NeedsReference(f"{p.field.target}: the reference gave {v!r}, which the SQL engine cannot hold as {kind}")
        if kind == "integer" and abs(v) >= 10**38:
            raise NeedsReference(f"{p.field.target}: an integer beyond 38 digits")
    if kind == "integer":
        return pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.array(values, {"string": pa.string(), "number": pa.float64(), "boolean": pa.bool_()}[kind])


def result_columns(p: PyField, results: list[tuple[Any, str | None]], checks: list[PyCheck],
                   check_fails: Callable[[PyCheck, Any], bool | None]) -> dict[str, pa.Array]:
    """The Python columns of a field for a list of (value, reason) results."""
    i = p.field.index
    values = [r[0] for r in results]
    columns = {f"__p{i}_v": typed(p, values), f"__p{i}_e": pa.array([r[1] for r in results], pa.string())}
    if p.type == "json":
        columns[f"__p{i}_t"] = pa.array([json_type(v) for v in values], pa.string())
    if p.all_rows:
        # The record member itself, so SQL only has to place it.
        prefix = p.member_prefix
        columns[f"__p{i}_j"] = pa.array([None if v is None else prefix + dumps(v) for v in values], pa.string())
    for check in checks:
        columns[check.column] = pa.array([check_fails(check, v) for v in values], pa.bool_())
    return columns


def check_fails(checker: Any) -> Callable[[PyCheck, Any], bool | None]:
    """A Python-made schema check: pattern with ``re.search``, format with jsonschema's checker."""
    def fails(check: PyCheck, value: Any) -> bool | None:
        if not isinstance(value, str):
            return None
        if check.keyword == "pattern":
            return re.search(check.argument, value) is None
        return not checker.conforms(value, check.argument)

    return fails


def spread(columns: dict[str, pa.Array], index: pa.Array) -> dict[str, pa.Array]:
    """Per-row columns from per-key ``columns`` and each row's key number (null: no value).

    Dictionary arrays share the per-key values instead of copying them; DuckDB reads them
    as plain columns.
    """
    index = index.cast(pa.int32())
    return {name: pa.DictionaryArray.from_arrays(index, array) for name, array in columns.items()}


class ValueMemo:
    """Known values of one source column and the field's result columns for each."""

    def __init__(self, p: PyField, checks: list[PyCheck], fails: Callable[[PyCheck, Any], bool | None],
                 learner: Callable[[list[Any]], list[tuple[Any, str | None]]] | None = None) -> None:
        self.p = p
        self.checks = checks
        self.fails = fails
        self.learner = learner
        self.keys = pa.array([], pa.string())
        self.columns: dict[str, pa.Array] = result_columns(p, [], checks, fails)

    def lookup(self, column: pa.Array, force: bool = False) -> dict[str, pa.Array] | None:
        """Result columns for every row, or None when too many values are new (unless ``force``)."""
        index = pc.index_in(column, value_set=self.keys, skip_nulls=False)
        missing = pc.is_null(index)
        if pc.any(missing).as_py():
            new = pc.unique(pc.filter(column, missing))
            if not force and len(new) > NEW_SHARE * len(column):
                return None
            if len(self.keys) + len(new) > MEMO_LIMIT:
                self.keys = pa.array([], pa.string())
                self.columns = result_columns(self.p, [], self.checks, self.fails)
                new = pc.unique(column)
            self.add(new)
            index = pc.index_in(column, value_set=self.keys, skip_nulls=False)
        return spread(self.columns, index)

    def add(self, new: pa.Array) -> None:
        raw = new.to_pylist()
        if self.learner is not None and len(raw) >= _LEARN_IN_SQL:
            results = self.learner(raw)
        else:
            results = [reference(self.p, (v,)) for v in raw]
        fresh = result_columns(self.p, results, self.checks, self.fails)
        self.keys = pa.concat_arrays([self.keys, new.cast(pa.string())])
        self.columns = {name: pa.concat_arrays([self.columns[name], fresh[name]]) for name in self.columns}
