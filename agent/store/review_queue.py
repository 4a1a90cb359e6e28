"""The review queue as people browse it: filtered, sorted, paginated, with facet counts.

Everything is one parameterised SQL query (review item -> run -> dataset) with
LIMIT/OFFSET, so a queue of tens of thousands of items pages as fast as a short one;
nothing is filtered or sorted in Python. The item's sources are read from the proposal's
JSON by the database (SQLAlchemy's portable JSON path), not by loading whole proposals,
which carry sample values and previews.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, and_, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from agent.store.models import Dataset, ReviewItem, ReviewKind, Run
from agent.store.review import UNDECIDED

StateFilter = Literal["undecided", "open", "edited", "approved", "rejected", "all"]
QueueSort = Literal["confidence", "-confidence", "created", "-created"]
KINDS: tuple[str, ...] = ("mapping_field", "field_merge", "value_map", "record_merge")
STATES: tuple[str, ...] = ("open", "edited", "approved", "rejected")
PAIR_KIND = "record_merge"
PAIR_SEPARATOR = " ~ "  # agent.jobs.link_items.pair_target
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50

_ITEM = ReviewItem.__table__.c  # type: ignore[attr-defined]
_RUN = Run.__table__.c  # type: ignore[attr-defined]
_DATASET = Dataset.__table__.c  # type: ignore[attr-defined]


class QueueFilter(BaseModel):
    """What the queue page (and its CSV export) shows; blank form fields mean 'any'."""

    model_config = ConfigDict(extra="ignore")

    dataset: str | None = Field(default=None, max_length=300, description="A dataset id, or part of its file name")
    kind: ReviewKind | None = None
    state: StateFilter = "undecided"
    run_id: str | None = Field(default=None, max_length=64)
    sort: QueueSort = "confidence"
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)

    @field_validator("dataset", "kind", "run_id", "state", "sort", "page", "per_page", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: Any) -> Any:
        # An HTML form sends every select, chosen or not; "" must mean the default.
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name].default
        return value.strip() if isinstance(value, str) else value

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The filter as query-string arguments (defaults left out), e.g. for pagination links."""
        values = {**self.model_dump(), **changes}
        defaults = {name: field.default for name, field in type(self).model_fields.items()}
        return {k: str(v) for k, v in values.items() if v is not None and v != defaults[k]}


class QueueRow(BaseModel):
    """One line of the queue."""

    id: str
    run_id: str
    kind: str
    target: str
    sources: list[str]
    confidence: float | None
    state: str
    proposed_by: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    version: int
    created_at: str
    dataset_id: str | None
    dataset_name: str | None
    run_actor: str
    run_status: str
    conflict: bool = False  # a record_merge item that is a conflict, not a grey-zone pair

    @property
    def pair(self) -> tuple[str, str] | None:
        """The two record keys (``dataset:row``) of a record_merge item, else None."""
        if self.kind != PAIR_KIND:
            return None
        left, separator, right = self.target.partition(PAIR_SEPARATOR)
        return (left, right) if separator else None


class DatasetOption(BaseModel):
    """A dataset that has review items, for the filter's select."""

    id: str
    name: str
    path: str
    items: int


class QueuePage(BaseModel):
    """One page of the filtered queue with the counts a filter form shows."""

    filter: QueueFilter
    items: list[QueueRow]
    total: int
    kind_counts: dict[str, int]
    state_counts: dict[str, int]
    datasets: list[DatasetOption]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.filter.per_page))

    @property
    def first_index(self) -> int:
        """1-based position of the first row on this page (0 when empty)."""
        return 0 if not self.items else (self.filter.page - 1) * self.filter.per_page + 1

    @property
    def last_index(self) -> int:
        return 0 if not self.items else self.first_index + len(self.items) - 1


def dataset_name(path: str | None) -> str | None:
    """The file name people know a dataset by."""
    return PurePath(path).name if path else None


def _like_escaped(text: str) -> str:
    """``text`` for a LIKE pattern with its own % and _ taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(query: QueueFilter, *, without: str | None = None) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the filter; ``without`` leaves one facet out (for that facet's counts)."""
    conditions: list[ColumnElement[bool]] = []
    if query.dataset:
        pattern = f"%{_like_escaped(query.dataset)}%"
        conditions.append(or_(_DATASET.id == query.dataset, _DATASET.path.like(pattern, escape="\\")))
    if query.run_id:
        conditions.append(_ITEM.run_id == query.run_id)
    if query.kind and without != "kind":
        conditions.append(_ITEM.kind == query.kind)
    if without != "state":
        if query.state == "undecided":
            conditions.append(_ITEM.state.in_(sorted(UNDECIDED)))
        elif query.state != "all":
            conditions.append(_ITEM.state == query.state)
    return conditions


def _joined(statement: Select[Any]) -> Select[Any]:
    return (statement.select_from(ReviewItem.__table__)  # type: ignore[attr-defined]
            .join(Run.__table__, _RUN.id == _ITEM.run_id)  # type: ignore[attr-defined]
            .outerjoin(Dataset.__table__, _DATASET.id == _RUN.dataset_id))  # type: ignore[attr-defined]


def _scoped(statement: Select[Any], query: QueueFilter) -> Select[Any]:
    """Join runs and datasets only when the dataset filter needs them: counting and paging
    then read the covering index alone (every item belongs to a run by foreign key)."""
    if query.dataset:
        return _joined(statement)
    return statement.select_from(ReviewItem.__table__)  # type: ignore[attr-defined]


