"""The target standard: a JSON Schema read into a flat list of leaf fields.

Everything downstream (matchers, transforms, validation, engines) works on leaves named
by JSON Pointers such as ``/detainee/family_name``. Only local ``$ref`` is followed: a
schema that refers to anything outside itself is refused, so nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urldefrag, urljoin

import jsonschema
import referencing.jsonschema
from jsonschema.protocols import Validator
from pydantic import BaseModel, Field, PrivateAttr
from referencing import Registry, Resource, Specification
from referencing._core import Resolver

from tools.errors import SchemaError
from tools.json_pointer import escape_token, make_pointer
from tools.schema_effective import EffectiveNode, SchemaReader, conjoin

Dialect = Literal["2020-12", "2019-09", "draft-07"]
MAX_DEPTH = 32  # nesting levels of objects; real standards use a handful

# Keywords whose values are data, not subschemas: a "$ref" key inside them is no reference.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})
# Formats whose checking crosswalk relies on; make_validator refuses to run without them.
_MUST_CHECK_FORMATS = frozenset({"date", "date-time", "time", "email", "uri"})
# Assertions a per-leaf engine (type, enum, const, pattern, format, bounds, lengths,
# required) does not evaluate. anyOf/oneOf are handled apart: null unions are fine.
_UNCHECKED_BY_LEAF_ENGINE = frozenset({
    "if", "then", "else", "not", "dependentRequired", "dependentSchemas", "dependencies",
    "patternProperties", "propertyNames", "minProperties", "maxProperties",
    "unevaluatedProperties", "unevaluatedItems", "uniqueItems", "contains", "minContains",
    "maxContains", "prefixItems", "additionalItems", "minItems", "maxItems", "multipleOf",
    "$dynamicRef", "$recursiveRef",
})
# $defs are not walked: only what the record reaches counts
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_SINGLES = ("not", "if", "then", "else", "contains", "propertyNames", "additionalProperties",
                      "additionalItems", "unevaluatedProperties", "unevaluatedItems", "items")


@dataclass(frozen=True)
class _DialectSupport:
    validator: type[Validator]
    specification: Specification[Any]


_DIALECTS: dict[str, _DialectSupport] = {
    "2020-12": _DialectSupport(jsonschema.Draft202012Validator, referencing.jsonschema.DRAFT202012),
    "2019-09": _DialectSupport(jsonschema.Draft201909Validator, referencing.jsonschema.DRAFT201909),
    "draft-07": _DialectSupport(jsonschema.Draft7Validator, referencing.jsonschema.DRAFT7),
}
_DIALECT_URIS = {
    "http://json-schema.org/draft/2020-12/schema": "2020-12",
    "http://json-schema.org/draft/2019-09/schema": "2019-09",
    "http://json-schema.org/draft-07/schema": "draft-07",
}


class TargetField(BaseModel):
    """One leaf of the target record: what a mapping can write to."""

    pointer: str = Field(description="JSON Pointer into the record, e.g. /detainee/family_name")
    path: list[str]
    name: str = Field(description="Last path segment")
    types: list[str] = Field(default_factory=list, description="JSON types allowed, without null; empty means any")
    nullable: bool = Field(default=True, description="null passes the schema")
    format: str | None = None
    pattern: str | None = None
    enum: list[Any] | None = Field(default=None, description="Allowed values without null; const becomes a one-item enum")
    title: str | None = None
    description: str | None = None
    examples: list[Any] | None = None
    required: bool = Field(default=False, description="Listed in its parent's required")
    required_path: bool = Field(default=False, description="It and every enclosing object are required: no valid record lacks it")
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    parent_titles: list[str | None] = Field(default_factory=list, description="Titles of the enclosing objects, outermost first (root excluded)")
    parent_descriptions: list[str | None] = Field(default_factory=list)
    is_array: bool = False
    item_types: list[str] | None = Field(default=None, description="For arrays: JSON types of the items, without null")
    item_format: str | None = None
    item_enum: list[Any] | None = None
    recursive: bool = Field(default=False, description="An object that contains its own ancestor's definition, kept opaque")


class TargetSchema(BaseModel):
    """A loaded target schema: the document itself and its leaves."""

    path: str
    sha256: str
    dialect: Dialect
    raw: dict[str, Any]
    id: str | None = None
    title: str | None = None
    description: str | None = None
    fields: list[TargetField]
    object_pointers: dict[str, list[str]] = Field(description="Pointer of every object ('' = the record) -> its required property names")
    notes: list[str] = Field(default_factory=list, description="What the loader decided (e.g. recursive parts kept opaque)")
    _index: dict[str, TargetField] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        self._index = {f.pointer: f for f in self.fields}

    def field(self, pointer: str) -> TargetField | None:
        """The leaf at ``pointer``, or None when the schema has no such leaf."""
        return self._index.get(pointer)


def load_target_schema(path: str | Path) -> TargetSchema:
    """Read, check and flatten a target schema. Raises SchemaError with what is wrong."""
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SchemaError(where, f"cannot read the schema file: {error.strerror or error}") from error
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SchemaError(where, "the schema file is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise SchemaError(where, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from error
    if not isinstance(raw, dict):
        raise SchemaError(where, "a target schema must be a JSON object")
    dialect = _dialect_of(raw, where)
    # Before anything else touches the document: check_schema and the resolver must
    # never meet a reference that points outside it.
    _refuse_remote_refs(raw, where)
    support = _DIALECTS[dialect]
    try:
        support.validator.check_schema(raw)
    except jsonschema.exceptions.SchemaError as error:
        raise SchemaError(where, f"not a valid {dialect} JSON Schema: {error.message} (at {error.json_path})") from error
    reader, resolver = _reader(raw, dialect, where)
    root = reader.effective(raw, resolver)
    if not root.is_container():
        raise SchemaError(where, "the target schema must describe an object with properties (the canonical record)")
    flat = _Flattener(reader, where)
    flat.objects[""] = list(root.required)
    flat.descend(root, [], [], True, frozenset())
    return TargetSchema(
        path=where, sha256=hashlib.sha256(data).hexdigest(), dialect=dialect, raw=raw,
        id=raw.get("$id") if isinstance(raw.get("$id"), str) else None,
        title=raw.get("title"), description=raw.get("description"),
        fields=flat.fields, object_pointers=flat.objects, notes=flat.notes,
    )


def make_validator(schema: TargetSchema) -> Validator:
    """A validator of the schema's draft with format checking on and no remote retrieval."""
    support = _DIALECTS[schema.dialect]
    checker = support.validator.FORMAT_CHECKER
    used = {f.format for f in schema.fields} | {f.item_format for f in schema.fields}
    missing = sorted((used & _MUST_CHECK_FORMATS) - set(checker.checkers))
    if missing:
        raise SchemaError(schema.path, f"format(s) {', '.join(missing)} cannot be checked: a jsonschema format extra is not installed")
    registry: Registry[Any] = Registry(retrieve=_refusing_retrieval(schema.path))  # type: ignore[call-arg]
    return support.validator(schema.raw, registry=registry, format_checker=checker)


