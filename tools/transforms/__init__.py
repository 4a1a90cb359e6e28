"""Declarative value transforms: the vocabulary (``spec``) and the per-row reference engine.

``apply_transform(spec, values)`` gives one row's value for one target field (None
leaves it absent) or raises ``TransformValueError`` with a reason naming the value.
Reason texts live in ``tools.transforms.reasons`` so other engines can match them.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from tools.transforms.apply import apply_transform, is_blank
from tools.transforms.spec import (
    ALL_OPS,
    DEFAULT_FALSE,
    DEFAULT_TRUE,
    BngToWgs84,
    CombineDateTime,
    Constant,
    Copy,
    EpochToDateTime,
    ExcelSerialDate,
    Join,
    NhsNumber,
    NiNumber,
    OutputType,
    ParseDate,
    ParseDateTime,
    ParseTime,
    Phone,
    Pipeline,
    Postcode,
    SplitName,
    StepSpec,
    Text,
    ToBoolean,
    ToInteger,
    ToNumber,
    TransformSpec,
    ValueMap,
    Vrm,
)

_ADAPTER: TypeAdapter[Any] = TypeAdapter(TransformSpec)


def parse_transform(raw: Any) -> Any:
    """A transform spec from its JSON form, e.g. ``{"op": "to_integer"}`` (pydantic errors on bad input)."""
    return _ADAPTER.validate_python(raw)


__all__ = [
    "ALL_OPS",
    "DEFAULT_FALSE",
    "DEFAULT_TRUE",
    "BngToWgs84",
    "CombineDateTime",
    "Constant",
    "Copy",
    "EpochToDateTime",
    "ExcelSerialDate",
    "Join",
    "NhsNumber",
    "NiNumber",
    "OutputType",
    "ParseDate",
    "ParseDateTime",
    "ParseTime",
    "Phone",
    "Pipeline",
    "Postcode",
    "SplitName",
    "StepSpec",
    "Text",
    "ToBoolean",
    "ToInteger",
    "ToNumber",
    "TransformSpec",
    "ValueMap",
    "Vrm",
    "apply_transform",
    "is_blank",
    "parse_transform",
]
