"""Canonical JSON, and a column type that stores it (the audit log's inputs and outputs).

Canonical: sorted keys, no spaces, non-ASCII kept as UTF-8. Audit hashes are taken over
this encoding; storing the payload columns in it too lets ``audit verify`` hash the
stored text as it is instead of parsing and re-encoding every event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, non-ASCII kept: the one encoding every audit hash is taken over."""
    return _ENCODER.encode(value)


class CanonicalJSON(TypeDecorator[Any]):
    """A JSON column whose stored text is canonical JSON (reads back like ``JSON``)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], str | None]:
        def process(value: Any) -> str | None:
            return None if value is None else canonical_json(value)

        return process