def unsupported_for_sql(schema: TargetSchema) -> list[str]:
    """Keywords reachable in the schema that a per-leaf (vectorised) engine does not check.

    Empty means checking each leaf's type, enum/const, pattern, format, bounds and
    lengths plus the required lists is the whole schema. ``additionalProperties`` is
    not listed: records only ever hold the schema's own (mapped) properties.
    ``items`` is listed whenever it constrains anything, to stay on the safe side.
    """
    reader, resolver = _reader(schema.raw, schema.dialect, schema.path)
    found: set[str] = set()
    seen: set[int] = set()

    def visit(node: Any, resolver: Resolver) -> None:
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        resolver = reader.enter(node, resolver)
        found.update(key for key in node if key in _UNCHECKED_BY_LEAF_ENGINE)
        if node.get("items") not in (None, True, {}):
            found.add("items")
        for key in ("anyOf", "oneOf"):
            branches = node.get(key)
            if isinstance(branches, list) and not _is_null_union(reader, key, branches, resolver):
                found.add(key)
        if isinstance(node.get("$ref"), str):
            visit(*reader.lookup(node["$ref"], resolver))
        for key in _SUBSCHEMA_MAPS:
            if isinstance(node.get(key), dict):
                for sub in node[key].values():
                    visit(sub, resolver)
        for key in (*_SUBSCHEMA_LISTS, "items"):  # draft-07 `items` may be a list (tuple validation)
            for sub in node.get(key) if isinstance(node.get(key), list) else []:
                visit(sub, resolver)
        for key in _SUBSCHEMA_SINGLES:
            visit(node.get(key), resolver)

    visit(schema.raw, resolver)
    return sorted(found)


class _Flattener:
    """Walks the containers from the root and collects leaves and object pointers."""

    def __init__(self, reader: SchemaReader, path: str) -> None:
        self.reader = reader
        self.path = path
        self.fields: list[TargetField] = []
        self.objects: dict[str, list[str]] = {}
        self.notes: list[str] = []

    def descend(self, container: EffectiveNode, prefix: list[str], parents: list[tuple[str | None, str | None]],
                prefix_required: bool, chain: frozenset[int]) -> None:
        """``chain`` holds the schema dicts whose properties led here; meeting one again is recursion."""
        for name, scoped in container.properties.items():
            node = EffectiveNode()
            for sub, resolver, _ in scoped:
                conjoin(node, self.reader.effective(sub, resolver))
            parts = [*prefix, name]
            required = name in container.required
            path_required = prefix_required and required
            here = chain | {owner for _, _, owner in scoped}
            if not node.is_container():
                self.fields.append(_leaf(self.reader, node, parts, parents, required, path_required))
            elif node.property_owners() & here:
                self.fields.append(_leaf(self.reader, node, parts, parents, required, path_required, recursive=True))
                self.notes.append(f"{make_pointer(parts)} refers back to an enclosing object; it is kept as one opaque object field")
            elif len(parts) > MAX_DEPTH:
                raise SchemaError(self.path, f"objects nested deeper than {MAX_DEPTH} levels at {make_pointer(parts)}")
            else:
                self.objects[make_pointer(parts)] = list(node.required)
                text = (_text(node.keywords.get("title")), _text(node.keywords.get("description")))
                self.descend(node, parts, [*parents, text], path_required, here)


