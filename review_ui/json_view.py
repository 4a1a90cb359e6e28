"""Showing stored JSON (audit event inputs/outputs, transforms) to people as readable text.

Values become text here and are escaped by Jinja's autoescape in the templates; nothing
in this module produces markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

LONG_TEXT = 400  # characters after which a value is folded (graph events carry whole profiles)
LONG_LINES = 12


@dataclass(frozen=True)
class Entry:
    """One key of a JSON object as shown: ``block`` values are pretty JSON for a <pre>."""

    key: str
    text: str
    block: bool

    @property
    def long(self) -> bool:
        return len(self.text) > LONG_TEXT or self.text.count("\n") >= LONG_LINES


def pretty_json(value: Any) -> str:
    """Indented JSON, keys in their stored order, non-ASCII kept readable."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def scalar_text(value: Any) -> str:
    """A scalar as a person reads it: strings bare, null as an em dash, the rest as JSON."""
    if value is None:
        return "\u2014"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def entries(mapping: dict[str, Any] | None) -> list[Entry]:
    """The keys of an object as a key/value list; nested values as pretty JSON blocks."""
    found: list[Entry] = []
    for key, value in (mapping or {}).items():
        if isinstance(value, (dict, list)) and value:
            found.append(Entry(str(key), pretty_json(value), True))
        else:
            found.append(Entry(str(key), scalar_text(value), False))
    return found
