"""The application database tables (SQLModel; SQLite by default, PostgreSQL for a team).

Times are stored as RFC 3339 UTC strings (``2024-05-01T12:34:56.123456Z``) rather than
DATETIME columns: SQLite drops the offset of aware datetimes, and the audit hash must
cover exactly the text that is stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from agent.store.canonical import CanonicalJSON

RunKind = Literal["apply", "profile", "propose"]
RunStatus = Literal["running", "succeeded", "failed"]


def utc_timestamp() -> str:
    """Now, in UTC, as RFC 3339 with microseconds and a ``Z`` suffix."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex


class Dataset(SQLModel, table=True):
    """A source file crosswalk has read, identified by its content hash."""

    __tablename__ = "dataset"

    id: str = Field(default_factory=new_id, primary_key=True)
    path: str
    sha256: str = Field(index=True)
    format: str
    size_bytes: int
    profile: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: str = Field(default_factory=utc_timestamp)


class MappingVersion(SQLModel, table=True):
    """An immutable mapping document; its id is the SHA-256 of the document's canonical JSON."""

    __tablename__ = "mapping_version"

    id: str = Field(primary_key=True)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: str = Field(default_factory=utc_timestamp)
    created_by: str
    parent_version: str | None = Field(default=None, foreign_key="mapping_version.id")


class Run(SQLModel, table=True):
    """One execution of a job (apply, profile, later propose) and how it ended."""

    __tablename__ = "run"

    id: str = Field(default_factory=new_id, primary_key=True)
    kind: str
    actor: str
    dataset_id: str | None = Field(default=None, foreign_key="dataset.id")
    mapping_version_id: str | None = Field(default=None, foreign_key="mapping_version.id")
    started_at: str = Field(default_factory=utc_timestamp)
    finished_at: str | None = None
    status: str = "running"
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = None


class AuditEvent(SQLModel, table=True):
    """One append-only, hash-chained entry of the audit log (see ``agent.audit``)."""

    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True)
    time: str = Field(index=True)
    actor: str = Field(index=True)
    action: str = Field(index=True)
    subject: str = Field(index=True)
    # stored as canonical JSON text, so verification can hash it without re-encoding
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(CanonicalJSON, nullable=False))
    outputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(CanonicalJSON, nullable=False))
    run_id: str | None = Field(default=None, index=True)
    prev_hash: str
    hash: str = Field(unique=True)
    # "<key id>:<hex HMAC-SHA256 of hash>" when an audit key was set; not part of ``hash``.
    hmac: str | None = Field(default=None)


ReviewKind = Literal["mapping_field", "field_merge", "value_map", "record_merge"]
ReviewState = Literal["open", "approved", "rejected", "edited"]


class ReviewItem(SQLModel, table=True):
    """One decision a person must take for a run (see ``agent.store.review``).

    ``proposal`` holds the field mapping with its evidence: raw sample values (the
    database is the force's own), transformed values, validation, rationale, confidence
    and review reasons. ``version`` is the optimistic lock: every change increments it.
    """

    __tablename__ = "review_item"

    id: str = Field(default_factory=new_id, primary_key=True)
    run_id: str = Field(foreign_key="run.id", index=True)
    kind: str
    target: str
    proposal: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(default="open", index=True)
    confidence: float | None = Field(default=None, index=True)  # copied from the proposal so the queue sorts in SQL
    proposed_by: str
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None
    version: int = 1
    created_at: str = Field(default_factory=utc_timestamp)
