"""Appending to the hash chain, and reading it back.

Each event's ``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces,
UTF-8) of its fields, including ``prev_hash``, the hash of the event before it (64
zeros for the first). Changing, removing or reordering a stored event breaks the chain
from that event on. There is deliberately no update or delete function here; the store
refuses such changes too.
"""

from __future__ import annotations

import hashlib
import json
import random
import time as clock
from typing import Any

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from agent.audit.keys import session_key
from agent.store.canonical import canonical_json
from agent.store.models import AuditEvent, utc_timestamp
from tools.errors import StoreError

GENESIS_HASH = "0" * 64
MAX_APPEND_ATTEMPTS = 6
RETRY_BASE_SECONDS = 0.02
# Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
_PG_LOCK_ID = 0x63726F7373  # "cross"


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
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> bool:
    """Take the database's write lock before reading the head, so no other writer can take our seq.

    Returns True when this transaction already holds other (caller's) writes: a failed
    append must then not be retried, since rolling back would lose them.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if getattr(dbapi, "in_transaction", False):
            return True  # an earlier write in this transaction already holds SQLite's single write lock
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout for other writers
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    return False


def record_event(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> AuditEvent:
    """Append one event to the chain and commit it (with the caller's pending changes).

    Appends are serialised by the database's write lock; if another writer still took
    the same ``seq`` (the primary key makes the chain unforkable), the append is retried
    with a short backoff, so concurrent users never lose an event. The event carries an
    HMAC when the session has an audit key.
    """
    plain_inputs = _plain_json(inputs or {}, "inputs")
    plain_outputs = _plain_json(outputs or {}, "outputs")
    key = session_key(session)
    session.flush()  # the caller's changes first: on SQLite that already takes the write lock
    for attempt in range(1, MAX_APPEND_ATTEMPTS + 1):
        caller_writes = False
        try:
            caller_writes = _lock_chain(session)
            last = latest_event(session)
            seq = 1 if last is None else last.seq + 1
            prev_hash = GENESIS_HASH if last is None else last.hash
            time = utc_timestamp()  # taken under the lock, so times rise with seq
            digest = event_hash(
                seq=seq, time=time, actor=actor, action=action, subject=subject,
                inputs=plain_inputs, outputs=plain_outputs, run_id=run_id, prev_hash=prev_hash,
            )
            row = AuditEvent(
                seq=seq, time=time, actor=actor, action=action, subject=subject, inputs=plain_inputs,
                outputs=plain_outputs, run_id=run_id, prev_hash=prev_hash, hash=digest,
                hmac=key.event_hmac(digest) if key is not None else None,
            )
            session.add(row)
            session.commit()
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            if caller_writes or attempt == MAX_APPEND_ATTEMPTS:
                raise StoreError(f"could not append audit event {action!r}: {exc.__class__.__name__}") from None
            clock.sleep(RETRY_BASE_SECONDS * (2 ** (attempt - 1)) * (0.5 + random.random()))
            continue
        session.refresh(row)
        return row
    raise AssertionError("unreachable")  # the loop returns or raises


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