def _leaf(reader: SchemaReader, node: EffectiveNode, parts: list[str], parents: list[tuple[str | None, str | None]],
          required: bool, path_required: bool, *, recursive: bool = False) -> TargetField:
    types, nullable, enum = _types_nullable_enum(node)
    if recursive:
        types = ["object"]
    kw = node.keywords
    item_types = item_format = item_enum = None
    if "array" in types and node.items:
        items = EffectiveNode()
        for sub, resolver in node.items:
            conjoin(items, reader.effective(sub, resolver))
        item_types, _, item_enum = _types_nullable_enum(items)
        item_format = _text(items.keywords.get("format"))
    examples = kw.get("examples")
    return TargetField(
        pointer=make_pointer(parts), path=parts, name=parts[-1], types=types, nullable=nullable,
        format=_text(kw.get("format")), pattern=_text(kw.get("pattern")), enum=enum,
        title=_text(kw.get("title")), description=_text(kw.get("description")),
        examples=examples if isinstance(examples, list) else None,
        required=required, required_path=path_required,
        minimum=kw.get("minimum"), maximum=kw.get("maximum"),
        exclusive_minimum=kw.get("exclusiveMinimum"), exclusive_maximum=kw.get("exclusiveMaximum"),
        min_length=kw.get("minLength"), max_length=kw.get("maxLength"),
        parent_titles=[t for t, _ in parents], parent_descriptions=[d for _, d in parents],
        is_array="array" in types, item_types=item_types, item_format=item_format, item_enum=item_enum,
        recursive=recursive,
    )


def _types_nullable_enum(node: EffectiveNode) -> tuple[list[str], bool, list[Any] | None]:
    """Split null out of the types and the enum; with no ``type``, the enum tells the types."""
    nullable = (node.types is None or "null" in node.types) and (node.enum is None or None in node.enum)
    types = node.types
    if types is None and node.enum is not None:
        types = []
        for value in node.enum:
            kind = _json_type(value)
            if kind not in types:
                types.append(kind)
    enum = None if node.enum is None else [v for v in node.enum if v is not None]
    return [t for t in types or [] if t != "null"], nullable, enum


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _is_null_union(reader: SchemaReader, key: str, branches: list[Any], resolver: Resolver) -> bool:
    """One real branch plus null branches; for oneOf the real branch must itself refuse null."""
    real = [n for n in (reader.effective(b, resolver) for b in branches) if n.types != ["null"]]
    if len(real) > 1:
        return False
    if key == "oneOf" and real and (real[0].types is None or "null" in real[0].types):
        return False
    return True


def _dialect_of(raw: dict[str, Any], path: str) -> Dialect:
    declared = raw.get("$schema")
    if declared is None:
        return "2020-12"
    if isinstance(declared, str):
        key = declared.strip().lower().rstrip("#").replace("https://", "http://")
        if key in _DIALECT_URIS:
            return _DIALECT_URIS[key]  # type: ignore[return-value]
    raise SchemaError(path, f"unsupported $schema {declared!r}: crosswalk reads JSON Schema draft 2020-12, 2019-09 and draft-07")


def _refuse_remote_refs(raw: dict[str, Any], path: str) -> None:
    """Refuse any reference to something outside this document, before anything resolves it."""
    declared: set[str] = set()
    refs: list[tuple[str, str, str]] = []  # (ref, base URI, where)

    def walk(node: Any, base: str, where: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, base, f"{where}/{i}")
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
            declared.add(urldefrag(base).url)
        for key in ("$ref", "$dynamicRef", "$recursiveRef"):
            if isinstance(node.get(key), str):
                refs.append((node[key], base, where))
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                walk(value, base, f"{where}/{escape_token(key)}")

    walk(raw, "", "")
    for ref, base, where in refs:
        if ref.startswith("#") or urldefrag(urljoin(base, ref)).url in declared:
            continue
        raise SchemaError(path, f"remote $ref {ref!r} at {where or '/'} refused: crosswalk never fetches schemas; "
                                "copy the definition under $defs and refer to it as '#/$defs/...'")


def _refusing_retrieval(path: str) -> Any:
    def retrieve(uri: str) -> Resource[Any]:
        raise SchemaError(path, f"remote $ref {uri!r} refused: crosswalk never fetches schemas")

    return retrieve


def _reader(raw: dict[str, Any], dialect: str, path: str) -> tuple[SchemaReader, Resolver]:
    specification = _DIALECTS[dialect].specification
    base = urldefrag(raw["$id"]).url if isinstance(raw.get("$id"), str) else ""
    registry: Registry[Any] = Registry(retrieve=_refusing_retrieval(path))  # type: ignore[call-arg]
    registry = registry.with_resource(base, specification.create_resource(raw))
    return SchemaReader(path, specification), registry.resolver(base_uri=base)
