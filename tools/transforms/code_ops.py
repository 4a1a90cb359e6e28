"""Code lists: value_map and to_boolean.

Keys and source values are compared trimmed and, when case-insensitive, lower-cased
with ``str.lower`` (not ``casefold``) so SQL ``lower()`` gives the same matches.
"""

from __future__ import annotations

from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.source_values import as_text
from tools.transforms.spec import ToBoolean, ValueMap

KNOWN_LIMIT = 10
"""How many known values an 'unmapped' reason lists before '...'."""

# Folded lookups per spec. Specs hold dicts, so they are not hashable; the cache is keyed
# by id() and keeps the spec alive alongside so the id cannot be reused by another spec.
_LOOKUPS: dict[int, tuple[ValueMap, dict[str, Any]]] = {}
_LOOKUP_LIMIT = 512


def map_value(spec: ValueMap, value: Any) -> Any:
    """The mapped value; an unmapped one is an error, None or the trimmed source text."""
    key = as_text(value, "a code").strip()
    lookup = _folded_lookup(spec)
    folded = key.lower() if spec.case_insensitive else key
    if folded in lookup:
        return lookup[folded]
    if spec.on_unmapped == "null":
        return None
    if spec.on_unmapped == "keep":
        return key
    raise TransformValueError(unmapped_reason(value, spec.mapping))


def unmapped_reason(value: Any, mapping: dict[str, Any]) -> str:
    """'X' is not in the value map (known values: 'A', 'B', ...)."""
    keys = sorted(mapping)
    known = ", ".join(reasons.quote(k) for k in keys[:KNOWN_LIMIT])
    if len(keys) > KNOWN_LIMIT:
        known += f", ... ({len(keys)} in all)"
    return reasons.UNMAPPED.format(value=reasons.show(value), known=known)


def to_boolean(spec: ToBoolean, value: Any) -> bool:
    """True or False from the spec's word lists; a real boolean passes through."""
    if isinstance(value, bool):
        return value
    folded = as_text(value, "a yes/no value").strip().lower()
    if folded in {v.strip().lower() for v in spec.true_values}:
        return True
    if folded in {v.strip().lower() for v in spec.false_values}:
        return False
    raise TransformValueError(boolean_reason(value, spec))


def boolean_reason(value: Any, spec: ToBoolean) -> str:
    """The refusal that lists both word lists, so a reviewer sees what would be accepted."""
    return reasons.NOT_BOOLEAN.format(
        value=reasons.show(value), true=", ".join(spec.true_values), false=", ".join(spec.false_values)
    )


def _folded_lookup(spec: ValueMap) -> dict[str, Any]:
    cached = _LOOKUPS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    if len(_LOOKUPS) >= _LOOKUP_LIMIT:
        _LOOKUPS.clear()
    lookup = {(k.strip().lower() if spec.case_insensitive else k.strip()): v for k, v in spec.mapping.items()}
    _LOOKUPS[id(spec)] = (spec, lookup)
    return lookup
