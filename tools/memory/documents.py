"""The texts the memory embeds: a source field's profile summary and a target field's description.

A summary is a few ``key: value`` lines (see ``embedding``): the field name, its inferred
type, its commonest value shapes (``AA/9999/999999``: safe, no raw value), a coarse
picture of its values (null rate, how distinct, lengths) and, for a code list only, its
distinct codes (low-cardinality codes such as ``M F U``, never names or free text).
Another force's export of the same system renames columns but keeps all the rest, which
is what lets a renamed column find the approval of its namesake.
"""

from __future__ import annotations

from tools.mapping import MappingDocument
from tools.profile import FieldProfile
from tools.target_schema import TargetField, TargetSchema

MAX_SHAPES = 3
MAX_CODES = 20
MAX_CODE_LENGTH = 24
NO_SCHEMA = ""


def schema_key(doc: MappingDocument | None = None, schema: TargetSchema | None = None) -> str:
    """Which standard a pointer belongs to: the schema's $id, else its hash, else nothing."""
    if schema is not None:
        return schema.id or schema.sha256 or NO_SCHEMA
    described = doc.target_schema if doc is not None else None
    if described is None:
        return NO_SCHEMA
    return described.id or described.sha256 or NO_SCHEMA


def _bucket(rate: float) -> str:
    return "none" if rate == 0 else "few" if rate < 0.1 else "some" if rate < 0.5 else "most"


def _distinctness(profile: FieldProfile) -> str:
    if profile.non_null_count == 0:
        return "empty"
    ratio = profile.distinct_count / profile.non_null_count
    return "constant" if profile.distinct_count == 1 else "unique" if ratio > 0.95 else "varied" if ratio > 0.2 else "repeated"


def field_summary(profile: FieldProfile) -> str:
    """The text embedded for one source field (no raw value except the codes of a code list)."""
    lines = [f"name: {profile.name}", f"type: {profile.inferred_type}"]
    shapes = [s.shape for s in profile.shapes[:MAX_SHAPES]]
    if shapes:
        lines.append("shapes: " + " ".join(shape.replace(" ", "_") for shape in shapes))
    lengths = f"len{profile.min_length}to{profile.max_length}" if profile.min_length is not None else "nolength"
    lines.append(f"stats: nulls{_bucket(profile.null_rate)} {_distinctness(profile)} {lengths}")
    if profile.looks_like_code_list and profile.code_values:
        codes = [c.replace(" ", "_") for c in profile.code_values[:MAX_CODES] if len(c) <= MAX_CODE_LENGTH]
        if codes:
            lines.append("codes: " + " ".join(codes))
    return "\n".join(lines)


def target_summary(target: TargetField) -> str:
    """The text embedded for one target field: pointer, title, description and constraints."""
    lines = [f"name: {target.pointer.replace('/', ' ')}"]
    if target.title:
        lines.append(f"title: {target.title}")
    if target.description:
        lines.append(f"description: {target.description}")
    kind = target.format or ("enum" if target.enum else "/".join(target.types) or "any")
    lines.append(f"type: {kind}")
    if target.enum:
        lines.append("codes: " + " ".join(str(v).replace(" ", "_") for v in target.enum[:MAX_CODES]))
    return "\n".join(lines)
