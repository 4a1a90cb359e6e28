"""Helpers shared by the family modules: building records and transforms."""

from __future__ import annotations

from typing import Any

from evals.case_builders.model import TrueField


def put(record: dict[str, Any], pointer: str, value: Any) -> None:
    """Set ``pointer`` in a nested record, leaving it absent when ``value`` is None."""
    if value is None:
        return
    parts = pointer.strip("/").split("/")
    node = record
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def build(values: dict[str, Any]) -> dict[str, Any]:
    """A nested record from ``{pointer: value}`` (None values are left out), in the given order."""
    record: dict[str, Any] = {}
    for pointer, value in values.items():
        put(record, pointer, value)
    return record


def tf(target: str, sources: list[str] | str, transform: dict[str, Any], rationale: str = "") -> TrueField:
    """A truth entry; ``sources`` may be one name."""
    return TrueField(target, [sources] if isinstance(sources, str) else list(sources), transform, rationale)


# Transform specs (JSON form of tools.transforms.spec) used by the true mappings.
def text(case: str = "keep") -> dict[str, Any]:
    return {"op": "text"} if case == "keep" else {"op": "text", "case": case}


def integer() -> dict[str, Any]:
    return {"op": "to_integer"}


def number(decimal_comma: bool = False) -> dict[str, Any]:
    return {"op": "to_number", "decimal_comma": True} if decimal_comma else {"op": "to_number"}


def boolean(true: list[str] | None = None, false: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"op": "to_boolean"}
    if true is not None:
        spec["true_values"] = true
    if false is not None:
        spec["false_values"] = false
    return spec


def date(fmt: str, pivot: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"op": "parse_date", "format": fmt}
    if pivot is not None:
        spec["century_pivot"] = pivot
    return spec


def date_time(fmt: str) -> dict[str, Any]:
    return {"op": "parse_datetime", "format": fmt, "timezone": "Europe/London"}


def combine(date_fmt: str, time_fmt: str, missing_time: str = "error") -> dict[str, Any]:
    spec: dict[str, Any] = {"op": "combine_date_time", "date_format": date_fmt, "time_format": time_fmt,
                            "timezone": "Europe/London"}
    if missing_time != "error":
        spec["missing_time"] = missing_time
    return spec


def time_of_day(fmt: str) -> dict[str, Any]:
    return {"op": "parse_time", "format": fmt}


def split(order: str, part: str) -> dict[str, Any]:
    return {"op": "split_name", "order": order, "part": part}


def vmap(mapping: dict[str, Any], on_unmapped: str = "error") -> dict[str, Any]:
    spec: dict[str, Any] = {"op": "value_map", "mapping": mapping}
    if on_unmapped != "error":
        spec["on_unmapped"] = on_unmapped
    return spec


def postcode(space: bool = True) -> dict[str, Any]:
    return {"op": "postcode", "space": space}


def vrm(space: bool = False) -> dict[str, Any]:
    return {"op": "vrm", "space": space}


def phone() -> dict[str, Any]:
    return {"op": "phone", "default_region": "GB"}


def nhs(style: str = "digits") -> dict[str, Any]:
    return {"op": "nhs_number", "style": style}


def bng(output: str) -> dict[str, Any]:
    return {"op": "bng_to_wgs84", "output": output, "decimals": 6}


def epoch(unit: str = "ms") -> dict[str, Any]:
    return {"op": "epoch_to_datetime", "unit": unit, "timezone": "Europe/London"}


def excel(output: str = "date") -> dict[str, Any]:
    return {"op": "excel_serial_date", "output": output, "timezone": "Europe/London"}


def join(separator: str = " ") -> dict[str, Any]:
    return {"op": "join", "separator": separator}


def pipeline(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"op": "pipeline", "steps": list(steps)}
