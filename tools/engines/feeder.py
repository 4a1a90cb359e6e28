"""What Python adds to each source batch before DuckDB sees it.

For every field with a Python share (see ``sql_query.PyField``) the feeder adds value,
reason and 'on' columns computed with the reference ``apply_transform``: per distinct
value for single-column fields (``ValueMemo``), from a date part and a time part for
``combine_date_time`` (``CombineParts``), row by row otherwise, and for guarded fields
only on rows with non-ASCII input. It also renames source columns to ``__c{j}``.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
from jsonschema.protocols import Validator

from tools.engines.combine_parts import CombineParts
from tools.engines.output import dumps
from tools.engines.plan import ApplyPlan
from tools.engines.sql_learner import LearnerConnection, sql_learner
from tools.engines.sql_query import CompiledQuery, PyField
from tools.engines.value_memo import NeedsReference, ValueMemo, check_fails, reference, result_columns, spread
from tools.readers.base import SourceReader
from tools.transforms.spec import CombineDateTime

BATCH_ROWS = 65_536
_ROW_MEMO_LIMIT = 200_000
_SKIP_BATCHES = 8  # after a batch where per-distinct-value did not pay, leave that many to SQL


class BatchFeeder:
    """Iterates source batches for DuckDB with the Python-computed columns added.

    Exceptions cannot cross DuckDB's scan unchanged, so the first one is kept in
    ``failure`` for the caller to re-raise.
    """

    def __init__(self, batches: Iterator[pa.RecordBatch], plan: ApplyPlan, query: CompiledQuery, validator: Validator) -> None:
        self.batches = batches
        self.query = query
        self.failure: BaseException | None = None
        self.position = {name: j for j, name in enumerate(plan.source_fields)}
        self.fails = check_fails(validator.format_checker)
        self.checks = {p.field.index: [c for c in query.py_checks if c.field_index == p.field.index] for p in query.py_fields}
        self.learner_connection = LearnerConnection()
        self.learners = {
            p.field.index: sql_learner(p.field.spec, _reference_of(p), self.learner_connection)
            for p in query.py_fields if len(p.field.sources) == 1
        }
        self.memos = {p.field.index: ValueMemo(p, self.checks[p.field.index], self.fails, self.learners[p.field.index])
                      for p in query.py_fields if len(p.field.sources) == 1}
        self.row_memo: dict[int, dict[tuple[Any, ...], tuple[Any, str | None]]] = {p.field.index: {} for p in query.py_fields}
        self.skip: dict[int, int] = {}
        self.parts = {
            p.field.index: CombineParts(p.field.spec) for p in query.py_fields
            if isinstance(p.field.spec, CombineDateTime) and not self.checks[p.field.index]
        }

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self.batches:
                yield self.extend(batch)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, see class doc
            self.failure = exc
            raise
        finally:
            self.learner_connection.close()

    def extend(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        # Positional names: DuckDB column names ignore case, source headers may not.
        names = [f"__c{self.position[n]}" if n in self.position else n for n in batch.schema.names]
        batch = pa.RecordBatch.from_arrays(list(batch.columns), names=names)
        arrays = list(batch.columns)
        for p in self.query.py_fields:
            for name, array in self.python_columns(batch, p).items():
                names.append(name)
                arrays.append(array)
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def python_columns(self, batch: pa.RecordBatch, p: PyField) -> dict[str, pa.Array]:
        n = batch.num_rows
        i = p.field.index
        sources = [batch.column(batch.schema.get_field_index(f"__c{self.position[s]}")) for s in p.field.sources]
        every_row = pa.repeat(True, n)
        if not sources:
            one = result_columns(p, [reference(p, ())], self.checks[i], self.fails)
            return self.on(spread(one, pa.repeat(0, n).cast(pa.int32())), p, every_row)
        if i in self.parts and n:
            made = self.parts[i].columns(sources[0], sources[1])
            if made is not None:
                return self.on(self.combined(p, sources, *made), p, every_row)
        if i in self.memos and (p.all_rows or self.skip.get(i, 0) <= 0):
            found = self.memos[i].lookup(sources[0], force=p.all_rows)
            if found is not None:
                return self.on(found, p, every_row)
            self.skip[i] = _SKIP_BATCHES
        elif i in self.memos:
            self.skip[i] -= 1
        rows = None if p.all_rows else self.guarded_rows(sources) if p.guard else []
        return self.row_by_row(p, sources, rows, n)

    def on(self, columns: dict[str, pa.Array], p: PyField, on: pa.Array) -> dict[str, pa.Array]:
        if not p.all_rows:
            columns[f"__p{p.field.index}_on"] = on
        return columns

    def guarded_rows(self, sources: list[pa.Array]) -> list[int]:
        """Rows with any non-ASCII input: the SQL of a guarded op may differ there."""
        mask = None
        for col in sources:
            non_ascii = pc.invert(pc.fill_null(pc.string_is_ascii(col), True))
            mask = non_ascii if mask is None else pc.or_(mask, non_ascii)
        if mask is None or not pc.any(mask).as_py():
            return []
        return pc.indices_nonzero(mask).to_pylist()

    def row_by_row(self, p: PyField, sources: list[pa.Array], rows: list[int] | None, n: int) -> dict[str, pa.Array]:
        """The reference on ``rows`` (None: all), memoised on the row's inputs."""
        i = p.field.index
        chosen = range(n) if rows is None else rows
        columns = [c.to_pylist() for c in sources] if (rows is None or rows) else []
        memo = self.row_memo[i]
        if len(memo) > _ROW_MEMO_LIMIT:
            memo.clear()
        results = []
        for r in chosen:
            key = tuple(c[r] for c in columns)
            found = memo.get(key)
            if found is None:
                found = memo[key] = reference(p, key)
            results.append(found)
        made = result_columns(p, results, self.checks[i], self.fails)
        if rows is None:
            return spread(made, pa.array(range(n), pa.int32()))
        index = pa.nulls(n, pa.int32())
        if rows:
            index = pc.replace_with_mask(index, _mask(n, rows), pa.array(range(len(rows)), pa.int32()))
        return self.on(spread(made, index), p, pc.is_valid(index))

    def combined(self, p: PyField, sources: list[pa.Array], values: pa.Array, reasons: pa.Array, left: list[int]) -> dict[str, pa.Array]:
        """Columns of a combine_date_time field made from its parts; ``left`` rows by the reference."""
        if left:
            memo = self.row_memo[p.field.index]
            pairs = [(sources[0][r].as_py(), sources[1][r].as_py()) for r in left]
            found = [memo.get(k) or memo.setdefault(k, reference(p, k)) for k in pairs]
            mask = _mask(len(values), left)
            values = pc.replace_with_mask(values, mask, pa.array([f[0] for f in found], pa.string()))
            reasons = pc.replace_with_mask(reasons, mask, pa.array([f[1] for f in found], pa.string()))
        i = p.field.index
        columns = {f"__p{i}_v": values, f"__p{i}_e": reasons}
        if p.all_rows:
            # RFC 3339 text needs no JSON escaping.
            columns[f"__p{i}_j"] = pc.binary_join_element_wise(p.member_prefix + '"', values, '"', "")
        return spread(columns, pa.array(range(len(values)), pa.int32()))


