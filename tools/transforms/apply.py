"""The per-row reference engine: blank handling, dispatch by op, and pipelines.

Every other engine is checked against this one. One call handles one row's values for
one target field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from tools.transforms.code_ops import map_value, to_boolean
from tools.transforms.datetime_ops import combine_date_time, parse_date, parse_datetime, parse_time
from tools.transforms.geo_ops import bng_to_wgs84
from tools.transforms.identifier_ops import ni_number, nhs_number, postcode, vrm
from tools.transforms.name_ops import split_name
from tools.transforms.number_ops import to_integer, to_number
from tools.transforms.phone_ops import phone
from tools.transforms.serial_ops import epoch_to_datetime, excel_serial_date
from tools.transforms.source_values import as_text, is_number
from tools.transforms.spec import (
    BngToWgs84,
    CombineDateTime,
    Constant,
    Copy,
    EpochToDateTime,
    ExcelSerialDate,
    Join,
    NhsNumber,
    NiNumber,
    ParseDate,
    ParseDateTime,
    ParseTime,
    Phone,
    Pipeline,
    Postcode,
    SplitName,
    Text,
    ToBoolean,
    ToInteger,
    ToNumber,
    ValueMap,
    Vrm,
)
from tools.transforms.text_ops import clean_text, copy_value, join_values

# Ops that take one value (never None: blanks are handled before dispatch).
_SINGLE: dict[type, Callable[[Any, Any], Any]] = {
    Copy: copy_value,
    Text: clean_text,
    ToInteger: to_integer,
    ToNumber: to_number,
    ToBoolean: to_boolean,
    ParseDate: parse_date,
    ParseDateTime: parse_datetime,
    ParseTime: parse_time,
    EpochToDateTime: epoch_to_datetime,
    ExcelSerialDate: excel_serial_date,
    SplitName: split_name,
    ValueMap: map_value,
    Postcode: postcode,
    Vrm: vrm,
    Phone: phone,
    NhsNumber: nhs_number,
    NiNumber: ni_number,
}

# Ops that take all their values; a blank one arrives as None.
_SEVERAL: dict[type, Callable[[Any, Sequence[Any]], Any]] = {
    Join: join_values,
    CombineDateTime: combine_date_time,
    BngToWgs84: bng_to_wgs84,
}


def apply_transform(spec: Any, values: Sequence[Any]) -> Any:
    """The transformed value for one row, or None to leave the target absent.

    Raises ``TransformValueError`` (with a reason naming the value) when a value cannot
    be transformed, and ``TypeError`` when the number of values does not suit the op
    (a mapping error that validation should already have caught).
    """
    if isinstance(spec, Pipeline):
        return _apply_pipeline(spec, values)
    _check_arity(spec, values)
    if isinstance(spec, Constant):
        return spec.value
    inputs = [None if is_blank(v, spec.null_values) else v for v in values]
    if all(v is None for v in inputs):
        return None
    single = _SINGLE.get(type(spec))
    if single is not None:
        return single(spec, inputs[0])
    several = _SEVERAL.get(type(spec))
    if several is None:
        raise TypeError(f"no Python implementation for transform op {getattr(spec, 'op', spec)!r}")
    return several(spec, inputs)


def is_blank(value: Any, null_values: Sequence[str] = ()) -> bool:
    """None, white space only, or one of ``null_values`` (trimmed, case-insensitive).

    Numbers and booleans are compared by their text ('-1', 'true'), so a null value
    written as '-1' also catches a JSON -1. Dates, lists and objects are never blank.
    """
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return True
    elif isinstance(value, bool) or is_number(value):
        text = as_text(value)
    else:
        return False
    return bool(null_values) and text.lower() in _folded(tuple(null_values))


@lru_cache(maxsize=256)
def _folded(null_values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in null_values)


def _apply_pipeline(spec: Pipeline, values: Sequence[Any]) -> Any:
    """The first step takes all inputs, each later one the previous output; None stops it."""
    inputs = [None if is_blank(v, spec.null_values) else v for v in values]
    result = apply_transform(spec.steps[0], inputs)
    for step in spec.steps[1:]:
        if result is None:
            return None
        result = apply_transform(step, [result])
    return result


def _check_arity(spec: Any, values: Sequence[Any]) -> None:
    low, high = spec.arity
    if len(values) < low or (high is not None and len(values) > high):
        want = f"{low}" if low == high else f"{low} or more" if high is None else f"{low} to {high}"
        raise TypeError(f"transform {spec.op!r} takes {want} value(s), got {len(values)}")
