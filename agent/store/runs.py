"""Opening and closing job runs."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from agent.store.models import Run, RunKind, utc_timestamp


def open_run(
    session: Session,
    kind: RunKind,
    *,
    actor: str,
    dataset_id: str | None = None,
    mapping_version_id: str | None = None,
) -> Run:
    """A new run in status ``running``."""
    run = Run(kind=kind, actor=actor, dataset_id=dataset_id, mapping_version_id=mapping_version_id)
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def close_run(session: Session, run: Run, *, summary: dict[str, Any] | None = None, error: str | None = None) -> Run:
    """Finish a run: ``succeeded`` without an error, ``failed`` with one."""
    run.finished_at = utc_timestamp()
    run.status = "failed" if error is not None else "succeeded"
    run.summary = summary
    run.error = error
    session.add(run)
    session.commit()
    session.refresh(run)
    return run
