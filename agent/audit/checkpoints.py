"""Signed checkpoints of the chain head, kept outside the database.

The chain shows edits in the middle, but a log cut at the end is still a valid, shorter
chain. A checkpoint (the head's seq and hash, signed with the audit key) kept elsewhere
(a ticket, an e-mail, another system) lets ``audit verify --checkpoint`` tell that the
log was truncated or rewritten since. New checkpoints are signed with the current key;
one signed before a rotation still verifies with the retired key in the keyring.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from agent.audit.chain import canonical_json, count_events, latest_event, record_event
from agent.audit.keys import AuditError, AuditKey, AuditKeyring
from agent.store.models import utc_timestamp

CHECKPOINT_FORMAT = "crosswalk-audit-checkpoint/1"
CHECKPOINT_ACTION = "audit_checkpoint"


class Checkpoint(BaseModel):
    """The head of the chain at one moment; ``signature`` is HMAC-SHA256 over the other fields."""

    format: Literal["crosswalk-audit-checkpoint/1"] = CHECKPOINT_FORMAT
    seq: int
    hash: str
    time: str  # the head event's own time
    count: int
    created_at: str
    created_by: str
    key_id: str | None = None
    signature: str | None = None

    def signed_text(self) -> str:
        """What the signature covers: every field but the signature, canonical JSON."""
        return canonical_json(self.model_dump(exclude={"signature"}))

    def signature_valid(self, key: AuditKey) -> bool:
        return self.signature is not None and self.key_id == key.key_id and key.matches(self.signed_text(), self.signature)

    def signed_by(self, keyring: AuditKeyring) -> AuditKey | None:
        """The keyring's key (current or retired) whose signature this is, if any."""
        key = keyring.find(self.key_id)
        return key if key is not None and self.signature_valid(key) else None


def make_checkpoint(session: Session, actor: str, key: AuditKey | None, *, out: Path | None = None) -> Checkpoint:
    """Checkpoint the current head (signed when ``key`` is given) and record it as an audit event."""
    head = latest_event(session)
    if head is None:
        raise AuditError("the audit log is empty; there is no head to checkpoint")
    checkpoint = Checkpoint(
        seq=head.seq, hash=head.hash, time=head.time, count=count_events(session),
        created_at=utc_timestamp(), created_by=actor, key_id=key.key_id if key is not None else None,
    )
    if key is not None:
        checkpoint.signature = key.sign(checkpoint.signed_text())
    # The checkpoint event itself comes after the head it names.
    record_event(session, actor, CHECKPOINT_ACTION, f"audit:{head.seq}",
                 {"out": str(out) if out is not None else None, "signed": key is not None},
                 checkpoint.model_dump(mode="json"))
    return checkpoint


def load_checkpoint(path: Path) -> Checkpoint:
    """Read a checkpoint file, with a one-line error when it is not one."""
    try:
        return Checkpoint.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise AuditError(f"{path}: not an audit checkpoint: {first}") from None
