"""The audit key: a keyed HMAC-SHA256 over each event's hash, and over checkpoints.

The hash chain alone shows accidental or careless edits; someone with write access to
the database can still recompute every hash after a change. The HMAC needs a secret kept
outside the database (``CROSSWALK_AUDIT_HMAC_KEY``), so a forger without it is caught.
Each HMAC is stored as ``<key id>:<hex>``; the key id (first 8 hex digits of the key's
SHA-256) tells a verifier which key signed, without revealing it.

Rotation: new events and checkpoints are signed with the current key only; keys used
before it (``CROSSWALK_AUDIT_HMAC_RETIRED_KEYS``) are kept in an ``AuditKeyring`` just
to verify what they signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import SecretStr
from sqlmodel import Session

from agent.settings import Settings
from agent.store.database import AUDIT_KEY_INFO, AUDIT_RETIRED_KEYS_INFO
from tools.errors import CrosswalkError

KEY_ENV_VAR = "CROSSWALK_AUDIT_HMAC_KEY"
RETIRED_KEYS_ENV_VAR = "CROSSWALK_AUDIT_HMAC_RETIRED_KEYS"


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


@dataclass(frozen=True)
class AuditKeyring:
    """The current key (signs and verifies) and the retired ones (verify only), found by key id."""

    current: AuditKey | None = None
    retired: tuple[AuditKey, ...] = ()

    def __post_init__(self) -> None:
        # A retired entry equal to the current key (or listed twice) would blur which key
        # is "current" in the reuse check, so drop it here once.
        kept: dict[str, AuditKey] = {}
        current_id = self.current.key_id if self.current is not None else None
        for key in self.retired:
            if key.key_id != current_id:
                kept.setdefault(key.key_id, key)
        object.__setattr__(self, "retired", tuple(kept.values()))

    @classmethod
    def of(cls, key: AuditKey | None) -> AuditKeyring:
        """A keyring with one current key (or none) and nothing retired."""
        return cls(current=key)

    @property
    def current_id(self) -> str | None:
        return self.current.key_id if self.current is not None else None

    @property
    def retired_ids(self) -> tuple[str, ...]:
        return tuple(key.key_id for key in self.retired)

    @property
    def keys(self) -> tuple[AuditKey, ...]:
        """Every key, the current one first."""
        return ((self.current,) if self.current is not None else ()) + self.retired

    def __bool__(self) -> bool:
        return self.current is not None or bool(self.retired)

    def find(self, key_id: str | None) -> AuditKey | None:
        """The key with this id, current or retired (None when not in the keyring)."""
        return next((key for key in self.keys if key.key_id == key_id), None)

    def is_retired(self, key_id: str | None) -> bool:
        return key_id in self.retired_ids


def retired_keys(secrets: Iterable[SecretStr | str] | None) -> tuple[AuditKey, ...]:
    """Keys for the retired-keys setting (empty values skipped)."""
    return tuple(key for key in (audit_key(secret) for secret in secrets or ()) if key is not None)


def settings_keyring(settings: Settings) -> AuditKeyring:
    """The keyring the settings describe: ``audit_hmac_key`` current, ``audit_hmac_retired_keys`` retired."""
    return AuditKeyring(audit_key(settings.audit_hmac_key), retired_keys(settings.audit_hmac_retired_keys))


def _env_retired_keys() -> tuple[AuditKey, ...]:
    """The retired keys of the environment's JSON list (sessions made without ``open_session``)."""
    raw = os.environ.get(RETIRED_KEYS_ENV_VAR)
    if not raw:
        return ()
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise AuditError(f"{RETIRED_KEYS_ENV_VAR} must be a JSON list of strings")
    return retired_keys(values)


def session_key(session: Session) -> AuditKey | None:
    """The key ``open_session`` attached to the session, else the environment's (sessions made by hand)."""
    if AUDIT_KEY_INFO in session.info:
        return audit_key(session.info[AUDIT_KEY_INFO])
    return audit_key(os.environ.get(KEY_ENV_VAR))


def split_hmac(stored: str) -> tuple[str, str]:
    """(key id, hex digest) of a stored ``hmac`` value."""
    key_id, _, digest = stored.partition(":")
    return key_id, digest


def session_keyring(session: Session) -> AuditKeyring:
    """The keyring ``open_session`` attached to the session, else the environment's (sessions made by hand)."""
    if AUDIT_RETIRED_KEYS_INFO in session.info:
        retired = retired_keys(session.info[AUDIT_RETIRED_KEYS_INFO])
    else:
        retired = _env_retired_keys()
    return AuditKeyring(session_key(session), retired)
