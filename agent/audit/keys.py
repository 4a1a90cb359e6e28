"""The audit key: a keyed HMAC-SHA256 over each event's hash, and over checkpoints.

The hash chain alone shows accidental or careless edits; someone with write access to
the database can still recompute every hash after a change. The HMAC needs a secret kept
outside the database (``CROSSWALK_AUDIT_HMAC_KEY``), so a forger without it is caught.
Each HMAC is stored as ``<key id>:<hex>``; the key id (first 8 hex digits of the key's
SHA-256) tells a verifier which key signed, without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from pydantic import SecretStr
from sqlmodel import Session

from agent.store.database import AUDIT_KEY_INFO
from tools.errors import CrosswalkError

KEY_ENV_VAR = "CROSSWALK_AUDIT_HMAC_KEY"


class AuditError(CrosswalkError):
    """An audit command cannot do what was asked (no key to sign with, unknown run, bad checkpoint file)."""


@dataclass(frozen=True)
class AuditKey:
    """The secret bytes of the audit key and its public id."""

    secret: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:8]

    def sign(self, message: str) -> str:
        """Hex HMAC-SHA256 of ``message`` (UTF-8)."""
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def event_hmac(self, event_hash: str) -> str:
        """The value stored in an event's ``hmac`` column."""
        return f"{self.key_id}:{self.sign(event_hash)}"

    def matches(self, message: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(message), signature)


def audit_key(secret: SecretStr | str | None) -> AuditKey | None:
    """The key for a setting value (None when unset)."""
    if secret is None:
        return None
    raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return AuditKey(raw.encode("utf-8")) if raw else None


def session_key(session: Session) -> AuditKey | None:
    """The key ``open_session`` attached to the session, else the environment's (sessions made by hand)."""
    if AUDIT_KEY_INFO in session.info:
        return audit_key(session.info[AUDIT_KEY_INFO])
    return audit_key(os.environ.get(KEY_ENV_VAR))


def split_hmac(stored: str) -> tuple[str, str]:
    """(key id, hex digest) of a stored ``hmac`` value."""
    key_id, _, digest = stored.partition(":")
    return key_id, digest
