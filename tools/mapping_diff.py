"""Field-by-field differences between two mapping documents.

Used by the review app (a version against its parent) and by the audit replay (the
recorded version against the one reproduced). Fields are matched by target; a change
lists which parts differ (sources, transform, status, confidence) with both values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from tools.mapping import MappingDocument

ChangeKind = Literal["added", "removed", "changed"]
COMPARED_PARTS: tuple[str, ...] = ("sources", "transform", "status", "confidence")


class PartChange(BaseModel):
    part: str
    before: Any = None
    after: Any = None


class FieldChange(BaseModel):
    """How one target field differs between the two documents."""

    target: str
    kind: ChangeKind
    parts: list[PartChange] = []
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class MappingDiff(BaseModel):
    fields: list[FieldChange] = []
    unmapped_added: list[str] = []
    unmapped_removed: list[str] = []
    other: list[PartChange] = []

    @property
    def identical(self) -> bool:
        return not (self.fields or self.unmapped_added or self.unmapped_removed or self.other)


def _field_json(doc: MappingDocument) -> dict[str, dict[str, Any]]:
    return {f.target: f.model_dump(mode="json") for f in doc.fields}


def diff_documents(before: MappingDocument, after: MappingDocument, *, parts: tuple[str, ...] = COMPARED_PARTS) -> MappingDiff:
    """What changed from ``before`` to ``after`` (targets in order, additions and removals included)."""
    old, new = _field_json(before), _field_json(after)
    changes: list[FieldChange] = []
    for target in sorted(old.keys() | new.keys()):
        a, b = old.get(target), new.get(target)
        if a is None:
            changes.append(FieldChange(target=target, kind="added", after=b))
        elif b is None:
            changes.append(FieldChange(target=target, kind="removed", before=a))
        else:
            differing = [PartChange(part=p, before=a.get(p), after=b.get(p)) for p in parts if a.get(p) != b.get(p)]
            if differing:
                changes.append(FieldChange(target=target, kind="changed", parts=differing, before=a, after=b))
    other = [PartChange(part=name, before=getattr(before, name), after=getattr(after, name))
             for name in ("timezone",) if getattr(before, name) != getattr(after, name)]
    return MappingDiff(
        fields=changes,
        unmapped_added=sorted(set(after.unmapped_sources) - set(before.unmapped_sources)),
        unmapped_removed=sorted(set(before.unmapped_sources) - set(after.unmapped_sources)),
        other=other,
    )
