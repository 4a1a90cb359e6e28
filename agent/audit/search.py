"""Finding events: by run, dataset, actor, action, target field and time, all filtered in SQL.

Times are stored as fixed-width RFC 3339 UTC text, so a date range is a string range.
A target field is matched with ``LIKE`` on the JSON text of subject, inputs and outputs
(parameterised), then checked as a whole JSON Pointer so ``/person/sex`` does not also
match ``/person/sex_at_birth``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

from pydantic import BaseModel
from sqlalchemy import String, cast, or_
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from agent.audit.keys import AuditError
from agent.store.models import AuditEvent, Dataset, Run

STORED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
LATEST_RUN = "latest"
_LIKE_ESCAPE = "\\"


class SearchQuery(BaseModel):
    """Filters of ``audit search`` / ``audit export``; every one given must match."""

    dataset: str | None = None  # dataset id, stored path or file name
    actor: str | None = None
    field: str | None = None  # target JSON Pointer, e.g. /person/sex
    action: str | None = None
    since: str | None = None  # YYYY-MM-DD or RFC 3339
    until: str | None = None
    run: str | None = None
    limit: int | None = None


def _like_text(value: str) -> str:
    """``value`` with LIKE's wildcards escaped, so user text only ever matches itself."""
    return value.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")


def time_bound(value: str, *, end: bool) -> tuple[str, bool]:
    """(stored-format UTC time, inclusive) for a date or RFC 3339 bound.

    A bare date as ``until`` means the whole day: everything before the next midnight.
    """
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            if end:
                return (moment + timedelta(days=1)).strftime(STORED_TIME), False
            return moment.strftime(STORED_TIME), True
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise AuditError(f"{value!r} is not a date (YYYY-MM-DD) or an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise AuditError(f"{value!r} has no time zone; add Z or an offset such as +01:00")
    return moment.astimezone(timezone.utc).strftime(STORED_TIME), True


def _field_pointer(field: str) -> str:
    return field if field.startswith("/") else "/" + field


def dataset_ids(session: Session, ref: str) -> list[str]:
    """Ids of the datasets named by ``ref``: an id, the stored path, or the file name."""
    name = _like_text(ref)
    found = session.exec(select(Dataset.id).where(or_(
        Dataset.id == ref, Dataset.path == ref,
        col(Dataset.path).like("%/" + name, escape=_LIKE_ESCAPE), col(Dataset.path).like("%\\" + name, escape=_LIKE_ESCAPE),
    ))).all()
    return list(found)


def event_select(session: Session, query: SearchQuery) -> Select:  # type: ignore[type-arg]
    """The SELECT for ``query``, in chain order."""
    stmt = select(AuditEvent).order_by(col(AuditEvent.seq))
    if query.run:
        stmt = stmt.where(AuditEvent.run_id == query.run)
    if query.actor:
        stmt = stmt.where(AuditEvent.actor == query.actor)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.since:
        bound, _ = time_bound(query.since, end=False)
        stmt = stmt.where(col(AuditEvent.time) >= bound)
    if query.until:
        bound, inclusive = time_bound(query.until, end=True)
        stmt = stmt.where(col(AuditEvent.time) <= bound if inclusive else col(AuditEvent.time) < bound)
    if query.dataset:
        ids = dataset_ids(session, query.dataset)
        runs = select(Run.id).where(col(Run.dataset_id).in_(ids))
        stmt = stmt.where(or_(col(AuditEvent.run_id).in_(runs), col(AuditEvent.subject).in_([f"dataset:{i}" for i in ids])))
    if query.field:
        pattern = "%" + _like_text(_field_pointer(query.field)) + "%"
        stmt = stmt.where(or_(
            col(AuditEvent.subject).like(pattern, escape=_LIKE_ESCAPE),
            cast(AuditEvent.inputs, String).like(pattern, escape=_LIKE_ESCAPE),
            cast(AuditEvent.outputs, String).like(pattern, escape=_LIKE_ESCAPE),
        ))
    return stmt


def search_events(session: Session, query: SearchQuery) -> Iterator[AuditEvent]:
    """Matching events in chain order, streamed (an export may cover the whole log)."""
    whole = None
    if query.field:
        # LIKE found the text; keep only events naming the whole pointer, not a longer one.
        whole = re.compile(r"(?<![\w/])" + re.escape(_field_pointer(query.field)) + r"(?![\w/])")
    shown = 0
    for event in session.exec(event_select(session, query).execution_options(yield_per=2000)):
        if whole is not None and not whole.search(
            event.subject + json.dumps(event.inputs, ensure_ascii=False) + json.dumps(event.outputs, ensure_ascii=False)
        ):
            continue
        yield event
        shown += 1
        if query.limit is not None and shown >= query.limit:
            return


def resolve_run(session: Session, ref: str) -> Run:
    """The run ``ref`` names: its id, a unique prefix of it, or ``latest``."""
    if ref == LATEST_RUN:
        run = session.exec(select(Run).order_by(col(Run.started_at).desc()).limit(1)).first()
        if run is None:
            raise AuditError("there is no run yet")
        return run
    exact = session.get(Run, ref)
    if exact is not None:
        return exact
    matches = session.exec(select(Run).where(col(Run.id).like(_like_text(ref) + "%", escape=_LIKE_ESCAPE)).limit(2)).all()
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AuditError(f"run id prefix {ref!r} is ambiguous; give more of the id")
    raise AuditError(f"no run {ref!r} (see `crosswalk audit log` for run ids)")