def _order(sort: QueueSort) -> list[Any]:
    # Unknown confidence sorts as most doubtful (first when ascending); the id
    # breaks ties so pages never overlap or skip rows.
    unknown_last = _ITEM.confidence.is_(None)
    by = {
        "confidence": [unknown_last.desc(), _ITEM.confidence.asc(), _ITEM.created_at.asc()],
        "-confidence": [unknown_last.asc(), _ITEM.confidence.desc(), _ITEM.created_at.asc()],
        "created": [_ITEM.created_at.asc()],
        "-created": [_ITEM.created_at.desc()],
    }[sort]
    return [*by, _ITEM.target.asc(), _ITEM.id.asc()]


def _row_columns() -> list[Any]:
    sources = _ITEM.proposal[("field", "sources")]  # JSON path: portable across SQLite and PostgreSQL
    conflict = _ITEM.proposal[("conflict",)]
    return [_ITEM.id, _ITEM.run_id, _ITEM.kind, _ITEM.target, sources.label("sources"), conflict.label("conflict"),
            _ITEM.confidence, _ITEM.state,
            _ITEM.proposed_by, _ITEM.decided_by, _ITEM.decided_at, _ITEM.reason, _ITEM.version, _ITEM.created_at,
            _DATASET.id.label("dataset_id"), _DATASET.path.label("dataset_path"), _RUN.actor.label("run_actor"),
            _RUN.status.label("run_status")]


def _to_row(found: Any) -> QueueRow:
    data = dict(found._mapping)
    sources = data.pop("sources")
    data["conflict"] = data.get("conflict") is True
    return QueueRow(**data, sources=[str(s) for s in sources] if isinstance(sources, list) else [],
                    dataset_name=dataset_name(data.pop("dataset_path")))


def _state_matches(query: QueueFilter, state: str) -> bool:
    if query.state == "undecided":
        return state in UNDECIDED
    return query.state in ("all", state)


def _counts(session: Session, query: QueueFilter) -> tuple[int, dict[str, int], dict[str, int]]:
    """The total under the filter, and the per-kind / per-state counts (each facet ignoring its own filter).

    One grouped query over the covering index gives all three, instead of three scans.
    """
    scope = _conditions(query.model_copy(update={"kind": None}), without="state")  # dataset and run only
    statement = (_scoped(select(_ITEM.kind, _ITEM.state, func.count()), query).where(and_(true(), *scope))
                 .group_by(_ITEM.kind, _ITEM.state))
    total, kinds, states = 0, {}, {}
    for kind, state, count in session.execute(statement).all():
        kind, state, count = str(kind), str(state), int(count)
        kind_ok = query.kind is None or kind == query.kind
        state_ok = _state_matches(query, state)
        if state_ok:
            kinds[kind] = kinds.get(kind, 0) + count
        if kind_ok:
            states[state] = states.get(state, 0) + count
        if kind_ok and state_ok:
            total += count
    return total, kinds, states


def dataset_options(session: Session) -> list[DatasetOption]:
    """Every dataset with review items, by file name."""
    # Items are counted per run first (on the run_id index), so the join touches runs, not items.
    per_run = (select(_ITEM.run_id.label("run_id"), func.count().label("item_count"))
               .select_from(ReviewItem.__table__).group_by(_ITEM.run_id).subquery())  # type: ignore[attr-defined]
    statement = (select(_DATASET.id, _DATASET.path, func.sum(per_run.c.item_count))
                 .select_from(Dataset.__table__)  # type: ignore[attr-defined]
                 .join(Run.__table__, _RUN.dataset_id == _DATASET.id)  # type: ignore[attr-defined]
                 .join(per_run, per_run.c.run_id == _RUN.id)
                 .group_by(_DATASET.id, _DATASET.path))
    found = [DatasetOption(id=i, name=dataset_name(p) or i, path=p, items=int(n)) for i, p, n in session.execute(statement).all()]
    return sorted(found, key=lambda d: (d.name.lower(), d.id))


def queue_page(session: Session, query: QueueFilter) -> QueuePage:
    """One page of the queue under ``query``, with the total and per-kind / per-state counts."""
    where = and_(true(), *_conditions(query))
    total, kind_counts, state_counts = _counts(session, query)
    # Two steps: the page's ids are sorted on plain columns, and only those rows have
    # their proposal JSON read; sorting whole rows would parse every proposal in the queue.
    ids_statement = (_scoped(select(_ITEM.id), query).where(where).order_by(*_order(query.sort))
                     .limit(query.per_page).offset((query.page - 1) * query.per_page))
    page_ids = list(session.execute(ids_statement).scalars())
    found = {r.id: r for r in (_to_row(f) for f in session.execute(_joined(select(*_row_columns()))
                                                                     .where(_ITEM.id.in_(page_ids))).all())}
    rows = [found[i] for i in page_ids if i in found]
    return QueuePage(filter=query, items=rows, total=total, kind_counts=kind_counts, state_counts=state_counts,
                     datasets=dataset_options(session))


def queue_rows(session: Session, query: QueueFilter, batch: int = 500) -> Iterator[QueueRow]:
    """Every row matching the filter (all pages), in its sort order, fetched in batches (CSV export)."""
    statement = _joined(select(*_row_columns())).where(and_(true(), *_conditions(query))).order_by(*_order(query.sort))
    result = session.execute(statement.execution_options(yield_per=batch))
    for found in result:
        yield _to_row(found)
