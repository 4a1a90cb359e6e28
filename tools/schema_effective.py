"""The effective constraints of one schema node: ``$ref``, ``allOf`` and null unions merged.

A target field's constraints are often spread over the property itself, the definition
it refers to and the branches of an ``allOf``; the field list needs them as one flat set.
Merging is a conjunction (types meet, bounds tighten, enums intersect); for text
annotations (title, description ...) the outermost node wins, so a property's own
description beats the one on the shared definition it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from referencing import Specification
from referencing._core import Resolver  # the public package does not re-export the class
from referencing.exceptions import Unresolvable

from tools.errors import SchemaError

# A property's subschema, the resolver for refs inside it, and id() of the schema dict
# whose `properties` held it (the recursion guard follows those dicts down a path).
ScopedProperty = tuple[Any, Resolver, int]

_FIRST_WINS = ("title", "description", "format", "pattern", "examples")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")


@dataclass
class EffectiveNode:
    """The flat constraints of one schema node. ``types`` None means any type is allowed."""

    types: list[str] | None = None
    enum: list[Any] | None = None
    keywords: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, list[ScopedProperty]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    items: list[tuple[Any, Resolver]] = field(default_factory=list)

    def is_container(self) -> bool:
        """An object with properties: its properties become fields, it is no leaf itself."""
        return bool(self.properties) and (self.types is None or "object" in self.types)

    def property_owners(self) -> set[int]:
        return {owner for scoped in self.properties.values() for _, _, owner in scoped}


class SchemaReader:
    """Computes effective nodes for one schema document, resolving local refs only."""

    def __init__(self, path: str, specification: Specification[Any]) -> None:
        self.path = path
        self.specification = specification

    def enter(self, schema: Any, resolver: Resolver) -> Resolver:
        """Rebase the resolver when a subschema declares its own ``$id``."""
        if isinstance(schema, dict) and self.specification.id_of(schema):
            return resolver.in_subresource(self.specification.create_resource(schema))
        return resolver

    def lookup(self, ref: str, resolver: Resolver) -> tuple[Any, Resolver]:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as error:
            raise SchemaError(self.path, f"$ref {ref!r} cannot be resolved inside the schema ({type(error).__name__})") from error
        return resolved.contents, resolved.resolver

    def effective(self, schema: Any, resolver: Resolver, expanding: frozenset[int] = frozenset()) -> EffectiveNode:
        """Merge ``schema`` with what its ``$ref``, ``allOf`` and null-union branches say.

        ``expanding`` holds the ref targets being expanded for this one node, so a
        definition that refers to itself without any property in between (a loop no
        value could ever satisfy or stop) is an error instead of endless recursion.
        """
        if schema is True:
            return EffectiveNode()
        if schema is False:
            return EffectiveNode(types=[])
        if not isinstance(schema, dict):
            raise SchemaError(self.path, f"expected a schema object, found {type(schema).__name__}")
        resolver = self.enter(schema, resolver)
        node = self._own(schema, resolver)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target, target_resolver = self.lookup(ref, resolver)
            if id(target) in expanding:
                raise SchemaError(self.path, f"$ref {ref!r} refers back to itself without any property in between")
            conjoin(node, self.effective(target, target_resolver, expanding | {id(target)}))
        for branch in _list(schema.get("allOf")):
            conjoin(node, self.effective(branch, resolver, expanding))
        for key in ("anyOf", "oneOf"):
            branches = _list(schema.get(key))
            if branches:
                conjoin(node, union([self.effective(b, resolver, expanding) for b in branches]))
        return node

    def _own(self, schema: dict[str, Any], resolver: Resolver) -> EffectiveNode:
        """The keywords written on this node itself."""
        node = EffectiveNode()
        declared = schema.get("type")
        if isinstance(declared, str):
            node.types = [declared]
        elif isinstance(declared, list):
            node.types = [t for t in declared if isinstance(t, str)]
        if isinstance(schema.get("enum"), list):
            node.enum = list(schema["enum"])
        if "const" in schema:
            node.enum = _meet_enum(node.enum, [schema["const"]])
        for key in _FIRST_WINS + _LOWER_BOUNDS + _UPPER_BOUNDS:
            if key in schema and not isinstance(schema[key], bool):
                node.keywords[key] = schema[key]
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                node.properties.setdefault(name, []).append((sub, resolver, id(schema)))
        node.required = [r for r in _list(schema.get("required")) if isinstance(r, str)]
        items = schema.get("items")
        if isinstance(items, (dict, bool)):
            node.items.append((items, resolver))
        return node


def conjoin(node: EffectiveNode, other: EffectiveNode) -> None:
    """Fold ``other`` into ``node``: a value must satisfy both."""
    node.types = _meet_types(node.types, other.types)
    node.enum = _meet_enum(node.enum, other.enum)
    for key in _FIRST_WINS:
        if key not in node.keywords and key in other.keywords:
            node.keywords[key] = other.keywords[key]
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        if key in other.keywords:
            mine = node.keywords.get(key)
            theirs = other.keywords[key]
            tighter = max if key in _LOWER_BOUNDS else min
            node.keywords[key] = theirs if mine is None else tighter(mine, theirs)
    for name, scoped in other.properties.items():
        node.properties.setdefault(name, []).extend(scoped)
    node.required.extend(r for r in other.required if r not in node.required)
    node.items.extend(other.items)


def union(branches: list[EffectiveNode]) -> EffectiveNode:
    """``anyOf``/``oneOf``: one real branch plus ``{"type": "null"}`` keeps all its constraints.

    With several non-null branches only what they share is known: the union of their
    types and, when every branch is an enum, the union of the enums.
    """
    real = [b for b in branches if b.types != ["null"]]
    has_null = len(real) < len(branches)
    if len(real) == 1:
        merged = EffectiveNode()
        conjoin(merged, real[0])
    else:
        types: list[str] | None = []
        for branch in real:
            if branch.types is None or types is None:
                types = None
            else:
                types += [t for t in branch.types if t not in types]
        enum: list[Any] | None = None
        if real and all(b.enum is not None for b in real):
            enum = []
            for branch in real:
                enum += [v for v in branch.enum or [] if not _contains(enum, v)]
        merged = EffectiveNode(types=types, enum=enum)
    if has_null:
        if merged.types is not None and "null" not in merged.types:
            merged.types.append("null")
        if merged.enum is not None and not _contains(merged.enum, None):
            merged.enum.append(None)
    return merged


def _meet_types(mine: list[str] | None, theirs: list[str] | None) -> list[str] | None:
    if mine is None:
        return None if theirs is None else list(theirs)
    if theirs is None:
        return mine
    met: list[str] = []
    for kind in mine:
        # integer is a subtype of number, so their meet is integer
        if kind in theirs or (kind == "integer" and "number" in theirs):
            hit = kind
        elif kind == "number" and "integer" in theirs:
            hit = "integer"
        else:
            continue
        if hit not in met:
            met.append(hit)
    return met


def _meet_enum(mine: list[Any] | None, theirs: list[Any] | None) -> list[Any] | None:
    if mine is None:
        return None if theirs is None else list(theirs)
    if theirs is None:
        return mine
    return [v for v in mine if _contains(theirs, v)]


def _contains(values: list[Any], value: Any) -> bool:
    """JSON equality: True is not 1, unlike Python's ``==``."""
    return any(type(v) is type(value) and v == value for v in values) or (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and any(isinstance(v, (int, float)) and not isinstance(v, bool) and v == value for v in values)
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
