"""The proposal / mapping document (see shared design.md, "Contracts").

A proposal written by ``crosswalk propose`` and a hand-written mapping are the same
document. Extra keys are allowed and kept, so other tools can annotate it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from tools.errors import MappingError
from tools.json_pointer import parse_pointer
from tools.transforms.spec import TransformSpec

Status = Literal["auto_accepted", "needs_review", "approved", "rejected"]
APPLIED_STATUSES: frozenset[str] = frozenset({"auto_accepted", "approved"})
DOCUMENT_VERSION = "1"


class FieldMapping(BaseModel):
    """One target field: where its value comes from and how it is transformed."""

    model_config = ConfigDict(extra="allow")

    target: str = Field(description="JSON Pointer to a leaf of the target record, e.g. /person/family_name")
    sources: list[str] = Field(description="Source column names (JSON Pointers for nested JSON input), in the order the transform takes them")
    transform: TransformSpec = Field(description="The declarative value transform")
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    status: Status = "approved"
    rationale: str = ""
    review_reasons: list[str] = Field(default_factory=list, description="Why a person must look at this field")

    @field_validator("target")
    @classmethod
    def _target_is_pointer(cls, value: str) -> str:
        parse_pointer(value)
        if value == "":
            raise ValueError("target must point below the record root")
        return value

    def applies(self, include_pending: bool) -> bool:
        if self.status in APPLIED_STATUSES:
            return True
        return include_pending and self.status == "needs_review"


class SourceDescription(BaseModel):
    """How the source was read, so the same mapping reads the next file the same way."""

    model_config = ConfigDict(extra="allow")

    path: str | None = None
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sha256: str | None = None
    fields: list[str] = Field(default_factory=list)


class TargetDescription(BaseModel):
    model_config = ConfigDict(extra="allow")

    path: str | None = None
    sha256: str | None = None
    id: str | None = None


class MappingDocument(BaseModel):
    """A whole proposal or mapping: every target field, and the source fields left unmapped."""

    model_config = ConfigDict(extra="allow")

    document_version: str = DOCUMENT_VERSION
    fields: list[FieldMapping]
    unmapped_sources: list[str] = Field(default_factory=list)
    unmapped_reasons: dict[str, str] = Field(default_factory=dict)
    source: SourceDescription | None = None
    target_schema: TargetDescription | None = None
    timezone: str = Field(default="Europe/London", description="Time zone of naive local times in the source")

    def applied_fields(self, include_pending: bool = False) -> list[FieldMapping]:
        return [f for f in self.fields if f.applies(include_pending)]

    def canonical_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def load_mapping(path: str | Path) -> MappingDocument:
    """Read and validate a mapping document, with a one-line error naming what is wrong."""
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(str(p), "file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(str(p), f"not valid JSON ({exc})") from None
    return parse_mapping(raw, origin=str(p))


def parse_mapping(raw: Any, *, origin: str = "<mapping>") -> MappingDocument:
    try:
        doc = MappingDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = "/".join(str(part) for part in first["loc"])
        target = None
        if first["loc"][:1] == ("fields",) and len(first["loc"]) > 1 and isinstance(raw, dict):
            try:
                target = raw["fields"][first["loc"][1]].get("target")
            except (IndexError, KeyError, TypeError, AttributeError):
                target = None
        raise MappingError(origin, f"{loc}: {first['msg']} ({exc.error_count()} problem(s) in all)", target=target) from None
    seen: set[str] = set()
    for field in doc.fields:
        if field.status == "rejected":
            continue
        if field.target in seen:
            raise MappingError(origin, "two active mappings write the same target", target=field.target)
        seen.add(field.target)
        low, high = field.transform.arity
        if len(field.sources) < low or (high is not None and len(field.sources) > high):
            want = f"{low}" if low == high else f"{low} to {high if high is not None else 'any'}"
            raise MappingError(origin, f"transform {field.transform.op!r} takes {want} source field(s), got {len(field.sources)}", target=field.target)
    return doc


def mapping_json_schema() -> dict[str, Any]:
    """The JSON Schema of the mapping document (checked in as schemas/mapping.schema.json)."""
    return TypeAdapter(MappingDocument).json_schema(mode="validation")
