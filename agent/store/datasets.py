"""Registering source files as datasets, keyed by content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from agent.store.models import Dataset
from tools.errors import SourceError

_CHUNK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks so large exports do not fill memory."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise SourceError(str(path), "file not found") from None
    except IsADirectoryError:
        raise SourceError(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return digest.hexdigest()


def register_dataset(session: Session, path: str | Path, *, sha256: str, format: str, size_bytes: int) -> Dataset:
    """The dataset row for this file content at this path, created if it is new.

    The same bytes at the same path are one dataset, so re-running a job does not
    multiply rows; the same bytes at another path are another registration.
    """
    path_text = str(Path(path).resolve())
    existing = session.exec(
        select(Dataset).where(Dataset.sha256 == sha256, Dataset.path == path_text)
    ).first()
    if existing is not None:
        return existing
    dataset = Dataset(path=path_text, sha256=sha256, format=format, size_bytes=size_bytes)
    session.add(dataset)
    session.commit()
    session.refresh(dataset)
    return dataset


def save_profile(session: Session, dataset: Dataset, profile: dict[str, Any]) -> Dataset:
    """Keep the latest profile computed for a dataset."""
    dataset.profile = profile
    session.add(dataset)
    session.commit()
    session.refresh(dataset)
    return dataset
