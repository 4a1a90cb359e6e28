"""New distinct values of a field computed by its SQL form, in bulk, for ``ValueMemo``.

The reference costs 10-20 microseconds a value (``strptime`` alone is half of it); a file
with tens of thousands of distinct dates of birth or postcodes spends a second on them.
Where the op has an exact SQL form, a side DuckDB connection computes the new values of a
batch in one query instead. Values SQL may not judge exactly (non-ASCII text of a guarded
op, values flagged ``needs_ref``) still go to the reference.
"""

from __future__ import annotations

from typing import Any, Callable

import duckdb
import pyarrow as pa

from tools.engines.sql_frame import Expr, Frame
from tools.engines.sql_transforms import SqlUnsupported, compile_transform

Result = tuple[Any, str | None]


class LearnerConnection:
    """One small DuckDB connection shared by a feeder's learners (all on the feeder's thread)."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None

    def get(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self.con = duckdb.connect(config={"threads": 1})
            self.con.execute("SET TimeZone = 'UTC'")
            self.con.execute("SET enable_progress_bar = false")
        return self.con

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


class SqlLearner:
    """Turns a list of raw values into (value, reason) pairs using one SQL query."""

    def __init__(self, spec: Any, reference: Callable[[Any], Result], connection: LearnerConnection) -> None:
        frame = Frame()
        self.value = compile_transform(frame, spec, [Expr('"c0"')])
        self.reference = reference
        sv = self.value
        needs = sv.needs_ref.sql if sv.needs_ref is not None else "FALSE"
        self.sql = (
            f"SELECT {sv.value.sql} AS v, CASE WHEN {sv.error.sql} THEN {sv.reason.sql} END AS e, "
            f"coalesce({needs}, FALSE) AS nr FROM ({frame.render('learn')})"
        )
        self.connection = connection

    def __call__(self, raw: list[Any]) -> list[Result]:
        con = self.connection.get()
        con.register("learn", pa.table({"c0": pa.array(raw, pa.string())}))
        try:
            rows = con.execute(self.sql).fetchall()
        finally:
            con.unregister("learn")
        results: list[Result] = []
        for value, (v, e, needs_ref) in zip(raw, rows):
            if needs_ref or (self.value.guard and value is not None and not value.isascii()):
                results.append(self.reference(value))
            else:
                results.append((self.plain(v), e))
        return results

    def plain(self, v: Any) -> Any:
        """The SQL value as the reference's Python value (HUGEINT comes back as int already)."""
        if v is None or self.value.type != "number":
            return v
        return float(v)



def sql_learner(spec: Any, reference: Callable[[Any], Result], connection: LearnerConnection) -> SqlLearner | None:
    """A learner for single-source ``spec``, or None when it has no exact SQL form."""
    try:
        return SqlLearner(spec, reference, connection)
    except SqlUnsupported:
        return None
