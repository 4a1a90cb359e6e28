"""The review queue: items a person must decide, with optimistic locking and the four-eyes rule.

Every change to an item names the ``version`` its author saw and is written with
``UPDATE ... WHERE id = ? AND version = ?``: of two people deciding the same item at
once exactly one update matches, the other gets ``ReviewConflict`` and decides again on
what is now stored. An edit (other sources or transform parameters) counts as the
editor's proposal: the item becomes ``edited``, stays undecided, and someone else must
approve it.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import update
from sqlmodel import Session, select

from agent.store.models import ReviewItem, utc_timestamp
from tools.errors import CrosswalkError, MappingError
from tools.mapping import FieldMapping, parse_mapping

Decision = Literal["approve", "reject", "edit"]
UNDECIDED: frozenset[str] = frozenset({"open", "edited"})
EDITABLE_KEYS: frozenset[str] = frozenset({"sources", "transform"})


class ReviewError(CrosswalkError):
    """A review request that cannot be carried out (unknown item, already decided, bad edit)."""


class ReviewConflict(ReviewError):
    """The item changed since the decider saw it (someone else decided or edited it first)."""


class FourEyesError(ReviewError):
    """A person tried to approve what they proposed or edited, or a run they started."""


def create_items(session: Session, run_id: str, items: list[dict[str, Any]], *, proposed_by: str) -> list[ReviewItem]:
    """The run's items, created from ``items`` (kind, target, proposal) unless the run has some already.

    Idempotent on purpose: a graph node that interrupts runs again from its start when
    the run resumes, and must not queue the same items twice.
    """
    existing = items_of_run(session, run_id)
    if existing:
        return existing
    rows = [ReviewItem(run_id=run_id, kind=i["kind"], target=i["target"], proposal=i["proposal"], proposed_by=proposed_by,
                       confidence=(i["proposal"].get("field") or {}).get("confidence"))
            for i in items]
    session.add_all(rows)
    session.commit()
    return items_of_run(session, run_id)


def items_of_run(session: Session, run_id: str) -> list[ReviewItem]:
    """Every item of a run (any state), in target order."""
    query = select(ReviewItem).where(ReviewItem.run_id == run_id).order_by(ReviewItem.target)  # type: ignore[arg-type]
    return list(session.exec(query).all())


def open_items(session: Session, run_id: str | None = None) -> list[ReviewItem]:
    """Undecided items (``open`` or ``edited``), of one run or of all runs."""
    query = select(ReviewItem).where(ReviewItem.state.in_(sorted(UNDECIDED)))  # type: ignore[attr-defined]
    if run_id is not None:
        query = query.where(ReviewItem.run_id == run_id)
    return list(session.exec(query.order_by(ReviewItem.created_at, ReviewItem.target)).all())  # type: ignore[arg-type]


def get_item(session: Session, item_id: str) -> ReviewItem:
    """The item with this id (a unique id prefix of at least 6 characters also works)."""
    item = session.get(ReviewItem, item_id)
    if item is None and len(item_id) >= 6:
        found = list(session.exec(select(ReviewItem).where(ReviewItem.id.startswith(item_id))).all())  # type: ignore[attr-defined]
        item = found[0] if len(found) == 1 else None
    if item is None:
        raise ReviewError(f"no review item {item_id}")
    session.refresh(item)  # another process may have decided it since this session read it
    return item


def edited_field(item: ReviewItem, edit: dict[str, Any]) -> FieldMapping:
    """The item's field with the edit applied (sources and/or transform), checked like any mapping."""
    unknown = set(edit) - EDITABLE_KEYS
    if unknown or not edit:
        raise ReviewError(f"an edit may change only {sorted(EDITABLE_KEYS)}; got {sorted(edit) or 'nothing'}")
    field = {**item.proposal["field"], **edit, "target": item.target}
    try:
        doc = parse_mapping({"fields": [field]}, origin=f"edit of review item {item.id}")
    except MappingError as exc:
        raise ReviewError(str(exc)) from None
    return doc.fields[0]


def decide(session: Session, item_id: str, decision: Decision, actor: str, reason: str, seen_version: int,
           edit: dict[str, Any] | None = None, *, preview: dict[str, Any] | None = None) -> ReviewItem:
    """Approve, reject or edit an item, as ``actor`` who saw ``seen_version`` of it.

    Raises ``ReviewConflict`` when the item changed since, ``FourEyesError`` when the
    actor would approve their own proposal or edit, ``ReviewError`` otherwise.
    """
    item = get_item(session, item_id)
    if not reason.strip():
        raise ReviewError("a decision needs a reason")
    if item.version != seen_version:
        raise ReviewConflict(f"review item {item.id} changed since you saw it (version {seen_version}, now {item.version}, "
                             f"{item.state}{' by ' + item.decided_by if item.decided_by else ''}); look again and decide anew")
    if item.state not in UNDECIDED:
        raise ReviewError(f"review item {item.id} is already {item.state} by {item.decided_by}")
    values: dict[str, Any] = {"version": seen_version + 1, "reason": reason}
    if decision == "approve":
        if actor == item.proposed_by:
            raise FourEyesError(f"{actor} proposed or edited review item {item.id}; another person must approve it")
        values.update(state="approved", decided_by=actor, decided_at=utc_timestamp())
    elif decision == "reject":
        values.update(state="rejected", decided_by=actor, decided_at=utc_timestamp())
    elif decision == "edit":
        if edit is None:
            raise ReviewError("an edit needs the edited sources and/or transform")
        field = edited_field(item, edit).model_dump(mode="json")
        history = [*item.proposal.get("edits", []),
                   {"by": actor, "at": utc_timestamp(), "reason": reason, "edit": edit, "previous": item.proposal["field"]}]
        proposal = {**item.proposal, "field": field, "edits": history}
        if preview is not None:  # the edited transform's own evidence replaces the proposal's
            proposal["preview"] = preview
            proposal["field"] = {**field, "validation": preview.get("validation")}
        values.update(state="edited", proposed_by=actor, proposal=proposal)
    else:
        raise ReviewError(f"unknown decision {decision!r} (approve, reject or edit)")
    statement = (update(ReviewItem).where(ReviewItem.id == item.id, ReviewItem.version == seen_version)  # type: ignore[arg-type]
                 .values(**values))
    result = session.execute(statement)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ReviewConflict(f"review item {item.id} was decided or edited by someone else just now; look again and decide anew")
    session.commit()
    session.refresh(item)
    return item
