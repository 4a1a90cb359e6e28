"""Reviewers' free-text reasons, minimised for the audit log like every other raw value.

A supervisor's reason ("row with SMITH, John 12/03/1981 shows Q means unknown") can quote
the personal data the decision was about. When ``audit_raw_values`` is off, the audit
event of a decision carries the reason with every quoted evidence value replaced by its
masked form ``[AAAAA, Aaaa sha256:...]`` (``agent.minimisation.masked_value``), plus
``reason_masked: true`` and ``reason_sha256`` (the digest of the reason as typed, so a
replay can check a raw reason it finds elsewhere against the log). With the setting on,
the reason is logged as typed.

What counts as a raw value: the values the decision's evidence holds, nothing guessed.
For a mapping item, the preview's sample inputs and outputs and any profile examples in
the proposal; for a record merge, the records' person sections and record dates (or,
for ``crosswalk link-decide``, the two records read back from their canonical files).
ISO dates also match as typed in UK form (``1981-03-12`` masks ``12/03/1981``).
Matches are case-insensitive and whole-token (``Male`` is not touched for a value
``M``). Not masked, because they are codes and not personal data: values under 3
characters (``M``, ``F``, ``1``, ``Q``), the strings the field's own transform names (a
value map's keys and values), every sampled value of a value-mapped field (its source is
a code list, so an unplaced ``IC9`` is a code too) and the target schema's enum values
(``male``, ``White``).
Ordinary words that are not evidence values stay as typed. A name quoted in part (only
the surname of a ``SMITH, John`` sample) is not caught: masking single words of sample
values would also hit ordinary words and make reasons unreadable.

Only the audit log is minimised. The review item row and the link decision row (the
operational database, which holds the raw samples and records anyway, and is where the
supervisor sees what they typed) keep the reason as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.minimisation import masked_value, value_digest

MIN_CHARS = 3  # shorter values are codes (M, F, 1, Q), not personal data
EXAMPLE_KEYS = frozenset({"examples", "top_values"})  # the raw profile fields (tools.profile.ColumnProfile.RAW_FIELDS)
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
UK_DATE = re.compile(r"^(\d{2})[/.-](\d{2})[/.-](\d{4})$")


def leaves(value: Any) -> list[str]:
    """Every scalar in a nested value as text (None and booleans left out: they quote nothing)."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, dict):
        return [text for v in value.values() for text in leaves(v)]
    if isinstance(value, (list, tuple)):
        return [text for v in value for text in leaves(v)]
    text = str(value).strip()
    return [text] if text else []


def _examples(node: Any) -> list[Any]:
    """Profile examples wherever a proposal's evidence holds them."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k in EXAMPLE_KEYS] + [x for k, v in node.items() if k not in EXAMPLE_KEYS
                                                                    for x in _examples(v)]
    if isinstance(node, list):
        return [x for v in node for x in _examples(v)]
    return []


@lru_cache(maxsize=8)
def _schema_codes(path: str) -> frozenset[str]:
    from tools.target_schema import load_target_schema  # deferred: only decisions with evidence need a schema

    schema = load_target_schema(path)
    return frozenset(v.casefold() for f in schema.fields for v in leaves((f.enum or []) + (f.item_enum or [])))


def schema_codes(path: str | None = None) -> frozenset[str]:
    """The enum values of a target schema (the bundled standard when ``path`` is None or unreadable), casefolded."""
    from tools.errors import CrosswalkError
    from tools.standards import bundled_standard_path

    for candidate in (path, str(bundled_standard_path())):
        if candidate and Path(candidate).is_file():
            try:
                return _schema_codes(candidate)
            except (CrosswalkError, OSError, ValueError):  # a schema moved or broken since the run: the standard's codes
                continue
    return frozenset()


def evidence_values(proposal: dict[str, Any] | None) -> set[str]:
    """The raw values a review item's evidence holds (sample inputs and outputs, profile examples, records)."""
    if not proposal:
        return set()
    found: list[Any] = []
    for sample in (proposal.get("preview") or {}).get("samples") or []:
        found += [sample.get("inputs"), sample.get("output")]
    found += _examples(proposal.get("evidence"))
    for side in [proposal.get("left"), proposal.get("right"), *(proposal.get("others") or [])]:
        if isinstance(side, dict):  # the person section and record date only: keys and dataset names are not personal
            found += [side.get("person"), side.get("record_date")]
    return set(leaves(found))


def code_values(proposal: dict[str, Any] | None) -> frozenset[str]:
    """Codes a reason may quote freely: the field's transform strings and the target schema's enum values."""
    proposal = proposal or {}
    transform = (proposal.get("field") or {}).get("transform") or {}
    schema_path = (proposal.get("sample") or {}).get("schema_path")
    if not isinstance(transform, dict):
        return schema_codes(schema_path)
    named = leaves(transform) + leaves(list(transform.get("mapping") or {}))  # a value map's keys are codes too
    if transform.get("op") == "value_map":
        # a value-mapped field is a code list: its sampled values (unplaced ones too, e.g. IC9) are codes
        named += leaves([[s.get("inputs"), s.get("output")] for s in (proposal.get("preview") or {}).get("samples") or []])
    return schema_codes(schema_path) | {t.casefold() for t in named}


def _variants(value: str) -> list[str]:
    """The value and the other ways a person types the same date (ISO <-> day/month/year)."""
    iso, uk = ISO_DATE.match(value), UK_DATE.match(value)
    if iso:
        year, month, day = iso.groups()
        return [value, f"{year}-{month}-{day}", *(f"{day}{sep}{month}{sep}{year}" for sep in "/.-")]
    if uk:
        day, month, year = uk.groups()
        return [value, f"{year}-{month}-{day}"]
    return [value]


def _masked_text(value: str) -> str:
    masked = masked_value(value)
    return f"[{masked['shape']} {masked['sha256']}]"


def mask_reason_values(reason: str, values: Iterable[str], codes: Iterable[str] = ()) -> tuple[str, bool]:
    """``reason`` with each whole-token, case-insensitive occurrence of a value masked; and whether any was."""
    skip = {c.casefold() for c in codes}
    by_key: dict[str, set[str]] = {}
    for value in values:
        for variant in _variants(value):
            key = variant.casefold()
            if len(variant) >= MIN_CHARS and key not in skip:
                by_key.setdefault(key, set()).add(variant)
    if not by_key:
        return reason, False
    # longest first, so "SMITH, John" is masked whole before "SMITH" could match a part of it
    spellings_all = {v for found in by_key.values() for v in found}
    alternatives = "|".join(re.escape(v) for v in sorted(spellings_all, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def mask(match: re.Match[str]) -> str:
        # the digest is an evidence value's (the spelling typed, if the evidence has it; else the first, so the
        # result does not depend on set order), so an auditor can match it against the event's masked samples
        typed = match.group(0)
        spellings = by_key.get(typed.casefold(), {typed})
        return _masked_text(typed if typed in spellings else sorted(spellings)[0])

    masked, count = pattern.subn(mask, reason)
    return masked, count > 0


def audit_reason(reason: str, values: Iterable[str], codes: Iterable[str] = (), *, raw: bool) -> dict[str, Any]:
    """The reason's part of an audit event: as typed when ``raw``, else masked (with ``reason_masked``/``reason_sha256``)."""
    if raw:
        return {"reason": reason}
    masked, changed = mask_reason_values(reason, values, codes)
    if not changed:  # nothing quoted: the event reads as before
        return {"reason": reason}
    return {"reason": masked, "reason_masked": True, "reason_sha256": value_digest(reason)}
