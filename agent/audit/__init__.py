"""The tamper-evident audit log: append-only events in a SHA-256 hash chain.

``chain`` appends and reads events, ``keys`` adds an optional keyed HMAC, ``checkpoints``
exports signed heads (so truncation shows), ``verify`` checks all of it, ``search`` and
``export`` answer auditors' questions. There is deliberately no update or delete
function anywhere; the store refuses such changes too.
"""

from __future__ import annotations

from sqlmodel import Session

from agent.audit.chain import (
    GENESIS_HASH, canonical_json, count_events, event_hash, latest_event, list_events, record_event,
)
from agent.audit.checkpoints import CHECKPOINT_ACTION, Checkpoint, load_checkpoint, make_checkpoint
from agent.audit.export import EXPORT_COLUMNS, event_line, event_record, write_events
from agent.audit.keys import (
    AuditError, AuditKey, AuditKeyring, audit_key, session_key, session_keyring, settings_keyring,
)
from agent.audit.search import SearchQuery, resolve_run, search_events
from agent.audit.verify import CheckpointResult, Problem, VerifyReport, verify_log


def verify_chain(session: Session) -> list[str]:
    """Every problem found in the chain, one line each, in order; an empty list means it is intact.

    The HMAC is checked too when the session carries an audit key (retired keys included).
    ``verify_log`` gives the full report.
    """
    return [p.message for p in verify_log(session.connection(), keyring=session_keyring(session)).problems]


__all__ = [
    "CHECKPOINT_ACTION", "EXPORT_COLUMNS", "GENESIS_HASH", "AuditError", "AuditKey", "AuditKeyring", "Checkpoint",
    "CheckpointResult", "Problem", "SearchQuery", "VerifyReport", "audit_key", "canonical_json", "count_events",
    "event_hash", "event_line", "event_record", "latest_event", "list_events", "load_checkpoint", "make_checkpoint",
    "record_event", "resolve_run", "search_events", "session_key", "session_keyring", "settings_keyring",
    "verify_chain", "verify_log", "write_events",
]
