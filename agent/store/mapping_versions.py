"""Immutable, content-addressed mapping versions."""

from __future__ import annotations

from sqlmodel import Session, select

from agent.store.models import MappingVersion
from tools.errors import StoreError
from tools.mapping import MappingDocument, parse_mapping


def store_mapping_version(
    session: Session, document: MappingDocument, *, created_by: str, parent_version: str | None = None
) -> MappingVersion:
    """Store a mapping document; the same content stored twice returns the first row.

    The id is the document's content hash, so a version can never change under its id.
    ``created_by`` and ``parent_version`` of an existing row are kept as first recorded.
    """
    version_id = document.content_hash()
    existing = session.get(MappingVersion, version_id)
    if existing is not None:
        return existing
    if parent_version is not None and session.get(MappingVersion, parent_version) is None:
        raise StoreError(f"parent mapping version {parent_version} is not stored")
    row = MappingVersion(
        id=version_id,
        document=document.model_dump(mode="json"),
        created_by=created_by,
        parent_version=parent_version,
    )
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def load_mapping_version(session: Session, version_id: str) -> MappingDocument:
    """The stored document of a version, re-validated."""
    row = session.get(MappingVersion, version_id)
    if row is None:
        raise StoreError(f"mapping version {version_id} is not stored")
    return parse_mapping(row.document, origin=f"mapping version {version_id}")


MIN_PREFIX = 8


def resolve_version_id(session: Session, given: str) -> str:
    """The full id of a stored version named by its id or a unique prefix of at least 8 characters."""
    if session.get(MappingVersion, given) is not None:
        return given
    if len(given) >= MIN_PREFIX:
        found = list(session.exec(select(MappingVersion.id).where(MappingVersion.id.startswith(given)).limit(2)).all())  # type: ignore[union-attr]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise StoreError(f"mapping version prefix {given} is ambiguous; give more characters")
    raise StoreError(f"mapping version {given} is not stored")
