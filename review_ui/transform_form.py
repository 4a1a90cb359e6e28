"""HTML form inputs for a transform, generated from the closed vocabulary's pydantic models.

Each op's parameters become inputs by their type: ``str`` -> text, ``bool`` -> checkbox,
``int``/``float`` -> number, ``Literal`` -> select, ``tuple[str, ...]`` -> a textarea with
one value per line, ``dict[str, ...]`` (a value map) -> a textarea of ``key = value`` lines,
anything else (a constant's value, a pipeline's steps) -> a JSON textarea. The submitted
form is turned back into JSON and checked by ``tools.transforms.parse_transform``; nothing
typed is ever evaluated.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from tools.transforms import ALL_OPS, parse_transform
from tools.transforms import spec as transform_spec

Widget = Literal["text", "checkbox", "number", "select", "lines", "pairs", "json"]

# Words a reviewer needs next to a parameter; the rest explain themselves by name.
HELP: dict[str, str] = {
    "format": "strptime format, e.g. %d/%m/%Y or %Y-%m-%d %H:%M",
    "date_format": "strptime format of the date source, e.g. %d/%m/%Y",
    "time_format": "strptime format of the time source, e.g. %H:%M or %H%M",
    "timezone": "IANA time zone name, e.g. Europe/London",
    "century_pivot": "two-digit years below this are 20yy, others 19yy",
    "null_values": "source values meaning 'no value', one per line (e.g. N/A)",
    "mapping": "one 'source value = target value' per line; quote with \"...\" when a value has '=' or looks like a number",
    "true_values": "one per line", "false_values": "one per line",
    "value": "JSON: \"text\", 12, true or null",
    "steps": "JSON list of steps, e.g. [{\"op\": \"text\", \"case\": \"upper\"}]",
    "thousands_separator": "leave empty for none",
}


@dataclass(frozen=True)
class FormInput:
    """One parameter input of an op's fieldset."""

    name: str  # the form field's name: p_<op>_<parameter>
    param: str
    label: str
    widget: Widget
    value: str = ""
    checked: bool = False
    choices: tuple[str, ...] = ()
    required: bool = False
    optional: bool = False  # None allowed: an empty input means "none"
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    help: str = ""


@dataclass(frozen=True)
class OpFieldset:
    """Every input of one op, and the op's own description."""

    op: str
    title: str
    description: str
    inputs: tuple[FormInput, ...]
    arity: str


@dataclass
class TransformFormResult:
    """A submitted transform: its JSON (when valid) and what is wrong with it otherwise."""

    op: str
    transform: dict[str, Any] | None
    errors: list[str] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # what was typed, to fill the form again


def op_models() -> dict[str, type[BaseModel]]:
    """Every op of the vocabulary by name (the order of ``ALL_OPS``)."""
    classes = typing.get_args(typing.get_args(transform_spec.TransformSpec)[0])
    by_name = {cls.model_fields["op"].default: cls for cls in classes}
    return {op: by_name[op] for op in ALL_OPS}


_MODELS = op_models()


def input_name(op: str, param: str) -> str:
    return f"p_{op}_{param}"


def _widget(annotation: Any) -> tuple[Widget, tuple[str, ...], bool, bool]:
    """(widget, choices, optional, integer) for a parameter's type annotation."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) == 1:
            annotation, origin = args[0], typing.get_origin(args[0])
    if origin is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
        origin = typing.get_origin(annotation)
    if origin is Literal:
        return "select", tuple(str(a) for a in typing.get_args(annotation)), optional, False
    if annotation is bool:
        return "checkbox", (), optional, False
    if annotation in (int, float):
        return "number", (), optional, annotation is int
    if annotation is str:
        return "text", (), optional, False
    args = typing.get_args(annotation)
    if origin in (tuple, list) and args and args[0] is str:
        return "lines", (), optional, False
    if origin is dict and args and args[0] is str:
        return "pairs", (), optional, False
    return "json", (), optional, False


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    low = next((m.ge for m in metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in metadata if hasattr(m, "le")), None)
    return low, high


def _plain_text(value: Any) -> str:
    """A map value as typed: bare text unless it would read back as something else."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return value if value == value.strip() and not value.startswith('"') else json.dumps(value, ensure_ascii=False)
        return json.dumps(value, ensure_ascii=False)  # "12", "true", "null" stay strings
    return json.dumps(value, ensure_ascii=False)


def _pair_key(key: str) -> str:
    if "=" in key or key != key.strip() or key.startswith(('"', "#")) or not key:
        return json.dumps(key, ensure_ascii=False)
    return key


def _shown(widget: Widget, value: Any) -> str:
    """A parameter's current value as the input's text."""
    if value is None or value is PydanticUndefined:
        return ""
    if widget == "lines":
        return "\n".join(str(v) for v in value)
    if widget == "pairs":
        return "\n".join(f"{_pair_key(str(k))} = {_plain_text(v)}" for k, v in dict(value).items())
    if widget == "json":
        return json.dumps(value, ensure_ascii=False, indent=1 if isinstance(value, (list, dict)) else None)
    return str(value)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _arity_text(model: type[BaseModel], current: dict[str, Any] | None) -> str:
    """How many source fields the op takes, in words (from the current transform when it is valid)."""
    try:
        instance: Any = parse_transform(current) if current else model.model_construct()
        low, high = instance.arity
    except (ValidationError, AttributeError, IndexError):  # a pipeline without steps has no arity yet
        return ""
    if high is None:
        return f"{low} or more source fields" if low else "any number of source fields"
    if low == high:
        return f"{low} source field" + ("s" if low != 1 else "")
    return f"{low} to {high} source fields"


