"""What both engines apply: the active fields of a mapping, checked against the source.

The plan is engine-neutral. It fixes the order fields are applied in (mapping order),
the nesting of the record they build, and who "owns" a target pointer when an error
has to name the sources and raw values behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from tools.errors import MappingError
from tools.json_pointer import parse_pointer
from tools.mapping import MappingDocument
from tools.transforms.spec import TransformSpec


@dataclass(frozen=True)
class PlannedField:
    """One applied field: where it comes from, how it is transformed, where it goes."""

    index: int
    target: str
    parts: tuple[str, ...]
    sources: tuple[str, ...]
    spec: TransformSpec


@dataclass
class RecordNode:
    """An object of the record being built: children in first-mapped order."""

    children: dict[str, Union["RecordNode", PlannedField]] = field(default_factory=dict)

    def leaves(self) -> list[PlannedField]:
        found: list[PlannedField] = []
        for child in self.children.values():
            found.extend(child.leaves() if isinstance(child, RecordNode) else [child])
        return found


@dataclass
class ApplyPlan:
    """The fields an apply run writes, in mapping order, and the record shape they make."""

    fields: list[PlannedField]
    source_fields: list[str]
    root: RecordNode

    def owner(self, pointer: str) -> tuple[tuple[str, ...], PlannedField | None]:
        """Sources behind ``pointer`` and the field that writes exactly it (if any).

        For an object pointer the sources of every field under it are listed, so a
        'required' error on a missing section still says which columns fed it.
        """
        exact = next((f for f in self.fields if f.target == pointer), None)
        if exact is not None:
            return exact.sources, exact
        prefix = pointer + "/"
        sources: list[str] = []
        for f in self.fields:
            if f.target.startswith(prefix):
                sources.extend(s for s in f.sources if s not in sources)
        return tuple(sources), None

    def rank(self, pointer: str | None) -> tuple[int, str]:
        """Sort key placing a pointer's errors beside the field (or section) it belongs to."""
        if pointer is None:
            return (-1, "")
        prefix = pointer + "/"
        for f in self.fields:
            if f.target == pointer or f.target.startswith(prefix):
                return (f.index, pointer)
        return (len(self.fields), pointer)


def raw_value(values: list[Any]) -> Any:
    """The raw input(s) an error quotes: one value bare, several as a list, none as null."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return list(values)


def build_plan(doc: MappingDocument, source_fields: list[str], *, include_pending: bool, origin: str) -> ApplyPlan:
    """The applied fields of ``doc``; a source column the file lacks is a MappingError."""
    available = set(source_fields)
    planned: list[PlannedField] = []
    for mapped in doc.applied_fields(include_pending):
        missing = [s for s in mapped.sources if s not in available]
        if missing:
            raise MappingError(
                origin,
                f"source field {missing[0]!r} is not in the source (it has {len(source_fields)} fields)",
                target=mapped.target,
            )
        planned.append(
            PlannedField(
                index=len(planned),
                target=mapped.target,
                parts=tuple(parse_pointer(mapped.target)),
                sources=tuple(mapped.sources),
                spec=mapped.transform,
            )
        )
    return ApplyPlan(fields=planned, source_fields=list(source_fields), root=_shape(planned, origin))


def _shape(fields: list[PlannedField], origin: str) -> RecordNode:
    root = RecordNode()
    for f in fields:
        node = root
        for part in f.parts[:-1]:
            child = node.children.get(part)
            if isinstance(child, PlannedField):
                raise MappingError(origin, f"{child.target} is mapped as a value and as an object", target=f.target)
            if child is None:
                child = RecordNode()
                node.children[part] = child
            node = child
        if f.parts[-1] in node.children:
            raise MappingError(origin, f"{f.target} is mapped as a value and as an object", target=f.target)
        node.children[f.parts[-1]] = f
    return root
