"""Every raw schema node that applies at a record pointer, for the SQL checks.

``TargetField`` gives a leaf's merged constraints, but some things only the raw nodes
tell: every ``pattern`` and ``format`` (merging keeps the first), ``dependentRequired``
and ``additionalProperties`` of objects, and whether a keyword SQL does not evaluate
applies to a mapped part of the record at all. Only local ``#...`` references are
followed; anything else makes the SQL engine step aside.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from tools.engines.sql_transforms import SqlUnsupported
from tools.json_pointer import get_at, parse_pointer

# Assertions the SQL checks do not evaluate. Where one applies to the root, a mapped
# object or a mapped leaf, the whole run goes to the reference validator.
UNCHECKED = frozenset({
    "if", "then", "else", "not", "dependentSchemas", "dependencies", "patternProperties",
    "propertyNames", "minProperties", "maxProperties", "unevaluatedProperties",
    "unevaluatedItems", "uniqueItems", "contains", "minContains", "maxContains",
    "prefixItems", "additionalItems", "minItems", "maxItems", "multipleOf",
    "$dynamicRef", "$recursiveRef",
})


def nodes_at(raw: dict[str, Any], parts: tuple[str, ...]) -> list[dict[str, Any]]:
    """The schema objects that validate the instance at ``parts`` (empty: none, any value passes)."""
    current = expand(raw, raw)
    for part in parts:
        children: list[dict[str, Any]] = []
        for node in current:
            props = node.get("properties")
            if isinstance(props, dict) and part in props:
                children.extend(expand(raw, props[part]))
            extra = node.get("additionalProperties")
            if not (isinstance(props, dict) and part in props) and extra not in (None, True, False, {}):
                raise SqlUnsupported("an additionalProperties schema")
        current = children
    return current


def expand(raw: dict[str, Any], node: Any, seen: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """``node`` plus what its $ref, allOf and null-union anyOf/oneOf bring in."""
    if node is True or node == {}:
        return []
    if node is False:
        raise SqlUnsupported("a 'false' schema")
    if not isinstance(node, dict):
        return []
    if id(node) in seen:
        raise SqlUnsupported("a schema that refers to itself")
    seen = seen | {id(node)}
    found = [node]
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith("#"):
            raise SqlUnsupported(f"the $ref {ref!r}")
        target = get_at(raw, parse_pointer(unquote(ref[1:])))
        if target is None:
            raise SqlUnsupported(f"the $ref {ref!r}")
        found.extend(expand(raw, target, seen))
    for branch in node.get("allOf") or []:
        found.extend(expand(raw, branch, seen))
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if not isinstance(branches, list):
            continue
        real = [b for b in branches if not _is_null_schema(raw, b)]
        if len(real) > 1:
            raise SqlUnsupported(f"an {key} with several non-null branches")
        for branch in real:
            found.extend(expand(raw, branch, seen))
    return found


def _is_null_schema(raw: dict[str, Any], node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if isinstance(node.get("$ref"), str) and set(node) <= {"$ref", "title", "description"}:
        return _is_null_schema(raw, get_at(raw, parse_pointer(unquote(node["$ref"][1:]))) if node["$ref"].startswith("#") else None)
    return node.get("type") == "null" or node.get("type") == ["null"]


def check_keywords(nodes: list[dict[str, Any]], where: str, *, is_object: bool) -> None:
    """Refuse nodes with assertions the SQL checks leave out."""
    for node in nodes:
        used = UNCHECKED & set(node)
        if "items" in node and node["items"] not in (True, {}):
            used = used | {"items"}
        if is_object and ({"enum", "const"} & set(node)):
            used = used | ({"enum", "const"} & set(node))
        if used:
            raise SqlUnsupported(f"{', '.join(sorted(used))} at {where or '/'}")


def strings_of(nodes: list[dict[str, Any]], key: str) -> list[str]:
    """Distinct string values of ``key`` over the nodes, in first-seen order."""
    found: list[str] = []
    for node in nodes:
        value = node.get(key)
        if isinstance(value, str) and value not in found:
            found.append(value)
    return found
