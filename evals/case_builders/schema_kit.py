"""Small helpers to write target schemas (JSON Schema draft 2020-12) with titles and descriptions."""

from __future__ import annotations

from typing import Any, Iterable

DIALECT = "https://json-schema.org/draft/2020-12/schema"

POSTCODE_SPACED = r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"
POSTCODE_COMPACT = r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$"
VRM_COMPACT = r"^[A-Z0-9]{2,7}$"
VRM_SPACED = r"^[A-Z]{2}[0-9]{2} [A-Z]{3}$"
NHS_DIGITS = r"^[0-9]{10}$"
NHS_SPACED = r"^[0-9]{3} [0-9]{3} [0-9]{4}$"
E164 = r"^\+[1-9][0-9]{6,14}$"
PNC_ID = r"^[0-9]{2}([0-9]{2})?/[0-9]{1,7}[A-Z]$"
CRO_NUMBER = r"^[0-9]{1,6}/[0-9]{2}[A-Z]$"
HO_OFFENCE = r"^[0-9]{1,3}[A-Z]?/[0-9]{1,3}$"
LSOA = r"^[EW]01[0-9]{6}$"
WARD = r"^[EW]05[0-9]{6}$"
TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
YEAR_MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _leaf(kind: str, title: str, description: str, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"type": kind, "title": title, "description": description}
    node.update({k: v for k, v in extra.items() if v is not None})
    return node


def text(title: str, description: str, *, pattern: str | None = None, fmt: str | None = None,
         enum: list[str] | None = None, max_length: int | None = None, examples: list[str] | None = None) -> dict[str, Any]:
    """A string leaf."""
    return _leaf("string", title, description, pattern=pattern, format=fmt, enum=enum, maxLength=max_length, examples=examples)


def date(title: str, description: str) -> dict[str, Any]:
    return text(title, description + " Calendar date, YYYY-MM-DD.", fmt="date")


def date_time(title: str, description: str) -> dict[str, Any]:
    return text(title, description + " RFC 3339 date-time with a UTC offset.", fmt="date-time")


def integer(title: str, description: str, *, minimum: int | None = None, maximum: int | None = None) -> dict[str, Any]:
    return _leaf("integer", title, description, minimum=minimum, maximum=maximum)


def number(title: str, description: str, *, minimum: float | None = None, maximum: float | None = None) -> dict[str, Any]:
    return _leaf("number", title, description, minimum=minimum, maximum=maximum)


def boolean(title: str, description: str) -> dict[str, Any]:
    return _leaf("boolean", title, description)


def obj(title: str, description: str, properties: dict[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    """A nested object of the record."""
    node: dict[str, Any] = {"type": "object", "title": title, "description": description, "properties": properties,
                            "additionalProperties": False}
    req = list(required)
    if req:
        node["required"] = req
    return node


def record(slug: str, title: str, description: str, properties: dict[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    """The root of a target schema: one canonical record."""
    root: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"https://crosswalk.invalid/evals/{slug}.schema.json",
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    req = list(required)
    if req:
        root["required"] = req
    return root


def leaf_pointers(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """JSON Pointers of every leaf (non-object property) of a schema written with these helpers."""
    found: list[str] = []
    for name, node in schema.get("properties", {}).items():
        pointer = f"{prefix}/{name}"
        if node.get("type") == "object":
            found.extend(leaf_pointers(node, pointer))
        else:
            found.append(pointer)
    return found
