"""Data minimisation for the audit log: raw source values become shapes and hashes.

The audit log outlives the data it describes and is read by people who need not see
personal data (auditors, the review app's audit view). So a value from a dataset goes
into an event only as its shape (``SW1A 1AA`` -> ``AA9A 9AA``) and a short SHA-256
(enough to tell two values apart or to match a value one already holds, not to read
it), unless ``audit_raw_values`` allows raw values. The LLM messages are the one
exception, governed by ``llm_send_samples``: they are logged exactly as sent.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from tools.value_shapes import value_shape

DIGEST_CHARS = 16
QUOTED = re.compile(r"'([^']*)'")
LEADING_TOKEN = re.compile(r"^(\S*\d\S*)(?= )")  # a bare number the reason starts with ("123 is not ...")


def value_digest(text: str) -> str:
    """``sha256:`` and the first hex digits of the value's SHA-256."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def masked_value(value: Any) -> Any:
    """A source or output value as shape and digest; None, booleans and structures of them keep their form."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [masked_value(v) for v in value]
    if isinstance(value, dict):
        return {k: masked_value(v) for k, v in value.items()}
    text = str(value)
    return {"shape": value_shape(text), "sha256": value_digest(text)}


def masked_reason(reason: str) -> str:
    """A transform's reason with the value it quotes replaced by its shape."""
    text = QUOTED.sub(lambda m: f"'{value_shape(m.group(1))}'", reason)
    return LEADING_TOKEN.sub(lambda m: value_shape(m.group(1)), text)


def preview_evidence(preview: dict[str, Any] | None, *, raw: bool) -> dict[str, Any] | None:
    """What a reviewer saw (sample inputs beside outputs, validation), masked unless ``raw``."""
    if not preview:
        return None
    if raw:
        return preview
    samples = [{"inputs": masked_value(s.get("inputs")), "rows": s.get("rows"),
                **({"output": masked_value(s["output"])} if "output" in s else {}),
                **({"error": masked_reason(str(s["error"]))} if "error" in s else {})}
               for s in preview.get("samples") or []]
    return {"samples": samples, "validation": preview.get("validation")}


def apply_summary(summary: dict[str, Any], *, raw: bool) -> dict[str, Any]:
    """An apply summary for the log, masked unless ``raw``: error examples, the engine's fallback reason and
    the notes quote source values (a bad row is quoted whole when the fast path cannot read it)."""
    if raw:
        return summary
    errors = [{**e, "example_reason": masked_reason(str(e.get("example_reason") or ""))} for e in summary.get("top_errors") or []]
    return {**summary, "top_errors": errors, "engine_reason": masked_reason(str(summary.get("engine_reason") or "")),
            "notes": [masked_reason(str(n)) for n in summary.get("notes") or []]}
