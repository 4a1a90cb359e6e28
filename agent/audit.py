"""The tamper-evident audit log: append-only events in a SHA-256 hash chain.

Each event's ``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces,
UTF-8) of its fields, including ``prev_hash``, the hash of the event before it (64
zeros for the first). Changing, removing or reordering a stored event breaks the chain
from that event on, and ``verify_chain`` names where. There is deliberately no update
or delete function here; the store refuses such changes too.

Limit: removing events from the *end* of the log leaves a valid shorter chain. Keep
the latest hash somewhere else (a report, a ticket) to detect that.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from agent.store.models import AuditEvent, utc_timestamp
from tools.errors import StoreError

GENESIS_HASH = "0" * 64


def _plain_json(value: dict[str, Any], what: str) -> dict[str, Any]:
    """The value as it will read back from the JSON column, so the hash verifies later."""
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise StoreError(f"audit event {what} must be plain JSON: {exc}") from None


def event_hash(
    *, seq: int, time: str, actor: str, action: str, subject: str,
    inputs: dict[str, Any], outputs: dict[str, Any], run_id: str | None, prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON of one event."""
    body = {
        "seq": seq, "time": time, "actor": actor, "action": action, "subject": subject,
        "inputs": inputs, "outputs": outputs, "run_id": run_id, "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> AuditEvent:
    """Append one event to the chain and commit it (an audit event must not wait for others).

    Two writers racing for the same ``seq`` collide on the primary key, so the chain
    cannot fork; the loser gets a StoreError.
    """
    plain_inputs = _plain_json(inputs or {}, "inputs")
    plain_outputs = _plain_json(outputs or {}, "outputs")
    last = latest_event(session)
    seq = 1 if last is None else last.seq + 1
    prev_hash = GENESIS_HASH if last is None else last.hash
    time = utc_timestamp()
    digest = event_hash(
        seq=seq, time=time, actor=actor, action=action, subject=subject,
        inputs=plain_inputs, outputs=plain_outputs, run_id=run_id, prev_hash=prev_hash,
    )
    row = AuditEvent(
        seq=seq, time=time, actor=actor, action=action, subject=subject,
        inputs=plain_inputs, outputs=plain_outputs, run_id=run_id, prev_hash=prev_hash, hash=digest,
    )
    session.add(row)
    try:
        session.commit()
    except Exception as exc:  # IntegrityError from a concurrent writer, or a broken connection
        session.rollback()
        raise StoreError(f"could not append audit event {action!r}: {exc.__class__.__name__}") from None
    session.refresh(row)
    return row


def latest_event(session: Session) -> AuditEvent | None:
    """The newest event (the head of the chain), if any."""
    return session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()  # type: ignore[union-attr]


def list_events(session: Session, run_id: str | None = None) -> list[AuditEvent]:
    """Events in chain order, optionally only those of one run."""
    query = select(AuditEvent).order_by(AuditEvent.seq)  # type: ignore[arg-type]
    if run_id is not None:
        query = query.where(AuditEvent.run_id == run_id)
    return list(session.exec(query).all())


def count_events(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def verify_chain(session: Session) -> list[str]:
    """Every problem found in the chain, in order; an empty list means it is intact."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    # Re-read from the database, not from objects this session may hold in memory.
    session.expire_all()
    for row in list_events(session):
        if row.seq != expected_seq:
            problems.append(f"event {row.seq}: expected sequence number {expected_seq} (events missing or reordered)")
        if row.prev_hash != expected_prev:
            problems.append(f"event {row.seq}: prev_hash does not match the hash of the event before it")
        recomputed = event_hash(
            seq=row.seq, time=row.time, actor=row.actor, action=row.action, subject=row.subject,
            inputs=row.inputs, outputs=row.outputs, run_id=row.run_id, prev_hash=row.prev_hash,
        )
        if recomputed != row.hash:
            problems.append(f"event {row.seq}: content does not match its hash (altered after it was written)")
        expected_prev = row.hash
        expected_seq = row.seq + 1
    return problems
