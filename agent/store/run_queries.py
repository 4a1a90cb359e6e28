"""Read-only queries behind the web app's run, mapping-version and audit-trail pages.

Every list is paginated in SQL (a busy install has thousands of runs and hundreds of
thousands of audit events); per-row extras (item counts, dataset names, the runs that
used a version) are fetched for the rows of one page only, in one query each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from agent.store.models import AuditEvent, Dataset, MappingVersion, ReviewItem, Run

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 500
VERSION_EVENTS: tuple[str, ...] = ("proposal_written", "mapping_approved")  # events that tie a version to a run


@dataclass(frozen=True)
class PageInfo:
    """Where a page sits in a list: 1-based ``number`` of ``pages``."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_info(number: int, size: int, total: int) -> PageInfo:
    """A page clamped to what exists, so ``?page=999`` shows the last page instead of nothing."""
    size = min(max(1, size), MAX_PAGE_SIZE)
    pages = max(1, -(-total // size))
    return PageInfo(number=min(max(1, number), pages), size=size, total=total)


def _count(session: Session, query: Any) -> int:
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


def source_name(run: Run, dataset: Dataset | None) -> str | None:
    """The file name a person knows the run by (the dataset's; a run that failed before reading has it in its summary)."""
    if dataset is not None:
        return Path(dataset.path).name
    return (run.summary or {}).get("source_name")


# ---- runs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    run: Run
    source_name: str | None
    item_states: dict[str, int]

    @property
    def open_items(self) -> int:
        return self.item_states.get("open", 0) + self.item_states.get("edited", 0)

    @property
    def decided_items(self) -> int:
        return self.item_states.get("approved", 0) + self.item_states.get("rejected", 0)


def item_states_of(session: Session, run_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per run, how many review items are in each state."""
    if not run_ids:
        return {}
    query = (select(ReviewItem.run_id, ReviewItem.state, func.count())
             .where(ReviewItem.run_id.in_(run_ids))  # type: ignore[attr-defined]
             .group_by(ReviewItem.run_id, ReviewItem.state))
    found: dict[str, dict[str, int]] = {}
    for run_id, state, count in session.exec(query).all():
        found.setdefault(run_id, {})[state] = int(count)
    return found


def _datasets(session: Session, ids: set[str]) -> dict[str, Dataset]:
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Dataset).where(Dataset.id.in_(sorted(ids)))).all()}  # type: ignore[attr-defined]


def list_runs(session: Session, page: int = 1, size: int = DEFAULT_PAGE_SIZE) -> tuple[list[RunRow], PageInfo]:
    """Runs newest first, with their source file name and review item counts."""
    info = page_info(page, size, _count(session, select(Run.id)))
    runs = list(session.exec(select(Run).order_by(Run.started_at.desc(), Run.id)  # type: ignore[attr-defined]
                             .offset(info.offset).limit(info.size)).all())
    datasets = _datasets(session, {r.dataset_id for r in runs if r.dataset_id})
    states = item_states_of(session, [r.id for r in runs])
    rows = [RunRow(r, source_name(r, datasets.get(r.dataset_id or "")), states.get(r.id, {})) for r in runs]
    return rows, info


# ---- one run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    """One target field of a run's document, with the review item that decides it (if any)."""

    target: str
    sources: list[str]
    op: str
    status: str
    confidence: float | None
    review_reasons: list[str]
    item: ReviewItem | None


@dataclass(frozen=True)
class RunOverview:
    run: Run
    dataset: Dataset | None
    source_name: str | None
    version_id: str | None  # the document shown: the reviewed version once the run is resumed
    proposal_version_id: str | None  # the version the proposer stored (the reviewed one's parent)
    fields: list[FieldRow]
    unmapped: list[tuple[str, str]]  # (source field, why it stayed unmapped)
    items: list[ReviewItem]
    item_states: dict[str, int] = field(default_factory=dict)

    @property
    def open_items(self) -> int:
        return self.item_states.get("open", 0) + self.item_states.get("edited", 0)

    @property
    def fully_decided(self) -> bool:
        return bool(self.items) and self.open_items == 0


def run_overview(session: Session, run_id: str) -> RunOverview | None:
    """Everything the run page shows, or None when there is no such run."""
    run = session.get(Run, run_id)
    if run is None:
        return None
    session.refresh(run)  # the background job or another process may have moved it on
    dataset = session.get(Dataset, run.dataset_id) if run.dataset_id else None
    if run.kind == "link":  # tens of thousands of record merges: counted by state, never loaded whole
        states = item_states_of(session, [run.id]).get(run.id, {})
        return RunOverview(run=run, dataset=None, source_name=None, version_id=None, proposal_version_id=None,
                           fields=[], unmapped=[], items=[], item_states=states)
    items = list(session.exec(select(ReviewItem).where(ReviewItem.run_id == run.id)
                              .order_by(ReviewItem.target)).all())  # type: ignore[arg-type]
    by_target = {i.target: i for i in items}
    version = session.get(MappingVersion, run.mapping_version_id) if run.mapping_version_id else None
    document: dict[str, Any] = version.document if version is not None else {}
    fields = [FieldRow(target=f["target"], sources=list(f.get("sources") or []), op=(f.get("transform") or {}).get("op", ""),
                       status=f.get("status", ""), confidence=f.get("confidence"),
                       review_reasons=list(f.get("review_reasons") or []), item=by_target.get(f["target"]))
              for f in document.get("fields") or []]
    reasons = document.get("unmapped_reasons") or {}
    unmapped = [(name, reasons.get(name, "")) for name in document.get("unmapped_sources") or []]
    proposal = (run.summary or {}).get("proposal_version") or (run.mapping_version_id if version is not None else None)
    return RunOverview(run=run, dataset=dataset, source_name=source_name(run, dataset), version_id=run.mapping_version_id,
                       proposal_version_id=proposal, fields=fields, unmapped=unmapped, items=items,
                       item_states=dict(Counter(i.state for i in items)))


def run_of_dataset_path(session: Session, path: Path) -> Run | None:
    """The newest run that read the file at ``path`` (how an upload finds the run it started)."""
    query = (select(Run).join(Dataset, Dataset.id == Run.dataset_id)  # type: ignore[arg-type]
             .where(Dataset.path == str(path.resolve())).order_by(Run.started_at.desc()).limit(1))  # type: ignore[attr-defined]
    return session.exec(query).first()


# ---- mapping versions -------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    version: MappingVersion
    status_counts: dict[str, int]
    run_ids: list[str]

    @property
    def field_count(self) -> int:
        return sum(self.status_counts.values())


def status_counts(document: dict[str, Any]) -> dict[str, int]:
    """How many of a document's fields have each status."""
    return dict(Counter(str(f.get("status", "")) for f in document.get("fields") or []))


def runs_of_versions(session: Session, version_ids: list[str]) -> dict[str, list[str]]:
    """Per version, the runs that proposed, approved or applied it (oldest first)."""
    if not version_ids:
        return {}
    found: dict[str, set[str]] = {v: set() for v in version_ids}
    for run_id, version_id in session.exec(select(Run.id, Run.mapping_version_id)
                                           .where(Run.mapping_version_id.in_(version_ids))).all():  # type: ignore[union-attr]
        found[version_id].add(run_id)
    # a propose run points at its reviewed version once resumed; the events still name the proposal
    subjects = [f"mapping_version:{v}" for v in version_ids]
    events = select(AuditEvent.subject, AuditEvent.run_id).where(
        AuditEvent.action.in_(VERSION_EVENTS), AuditEvent.subject.in_(subjects))  # type: ignore[attr-defined]
    for subject, run_id in session.exec(events).all():
        if run_id:
            found[subject.split(":", 1)[1]].add(run_id)
    return {v: sorted(ids) for v, ids in found.items()}


def list_versions(session: Session, page: int = 1, size: int = DEFAULT_PAGE_SIZE) -> tuple[list[VersionRow], PageInfo]:
    """Mapping versions newest first, with field counts by status and the runs that used them."""
    info = page_info(page, size, _count(session, select(MappingVersion.id)))
    versions = list(session.exec(select(MappingVersion).order_by(MappingVersion.created_at.desc(), MappingVersion.id)  # type: ignore[attr-defined]
                                 .offset(info.offset).limit(info.size)).all())
    runs = runs_of_versions(session, [v.id for v in versions])
    return [VersionRow(v, status_counts(v.document), runs.get(v.id, [])) for v in versions], info


def child_versions(session: Session, version_id: str) -> list[MappingVersion]:
    """Versions whose parent is this one (the reviews that started from it)."""
    query = select(MappingVersion).where(MappingVersion.parent_version == version_id).order_by(MappingVersion.created_at)  # type: ignore[arg-type]
    return list(session.exec(query).all())


# ---- audit trail ------------------------------------------------------------------------------


def run_events_page(session: Session, run_id: str, page: int = 1, size: int = 100) -> tuple[list[AuditEvent], PageInfo]:
    """One page of a run's audit events, in chain order."""
    base = select(AuditEvent).where(AuditEvent.run_id == run_id)
    info = page_info(page, size, _count(session, select(AuditEvent.seq).where(AuditEvent.run_id == run_id)))
    events = session.exec(base.order_by(AuditEvent.seq).offset(info.offset).limit(info.size)).all()  # type: ignore[arg-type]
    return list(events), info


def item_events(session: Session, item_id: str) -> list[AuditEvent]:
    """Every audit event about one review item, in chain order."""
    subject = f"review_item:{item_id}"
    query = select(AuditEvent).where(AuditEvent.subject == subject).order_by(AuditEvent.seq)  # type: ignore[arg-type]
    return list(session.exec(query).all())
