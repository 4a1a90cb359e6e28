"""The error model of a quarantined row, shared by both engines.

A reject line carries ``errors``: one object per problem with the target field pointer
(or null for a broken row), the source fields and raw value(s) behind it, the stage that
found it (``read``, ``transform`` or ``schema``) and a reason. Each error also has a
short *kind* (not written to the file) that the summary counts by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Literal

from jsonschema.exceptions import ValidationError

from tools.engines.plan import ApplyPlan, raw_value
from tools.json_pointer import make_pointer
from tools.transforms import reasons

Stage = Literal["read", "transform", "schema"]
STAGE_ORDER: dict[str, int] = {"read": 0, "transform": 1, "schema": 2}

# Order of schema errors for one field, so both engines list them alike.
KEYWORD_ORDER: tuple[str, ...] = (
    "type", "enum", "const", "pattern", "format", "minLength", "maxLength",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "required", "dependentRequired", "additionalProperties",
)

SCHEMA_KINDS: dict[str, str] = {
    "type": "wrong type",
    "enum": "not an allowed value",
    "const": "not the required constant",
    "pattern": "does not match the pattern",
    "minLength": "too short",
    "maxLength": "too long",
    "minimum": "below the minimum",
    "maximum": "above the maximum",
    "exclusiveMinimum": "not above the exclusive minimum",
    "exclusiveMaximum": "not below the exclusive maximum",
    "multipleOf": "not a multiple of the step",
    "required": "required but missing",
    "dependentRequired": "required by another field",
    "additionalProperties": "not a field of the target schema",
}


@dataclass(frozen=True, slots=True)
class RecordError:
    """One problem with one row."""

    field: str | None
    sources: tuple[str, ...]
    value: Any
    stage: Stage
    reason: str
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "sources": list(self.sources), "value": self.value, "stage": self.stage, "reason": self.reason}


def schema_kind(keyword: str, format_name: str | None = None) -> str:
    """The summary kind of a schema error."""
    if keyword == "format":
        return f"not a valid {format_name}"
    return SCHEMA_KINDS.get(keyword, keyword)


def keyword_rank(keyword: str) -> int:
    return KEYWORD_ORDER.index(keyword) if keyword in KEYWORD_ORDER else len(KEYWORD_ORDER)


def read_error(reason: str) -> RecordError:
    return RecordError(None, (), None, "read", reason, first_clause(reason))


def first_clause(reason: str) -> str:
    """The text up to the first ':', ';' or ' (' - enough to group similar reasons."""
    return re.split(r":|;| \(", reason, maxsplit=1)[0].strip() or reason


@lru_cache(maxsize=8192)
def transform_kind(reason: str) -> str:
    """A reason with the offending value taken out: "is not a valid date for format '%d/%m/%Y'".

    The reason is matched against the templates in ``tools.transforms.reasons``; the
    ``{value}`` field is dropped, other fields keep the text they matched, and anything
    from the first ' (' or ';' on (lists of known values, hints) is cut.
    """
    for template, pattern in _templates():
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        filled = template
        for name, text in found.groupdict().items():
            filled = filled.replace("{" + name + "}", "" if name == "value" else text)
        return " ".join(re.split(r";| \(", filled, maxsplit=1)[0].split())
    return first_clause(reason)


@lru_cache(maxsize=1)
def _templates() -> list[tuple[str, re.Pattern[str]]]:
    found: list[tuple[str, re.Pattern[str]]] = []
    for name in dir(reasons):
        template = getattr(reasons, name)
        if not (name.isupper() and isinstance(template, str) and "{" in template):
            continue
        pieces = re.split(r"\{(\w+)\}", template)
        regex = ""
        seen: set[str] = set()
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                regex += re.escape(piece)
            elif piece in seen:
                regex += "(?:.*)"
            else:
                seen.add(piece)
                regex += f"(?P<{piece}>.*)"
        found.append((template, re.compile(regex, re.DOTALL)))
    # Longer literal text first, so a specific template wins over a general one.
    found.sort(key=lambda item: -len(re.sub(r"\{\w+\}", "", item[0])))
    return found


def schema_errors(
    errors: Iterable[ValidationError], plan: ApplyPlan, values_of: dict[str, Any], failed: set[str]
) -> list[RecordError]:
    """jsonschema errors as record errors, each named by the field pointer it concerns.

    ``values_of`` holds the row's raw source values; ``failed`` the targets whose transform
    already failed: a 'required' error on them (or on a section they alone would fill) only
    restates that failure, so it is left out.
    """
    found: list[tuple[tuple[int, str], int, RecordError]] = []
    for error in _flatten(errors):
        keyword = str(error.validator)
        for pointer in _pointers(error):
            if keyword in ("required", "dependentRequired") and _covers_failed(pointer, failed):
                continue
            sources, owner = plan.owner(pointer)
            value = raw_value([values_of.get(s) for s in owner.sources]) if owner else None
            fmt = error.validator_value if keyword == "format" else None
            record_error = RecordError(pointer, sources, value, "schema", error.message, schema_kind(keyword, fmt))
            found.append((plan.rank(pointer), keyword_rank(keyword), record_error))
    found.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in found]


def _flatten(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """A null-union anyOf/oneOf error stands for the errors of its real branch.

    ``{"anyOf": [{...}, {"type": "null"}]}`` fails as a whole at the object that holds it;
    the branch errors name the field that actually failed, as the SQL checks do.
    """
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            real = [e for e in error.context if not (e.validator == "type" and e.validator_value in ("null", ["null"]))]
            if real:
                yield from _flatten(real)
                continue
        yield error


def _covers_failed(pointer: str, failed: set[str]) -> bool:
    prefix = pointer + "/"
    return any(t == pointer or t.startswith(prefix) for t in failed)


def _pointers(error: ValidationError) -> list[str]:
    """The field(s) an error is about: its instance path, plus the property it names."""
    base = [str(p) for p in error.absolute_path]
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        names = [n for n in error.validator_value if n not in instance and error.message == f"{n!r} is a required property"]
        return [make_pointer(base + [names[0]])] if names else [make_pointer(base)]
    if error.validator == "dependentRequired" and isinstance(instance, dict):
        missing = [
            dep for prop, deps in error.validator_value.items() if prop in instance
            for dep in deps if dep not in instance and error.message == f"{dep!r} is a dependency of {prop!r}"
        ]
        return [make_pointer(base + [missing[0]])] if missing else [make_pointer(base)]
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        patterns = error.schema.get("patternProperties", {}) if isinstance(error.schema, dict) else {}
        extra = [k for k in instance if k not in known and not any(re.search(p, k) for p in patterns)]
        return [make_pointer(base + [k]) for k in extra] or [make_pointer(base)]
    return [make_pointer(base)]


def sort_errors(errors: list[RecordError], plan: ApplyPlan) -> list[RecordError]:
    """Read errors first, then transform errors in field order, then schema errors."""
    return sorted(errors, key=lambda e: (STAGE_ORDER[e.stage], plan.rank(e.field)))