def fieldset(op: str, current: Mapping[str, Any] | None = None, typed: Mapping[str, str] | None = None) -> OpFieldset:
    """The inputs of ``op``, filled from ``typed`` (a re-shown form), else ``current`` (a transform), else defaults."""
    model = _MODELS[op]
    values = dict(current) if current and current.get("op") == op else {}
    inputs: list[FormInput] = []
    # typed values of another op (the form before "Change operation") do not apply here
    own_input = typed is not None and any(key.startswith(f"p_{op}_") for key in typed)
    for param, info in model.model_fields.items():
        if param == "op":
            continue
        widget, choices, optional, integer = _widget(info.annotation)
        name = input_name(op, param)
        value = values.get(param, info.default)
        low, high = _bounds(info.metadata)
        shown = _shown(widget, value)
        checked = bool(value) if widget == "checkbox" and value is not PydanticUndefined else False
        if own_input:  # the person's own input wins, even when invalid, so nothing is lost
            shown = typed.get(name, "")  # type: ignore[union-attr]
            checked = name in typed  # type: ignore[operator]
        inputs.append(FormInput(name=name, param=param, label=_title(param), widget=widget, value=shown, checked=checked,
                                choices=choices, required=info.is_required(), optional=optional, minimum=low, maximum=high,
                                integer=integer, help=HELP.get(param, "")))
    doc = (model.__doc__ or "").strip()
    description = " ".join(doc.split("\n\n")[0].split()).replace("``", "")  # RST quoting reads oddly on a page
    return OpFieldset(op=op, title=_title(op), description=description, inputs=tuple(inputs),
                      arity=_arity_text(model, values or None))


def all_fieldsets(current: Mapping[str, Any] | None, chosen: str, typed: Mapping[str, str] | None = None) -> list[OpFieldset]:
    """One fieldset per op; only ``chosen`` carries the typed values (the others start from defaults)."""
    return [fieldset(op, current, typed if op == chosen else None) for op in ALL_OPS]


def _parse_pairs(text: str) -> dict[str, Any]:
    """``key = value`` lines into a mapping; keys and values may be JSON-quoted."""
    mapping: dict[str, Any] = {}
    decoder = json.JSONDecoder()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            try:
                key, end = decoder.raw_decode(line)
            except ValueError:
                raise ValueError(f"line {number}: the quoted source value is not closed") from None
            rest = line[end:].lstrip()
            if not rest.startswith("="):
                raise ValueError(f"line {number}: expected '=' after the source value")
            value_text = rest[1:].strip()
        else:
            if "=" not in line:
                raise ValueError(f"line {number}: expected 'source value = target value'")
            key, value_text = (part.strip() for part in line.split("=", 1))
        if str(key) in mapping:
            raise ValueError(f"line {number}: source value {key!r} is mapped twice")
        mapping[str(key)] = _parse_value(value_text)
    return mapping


def _parse_value(text: str) -> Any:
    """A map's target value: JSON when it reads as JSON (true, 3, "12", null), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _raw_value(item: FormInput, text: str, present: bool) -> Any:
    if item.widget == "checkbox":
        return present
    if item.widget == "number":
        if not text.strip():
            return None if item.optional else PydanticUndefined
        try:
            return int(text) if item.integer else float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a {'whole ' if item.integer else ''}number") from None
    if item.widget == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if item.widget == "pairs":
        return _parse_pairs(text)
    if item.widget == "json":
        if not text.strip():
            return PydanticUndefined
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if item.widget in ("text", "select") and not text:
        # empty: "none" when the parameter allows it, "required" when it has no default;
        # an empty select takes the default, an empty text is meant (a join without separator)
        if item.optional:
            return None
        return PydanticUndefined if item.required or item.widget == "select" else ""
    return text


def parse_form(form: Mapping[str, str], op: str) -> TransformFormResult:
    """The transform the form describes for ``op``, validated by the vocabulary itself."""
    if op not in _MODELS:
        return TransformFormResult(op=op, transform=None, errors=[f"unknown operation {op!r}"])
    raw: dict[str, Any] = {"op": op}
    typed: dict[str, str] = {}
    errors: list[str] = []
    for item in fieldset(op).inputs:
        text = form.get(item.name)
        if text is not None:
            typed[item.name] = text
        try:
            value = _raw_value(item, text or "", text is not None)
        except ValueError as exc:
            errors.append(f"{item.label}: {exc}")
            continue
        if value is not PydanticUndefined:
            raw[item.param] = value
    if errors:
        return TransformFormResult(op=op, transform=None, errors=errors, raw=typed)
    try:
        parsed = parse_transform(raw)
    except ValidationError as exc:
        return TransformFormResult(op=op, transform=None, errors=[_readable(e) for e in exc.errors()], raw=typed)
    return TransformFormResult(op=op, transform=parsed.model_dump(mode="json"), raw=typed)


def _readable(error: Mapping[str, Any]) -> str:
    """A pydantic error as one line naming the parameter."""
    where = [str(p) for p in error.get("loc", ()) if str(p) not in _MODELS]
    label = _title(where[0]) if where else "Transform"
    detail = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    rest = f" ({'.'.join(where[1:])})" if len(where) > 1 else ""
    return f"{label}{rest}: {detail}"