class Prefetched:
    """Runs a batch iterator on a thread of its own, a couple of batches ahead.

    DuckDB's scan then only takes finished batches off a queue, so reading the CSV and the
    feeder's Python work overlap with DuckDB's threads instead of stalling one of them.
    """

    _END = object()

    def __init__(self, source: Iterator[pa.RecordBatch], depth: int = 2) -> None:
        self.source = source
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.failure: BaseException | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="crosswalk-feeder", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for item in self.source:
                if not self._put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 - re-raised on the consuming side
            self.failure = exc
        self._put(self._END)

    def _put(self, item: Any) -> bool:
        while not self.stopping.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        while True:
            item = self.queue.get()
            if item is self._END:
                if self.failure is not None:
                    raise self.failure
                return
            yield item

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()


def _reference_of(p: PyField) -> Callable[[Any], tuple[Any, str | None]]:
    return lambda value: reference(p, (value,))


def _mask(n: int, rows: list[int]) -> pa.Array:
    flags = [False] * n
    for r in rows:
        flags[r] = True
    return pa.array(flags, pa.bool_())


def rows_as_batches(reader: SourceReader, plan: ApplyPlan, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Reader rows (any format) as batches: mapped sources as text (named ``__c{j}``), the raw row as JSON."""
    mapped = [s for s in plan.source_fields if any(s in f.sources for f in plan.fields)]
    positional = [f"__c{plan.source_fields.index(s)}" for s in mapped]
    chunk: list[Any] = []

    def emit() -> pa.RecordBatch:
        arrays = [pa.array([r.index for r in chunk], pa.int64()), pa.array([r.error for r in chunk], pa.string()),
                  pa.array([dumps(r.values) for r in chunk], pa.string())]
        for name in mapped:
            column = [r.values.get(name) if r.error is None else None for r in chunk]
            if any(v is not None and not isinstance(v, str) for v in column):
                raise NeedsReference(f"source field {name!r} holds values that are not text (numbers, dates ...)")
            arrays.append(pa.array(column, pa.string()))
        return pa.RecordBatch.from_arrays(arrays, names=["__row", "__read_error", "__source", *positional])

    for row in reader.rows():
        chunk.append(row)
        if len(chunk) >= batch_rows:
            yield emit()
            chunk = []
    if chunk:
        yield emit()
