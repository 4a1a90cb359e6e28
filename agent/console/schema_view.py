"""The ``crosswalk schema fields`` table: every leaf a mapping can write to."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from tools.target_schema import TargetField, TargetSchema

ENUM_SHOWN = 6


def field_type(field: TargetField) -> str:
    """'string', 'integer|null', 'array of string' ..."""
    types = "|".join(field.types) or "any"
    if field.is_array:
        items = "|".join(field.item_types or []) or "any"
        types = f"array of {items}"
    return f"{types}|null" if field.nullable and field.types else types


def required_text(field: TargetField) -> str:
    """'yes' when every valid record has it; 'in section' when only its parent object needs it."""
    if field.required_path:
        return "yes"
    return "in section" if field.required else ""


def constraint_text(field: TargetField) -> str:
    """Allowed values, or the pattern, shortened to fit a table cell."""
    if field.enum is not None:
        shown = [json.dumps(v, ensure_ascii=False) for v in field.enum[:ENUM_SHOWN]]
        more = f" (+{len(field.enum) - ENUM_SHOWN} more)" if len(field.enum) > ENUM_SHOWN else ""
        return "enum: " + ", ".join(shown) + more
    if field.pattern is not None:
        return f"pattern: {field.pattern}"
    return ""


def fields_as_json(schema: TargetSchema) -> list[dict[str, Any]]:
    return [
        {"pointer": f.pointer, "type": field_type(f), "format": f.format, "required": required_text(f) or "no",
         "enum": f.enum, "pattern": f.pattern, "title": f.title}
        for f in schema.fields
    ]


def print_fields(console: Console, schema: TargetSchema) -> None:
    """A table of the schema's leaves, in schema order."""
    title = schema.title or schema.path
    table = Table(title=f"{title}: {len(schema.fields)} target fields", title_justify="left")
    for name in ("pointer", "type", "format", "required", "enum / pattern"):
        table.add_column(name, overflow="fold")
    for f in schema.fields:
        table.add_row(f.pointer, field_type(f), f.format or "", required_text(f), constraint_text(f))
    console.print(table)
    for note in schema.notes:
        console.print(f"note: {note}")
