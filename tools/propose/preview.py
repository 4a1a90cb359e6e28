"""Preview one field mapping on sample rows: raw inputs beside their transformed values, and validation.

What a reviewer looks at before deciding: the distinct source values the sample holds
(most frequent first), what the transform makes of each (or why it fails), and the
field's validation against the target leaf. Raw values are shown as they are: the
preview stays inside the force (review database, review UI), it never reaches an LLM.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tools.errors import TransformValueError
from tools.mapping import FieldMapping
from tools.propose.compatibility import LeafChecker
from tools.propose.facts import is_blank_value, text_key
from tools.propose.validation import validate_field
from tools.target_schema import TargetSchema
from tools.transforms import apply_transform

PREVIEW_VALUES = 10


def plain(value: Any) -> Any:
    """A JSON-able form of a source or output value (XLSX dates become ISO text)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return str(value)
    return value


def preview_field(field: FieldMapping, rows: list[dict[str, Any]], schema: TargetSchema,
                  limit: int = PREVIEW_VALUES) -> dict[str, Any]:
    """``{"samples": [{"inputs", "rows", "output" | "error"}], "validation": {...}}`` for one field."""
    counts: dict[str, list[Any]] = {}
    for row in rows:
        raw = [row.get(source) for source in field.sources]
        if all(is_blank_value(v) for v in raw):
            continue
        key = "\x1f".join(text_key(v) if not is_blank_value(v) else "" for v in raw)
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [raw, 1]
    samples: list[dict[str, Any]] = []
    for raw, count in sorted(counts.values(), key=lambda item: -item[1])[:limit]:
        entry: dict[str, Any] = {"inputs": [plain(v) for v in raw], "rows": count}
        try:
            entry["output"] = plain(apply_transform(field.transform, raw))
        except (TransformValueError, TypeError) as exc:
            entry["error"] = getattr(exc, "reason", None) or str(exc)
        samples.append(entry)
    leaf = schema.field(field.target)
    if leaf is None:
        validation: dict[str, Any] = {"error": f"{field.target} is not a leaf of the target schema"}
    else:
        validation = validate_field(field, rows, LeafChecker(leaf)).model_dump(mode="json")
    return {"samples": samples, "validation": validation}
