"""A dataset's approved mapping versions, numbered as the audit log records them.

Every fully reviewed run ends with a ``mapping_approved`` event naming the new version.
Taken in chain order for the runs of one dataset (by id, stored path or file name, so a
new export with the same name continues the count), they are that dataset's versions
1, 2, 3 ... This lets ``crosswalk apply --mapping-version custody_export.csv`` (the latest)
or ``custody_export.csv@2`` name a version without its hash. Numbers come from the
append-only log, so they never change once given.
"""

from __future__ import annotations

from pathlib import PurePath

from pydantic import BaseModel
from sqlmodel import Session, col, select

from agent.audit.search import dataset_ids
from agent.store.mapping_versions import resolve_version_id
from agent.store.models import AuditEvent, Dataset, Run
from tools.errors import StoreError

APPROVED_ACTION = "mapping_approved"
VERSION_SUBJECT = "mapping_version:"


class ApprovedVersion(BaseModel):
    """One approval of a dataset's mapping: its number for the dataset and what it points at."""

    number: int
    version_id: str
    dataset_id: str
    dataset_name: str
    run_id: str
    approved_at: str
    approved_by: str


def approved_versions(session: Session, dataset: str) -> list[ApprovedVersion]:
    """The approved versions of the datasets named ``dataset``, oldest first, numbered from 1."""
    ids = dataset_ids(session, dataset)
    if not ids:
        return []
    rows = session.exec(
        select(AuditEvent.subject, AuditEvent.run_id, AuditEvent.time, AuditEvent.actor, Dataset.id, Dataset.path)
        .join(Run, col(Run.id) == col(AuditEvent.run_id))
        .join(Dataset, col(Dataset.id) == col(Run.dataset_id))
        .where(AuditEvent.action == APPROVED_ACTION, col(Dataset.id).in_(ids))
        .order_by(col(AuditEvent.seq))
    ).all()
    return [ApprovedVersion(number=n, version_id=subject.removeprefix(VERSION_SUBJECT), dataset_id=dataset_id,
                            dataset_name=PurePath(path).name, run_id=run_id or "", approved_at=time, approved_by=actor)
            for n, (subject, run_id, time, actor, dataset_id, path) in enumerate(rows, start=1)]


def approvals_of(session: Session, version_id: str) -> list[ApprovedVersion]:
    """The dataset numbers this version was approved as (usually one, ``custody_export.csv@2``)."""
    names = session.exec(
        select(Dataset.path).join(Run, col(Run.dataset_id) == col(Dataset.id))
        .join(AuditEvent, col(AuditEvent.run_id) == col(Run.id))
        .where(AuditEvent.action == APPROVED_ACTION, AuditEvent.subject == VERSION_SUBJECT + version_id)
    ).all()
    return [v for name in sorted({PurePath(path).name for path in names})
            for v in approved_versions(session, name) if v.version_id == version_id]


def resolve_mapping_ref(session: Session, given: str) -> str:
    """The version id named by ``given``: an id, an 8+ character prefix, ``DATASET`` (latest) or ``DATASET@N``."""
    try:
        return resolve_version_id(session, given)
    except StoreError as not_an_id:
        name, at, number = given.rpartition("@") if "@" in given else (given, "", "")
        versions = approved_versions(session, name)
        if not versions:
            if at:
                raise StoreError(f"no approved mapping version for a dataset named {name}") from None
            raise not_an_id from None
    if not at:
        return versions[-1].version_id
    if not number.isdigit() or not 1 <= int(number) <= len(versions):
        raise StoreError(f"{name} has approved mapping versions 1 to {len(versions)}; {given} names none of them "
                         f"(`crosswalk review versions {name}` lists them)")
    return versions[int(number) - 1].version_id
