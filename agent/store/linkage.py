"""Linkage tables: link runs, versioned cluster memberships, the model's merge edges, person decisions.

Append-only, like the audit log (``APPEND_ONLY_MODELS`` in ``agent.store.database``: the ORM
and SQLite triggers refuse updates and deletes): a version writes rows only for records
whose cluster changed, a decision is a new row written once with its version already
known (the latest decision on a pair is the one in force), and undo is a later decision.
``LinkDecision`` doubles as Splink's labels table (``unique_id_l``, ``unique_id_r``,
``clerical_match_score``).

Two writers at once (a link run and a supervisor's decision, or two supervisors): each
cluster write takes the database's write lock before it reads the latest version, and is
retried from the start if another writer still took that version number.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, func, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Field, Session, SQLModel, select

from agent.store.models import new_id, utc_timestamp
from tools.errors import StoreError
from tools.linkage.clusters import ClusterTable, singleton_id
from tools.linkage.models import Membership
from tools.linkage.records import split_key


class LinkRun(SQLModel, table=True):
    """One ``crosswalk link`` execution: its inputs, trained model and the cluster version it wrote."""

    __tablename__ = "link_run"

    run_id: str = Field(primary_key=True, foreign_key="run.id")
    datasets: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    settings: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    model: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    version: int | None = None
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: str = Field(default_factory=utc_timestamp)


class ClusterVersionRow(SQLModel, table=True):
    """One version of the cluster table and what made it (a run or a person's decision)."""

    __tablename__ = "cluster_version"

    version: int = Field(primary_key=True)
    cause: str
    actor: str
    run_id: str | None = Field(default=None, index=True)
    decision_id: str | None = None
    note: str | None = None
    created_at: str = Field(default_factory=utc_timestamp)


class ClusterMembership(SQLModel, table=True):
    """A record's cluster from ``version`` on (until a later row for the same record)."""

    __tablename__ = "cluster_membership"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)
    record_key: str = Field(index=True)
    dataset: str
    row: int
    cluster_id: str = Field(index=True)
    decided_by: str


class LinkEdge(SQLModel, table=True):
    """An auto-merge pair of a run: what reclustering after a decision starts from."""

    __tablename__ = "link_edge"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)
    key_l: str = Field(index=True)
    key_r: str = Field(index=True)
    match_probability: float


class LinkDecision(SQLModel, table=True):
    """A person's decision on a pair; the rows are Splink's labels table."""

    __tablename__ = "link_decision"

    id: str = Field(default_factory=new_id, primary_key=True)
    unique_id_l: str = Field(index=True)
    unique_id_r: str = Field(index=True)
    clerical_match_score: float
    actor: str
    reason: str
    review_item_id: str | None = Field(default=None, index=True)
    run_id: str | None = None
    version: int | None = None
    created_at: str = Field(default_factory=utc_timestamp)


class ClusterWriteError(StoreError):
    """A cluster version could not be written (another writer kept taking the version number)."""


T = TypeVar("T")
MAX_WRITE_ATTEMPTS = 6
RETRY_BASE_SECONDS = 0.02
_PG_LOCK_ID = 0x6C696E6B  # "link": the PostgreSQL advisory lock that serialises cluster writes
SMALL_SCOPE = 500  # up to this many records are looked up by key; more (a whole run) are read in one scan


def next_version(session: Session) -> int:
    latest = session.exec(select(func.max(ClusterVersionRow.version))).one()
    return int(latest or 0) + 1


def lock_cluster_writes(session: Session) -> bool:
    """Take the write lock before reading the latest version; True if the transaction already holds writes.

    A transaction that already holds the caller's writes cannot be retried (rolling back
    would lose them), so the caller is told.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        if getattr(conn.connection.dbapi_connection, "in_transaction", False):
            return True
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout for the other writer
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    return False


def write_cluster_version(session: Session, write: Callable[[], T], what: str) -> T:
    """Run ``write`` (read the clusters, append a version, commit) under the lock; retry on a version collision.

    ``write`` must compute everything from the database afresh on each call: a retry
    starts after a rollback.
    """
    for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
        caller_writes = lock_cluster_writes(session)
        try:
            result = write()
            session.commit()
            return result
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            if caller_writes or attempt == MAX_WRITE_ATTEMPTS:
                raise ClusterWriteError(f"could not write the cluster version of {what} after {attempt} attempt(s): "
                                        f"{exc.__class__.__name__}") from None
            time.sleep(RETRY_BASE_SECONDS * (2 ** (attempt - 1)) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # the loop returns or raises


def store_memberships(session: Session, version: int, changed: list[Membership]) -> None:
    """Append the rows of one version (bulk: a first run writes one row per linked record)."""
    if not changed:
        return
    rows = []
    for m in changed:
        dataset, row = split_key(m.key)
        rows.append({"version": version, "record_key": m.key, "dataset": dataset, "row": row,
                     "cluster_id": m.cluster_id, "decided_by": m.decided_by})
    session.execute(ClusterMembership.__table__.insert(), rows)  # type: ignore[attr-defined]


def cluster_table(session: Session, keys: set[str] | None = None) -> ClusterTable:
    """The stored cluster table (only the rows of ``keys`` when given)."""
    query = select(ClusterMembership.version, ClusterMembership.record_key, ClusterMembership.cluster_id,
                   ClusterMembership.decided_by).order_by(ClusterMembership.version)  # type: ignore[arg-type]
    if keys is not None and len(keys) <= SMALL_SCOPE:  # a decision: its few records, by index
        query = query.where(ClusterMembership.record_key.in_(sorted(keys)))  # type: ignore[attr-defined]
    rows = session.exec(query).all()
    table = ClusterTable((v, Membership(key=k, cluster_id=c, decided_by=d)) for v, k, c, d in rows
                         if keys is None or k in keys)
    table.version = max(table.version, next_version(session) - 1)
    return table


def current_cluster(session: Session, key: str) -> str:
    row = session.exec(select(ClusterMembership.cluster_id).where(ClusterMembership.record_key == key)
                       .order_by(ClusterMembership.version.desc()).limit(1)).first()  # type: ignore[attr-defined]
    return row or singleton_id(key)


def cluster_members(session: Session, cluster_id: str) -> set[str]:
    """The records whose latest row puts them in ``cluster_id``."""
    keys = set(session.exec(select(ClusterMembership.record_key).where(ClusterMembership.cluster_id == cluster_id)).all())
    return {k for k in keys if current_cluster(session, k) == cluster_id}


def latest_decisions(session: Session, keys: set[str] | None = None) -> list[LinkDecision]:
    """The decision in force per pair (the latest), optionally only pairs inside ``keys``."""
    query = select(LinkDecision).order_by(LinkDecision.created_at)  # type: ignore[arg-type]
    if keys is not None and len(keys) <= SMALL_SCOPE:
        query = query.where(LinkDecision.unique_id_l.in_(sorted(keys)))  # type: ignore[attr-defined]
    rows = session.exec(query).all()
    latest: dict[frozenset[str], LinkDecision] = {}
    for row in rows:
        if keys is None or (row.unique_id_l in keys and row.unique_id_r in keys):
            latest[frozenset((row.unique_id_l, row.unique_id_r))] = row
    return list(latest.values())


def labels_table(session: Session) -> list[dict[str, Any]]:
    """Splink's labels table from the decisions in force."""
    return [{"unique_id_l": d.unique_id_l, "unique_id_r": d.unique_id_r, "clerical_match_score": d.clerical_match_score}
            for d in latest_decisions(session)]
