"""What the LLM may answer for the rerank task, and the checks that keep it inside the offer.

The model is a plain pydantic model (its JSON Schema is sent as the strict
``json_schema`` response format, or written into the prompt in ``json_object`` mode).
Validation is given the offers of the request as context (``model_validate_json(...,
context={"offers": ...})``), so an answer naming a field, target, transform op or code
value that was not offered fails validation like malformed JSON does: the client
retries once with the error and then gives up. The LLM's text is only ever parsed as
JSON and checked; nothing in it is evaluated.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from tools.transforms import ALL_OPS, parse_transform

NONE_TARGET = "none"
KEEP_TRANSFORM = "keep"
# Ops the LLM may propose: every op of the vocabulary but 'constant', which would write a
# value that comes from the model rather than from the source.
ALLOWED_OPS: tuple[str, ...] = tuple(op for op in ALL_OPS if op != "constant")


class FieldOffer(BaseModel):
    """One hard field as offered to the LLM: the only things an answer about it may name."""

    id: str
    target: str = Field(description="The deterministic top candidate")
    sources: list[str]
    op: str = Field(description="The deterministic transform's op")
    candidates: dict[str, list[Any] | None] = Field(description="Offered target pointer -> its enum (None: no enum)")
    unplaced: list[str] = Field(default_factory=list, description="Code values the value map could not place")
    hard_because: list[str] = Field(default_factory=list)


class ValueMapEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_value: str
    target_value: str


class FieldSuggestion(BaseModel):
    """The LLM's answer about one offered field."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="The field's id from the DATA block")
    target: str = Field(description="One of the field's candidate pointers, or 'none'")
    transform: str = Field(description="'keep', or a JSON object text of a transform using the allowed ops")
    value_map: list[ValueMapEntry] = Field(description="Places for the field's unplaced values only")
    rationale: str = Field(description="One or two sentences for a supervisor")

    @model_validator(mode="after")
    def _within_offer(self, info: ValidationInfo) -> "FieldSuggestion":
        offers: dict[str, FieldOffer] = (info.context or {}).get("offers") or {}
        if not offers:
            return self  # no context: a structural check only (e.g. reading a cached answer back)
        offer = offers.get(self.id)
        if offer is None:
            raise ValueError(f"id {self.id!r} is not one of the offered fields {sorted(offers)}")
        if self.target != NONE_TARGET and self.target not in offer.candidates:
            raise ValueError(f"target {self.target!r} of {self.id} is not among its candidates {sorted(offer.candidates)} or 'none'")
        suggested_transform(self.transform)
        enum = offer.candidates.get(self.target) or []
        allowed = {str(v) for v in enum}
        for entry in self.value_map:
            if entry.source_value not in offer.unplaced:
                raise ValueError(f"value_map of {self.id}: {entry.source_value!r} is not one of its unplaced values")
            if entry.target_value not in allowed:
                raise ValueError(f"value_map of {self.id}: {entry.target_value!r} is not an enum value of {self.target}")
        return self


class RerankAnswer(BaseModel):
    """The whole answer to one rerank request."""

    model_config = ConfigDict(extra="forbid")

    fields: list[FieldSuggestion]

    @model_validator(mode="after")
    def _one_answer_per_field(self) -> "RerankAnswer":
        ids = [f.id for f in self.fields]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"fields answered more than once: {twice}")
        return self


def suggested_transform(text: str) -> Any | None:
    """The transform spec an answer proposes (None for 'keep'); ValueError when outside the vocabulary."""
    if text.strip().lower() == KEEP_TRANSFORM:
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"transform is neither 'keep' nor a JSON object ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise ValueError("transform must be 'keep' or a JSON object")
    if raw.get("op") not in ALLOWED_OPS or _ops_inside(raw) - set(ALLOWED_OPS):
        raise ValueError(f"transform op {raw.get('op')!r} is not one of the allowed ops {list(ALLOWED_OPS)}")
    try:
        return parse_transform(raw)
    except ValidationError as exc:
        raise ValueError(f"transform does not validate: {error_text(exc)}") from None


def _ops_inside(raw: dict[str, Any]) -> set[str]:
    """Every op named in a (pipeline) spec, so a forbidden op cannot hide in a step."""
    steps = raw.get("steps")
    found = {str(raw.get("op"))}
    if isinstance(steps, list):
        for step in steps:
            if isinstance(step, dict):
                found |= _ops_inside(step)
    return found


def error_text(exc: ValidationError, limit: int = 8) -> str:
    """A short description of validation errors, without echoing the input."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:limit]:
        loc = ".".join(str(p) for p in error["loc"]) or "answer"
        parts.append(f"{loc}: {error['msg']}")
    return "; ".join(parts)


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema made acceptable to strict structured output:
    every object closed (additionalProperties false) and every property required."""
    schema = model.model_json_schema()

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
                for prop in node["properties"].values():
                    if isinstance(prop, dict):
                        prop.pop("default", None)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema
