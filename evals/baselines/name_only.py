"""The name-only baseline: a target leaf takes the source field whose normalised name equals its own.

Normalising lower-cases and drops everything but letters and digits, so ``Family Name``,
``family_name`` and ``familyName`` are equal; for nested JSON sources the last pointer
token is compared (``/subject/dob`` -> ``dob``). The value is copied unchanged and every
field is auto-accepted: this is what a schema-matching tool without semantics does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tools.readers import open_source
from tools.target_schema import load_target_schema

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(name: str) -> str:
    """'Family Name' / 'family_name' / 'familyName' -> 'familyname'."""
    return _NOT_ALNUM.sub("", name.lower())


def _last_token(field: str) -> str:
    if field.startswith("/"):
        return field.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return field


def propose(source_path: Path, schema_path: Path) -> dict[str, Any]:
    """A proposal document mapping each target leaf to the first source field with the same normalised name."""
    with open_source(source_path) as reader:
        info = reader.info
    schema = load_target_schema(schema_path)
    by_name: dict[str, str] = {}
    for field in info.fields:
        by_name.setdefault(normalise(_last_token(field)), field)
    fields: list[dict[str, Any]] = []
    used: set[str] = set()
    for leaf in schema.fields:
        source = by_name.get(normalise(leaf.name))
        if source is None:
            continue
        used.add(source)
        fields.append({"target": leaf.pointer, "sources": [source], "transform": {"op": "copy"}, "confidence": 1.0,
                       "status": "auto_accepted", "rationale": f"source field name equals target name {leaf.name!r}"})
    unmapped = [f for f in info.fields if f not in used]
    source = {"path": str(source_path), "format": info.format, "encoding": info.encoding, "delimiter": info.delimiter,
              "sheet": info.sheet, "fields": list(info.fields)}
    return {"document_version": "1", "fields": fields, "unmapped_sources": unmapped,
            "source": {k: v for k, v in source.items() if v is not None}}
