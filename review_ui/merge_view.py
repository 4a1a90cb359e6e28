"""What the item page shows for a ``record_merge`` item: two person records side by side.

The proposal (``agent.jobs.link_items``) holds both records' person sections, the
per-comparison levels and match weights, the match probability and, for a conflict, what
disagrees. This module turns it into table rows (raw values, the values as compared,
level label, weight, agree/disagree), plain words for the conflict, the records' current
clusters, and the cluster version a decision on the item produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from sqlmodel import Session, select

from agent.store.linkage import LinkDecision, LinkRun, cluster_members, current_cluster
from agent.store.models import ReviewItem
from review_ui.json_view import scalar_text

MERGE_KIND = "record_merge"
MERGE_LABELS: dict[str, str] = {
    "approve": "Merge: same person", "reject": "Keep apart: different people",
    "hint": "Merging puts both records' clusters together as a new cluster version; keeping apart stops the model "
            "merging them, now and in later link runs.",
}
MAX_MEMBERS_SHOWN = 12  # a cluster's record keys listed on the page; the count is always exact

# Comparison output columns of the bundled standard, used when its schema cannot be read.
FALLBACK_FIELDS: dict[str, tuple[str, str]] = {
    "given_name": ("Given names", "given_names"), "family_name": ("Family name", "family_name"),
    "dob": ("Date of birth", "date_of_birth"), "postcode": ("Postcode", "address/postcode"), "sex": ("Sex", "sex"),
    "pnc_id": ("PNC ID", "pnc_id"), "cro_number": ("CRO number", "cro_number"), "nhs_number": ("NHS number", "nhs_number"),
    "ni_number": ("National Insurance number", "ni_number"),
}
NAME_COMPARISONS = ("given_name", "family_name")  # filled from the full name when split names are missing
FULL_NAME_PATH = "full_name"


@dataclass(frozen=True)
class CompareRow:
    """One line of the side-by-side table."""

    label: str
    left: str
    right: str
    compared: tuple[str, str] | None = None  # the normalised values the model compared, when they differ from the raw ones
    level_label: str = ""
    weight: float | None = None
    verdict: str = "none"  # agree, close, disagree, missing or none (a field the model does not compare)
    note: str = ""

    @property
    def weight_text(self) -> str:
        if self.weight is None:
            return "—"
        return f"{self.weight:+.2f}" if round(self.weight, 2) else "0.00"


@dataclass
class ClusterView:
    """A record's cluster now: id, how many records, some of their keys."""

    key: str
    cluster_id: str
    size: int
    members: list[str] = field(default_factory=list)

    @property
    def alone(self) -> bool:
        return self.size <= 1


@dataclass(frozen=True)
class ConflictView:
    """A conflict in plain words."""

    kind: str
    headline: str
    details: list[str]
    others: list[str]


@lru_cache(maxsize=1)
def compared_fields() -> dict[str, tuple[str, str]]:
    """Comparison column -> (title, path inside the person section), from the bundled standard's link schema."""
    try:
        from tools.linkage import link_schema
        from tools.standards import bundled_standard_path
        from tools.target_schema import load_target_schema

        schema = link_schema(load_target_schema(bundled_standard_path()))
    except Exception:  # noqa: BLE001 - the page still renders with the known names
        return dict(FALLBACK_FIELDS)
    prefix = schema.person_pointer.rstrip("/") + "/"
    found = dict(FALLBACK_FIELDS)
    for role_field in schema.fields:
        if role_field.pointer.startswith(prefix):
            found[role_field.column] = (role_field.title or role_field.column, role_field.pointer[len(prefix):])
    return found


def flatten(person: Any, prefix: str = "") -> dict[str, Any]:
    """A person section as ``path -> value`` (nested objects joined with ``/``)."""
    if not isinstance(person, dict):
        return {}
    flat: dict[str, Any] = {}
    for key, value in person.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}/"))
        else:
            flat[path] = value
    return flat


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(scalar_text(v) for v in value)
    return scalar_text(value)


def _verdict(level: int, weight: float | None, compared: tuple[str, str]) -> str:
    """agree (same values, weight for), close (different values, weight for), disagree, missing or none."""
    if level < 0:
        return "missing"
    if weight is None or not weight:
        return "none"
    if weight < 0:
        return "disagree"
    return "agree" if compared[0] == compared[1] else "close"


def _raw(flat: dict[str, Any], path: str, name: str) -> tuple[str, bool]:
    """A field's raw value and whether it came from the full name instead."""
    if flat.get(path) is not None:
        return _text(flat[path]), False
    if name in NAME_COMPARISONS and flat.get(FULL_NAME_PATH) is not None:
        return _text(flat[FULL_NAME_PATH]), True
    return _text(None), False


def compare_rows(proposal: dict[str, Any]) -> tuple[list[CompareRow], list[CompareRow]]:
    """The compared fields (with weights), and the other recorded fields side by side."""
    left = flatten((proposal.get("left") or {}).get("person"))
    right = flatten((proposal.get("right") or {}).get("person"))
    known = compared_fields()
    used: set[str] = set()
    rows: list[CompareRow] = []
    for comparison in proposal.get("comparisons") or []:
        name = str(comparison.get("name", ""))
        title, path = known.get(name, (name.replace("_", " ").capitalize(), name))
        used.add(path)
        left_text, left_full = _raw(left, path, name)
        right_text, right_full = _raw(right, path, name)
        if left_full or right_full:
            used.add(FULL_NAME_PATH)
        values = comparison.get("values") or [None, None]
        compared = (_text(values[0]), _text(values[1]))
        weight = comparison.get("match_weight")
        level = int(comparison.get("level", 0))
        rows.append(CompareRow(
            label=title, left=left_text, right=right_text,
            compared=None if compared == (left_text, right_text) else compared,
            level_label=str(comparison.get("label") or ("missing on one side" if level < 0 else f"level {level}")),
            weight=float(weight) if weight is not None else None, verdict=_verdict(level, weight, compared),
            note="from the full name" if left_full or right_full else ""))
    others = [CompareRow(label=path.replace("/", " › ").replace("_", " "), left=_text(left.get(path)),
                         right=_text(right.get(path)), verdict="none", note="not compared by the model")
              for path in sorted((set(left) | set(right)) - used)]
    return rows, others


def _source(side: dict[str, Any], datasets: dict[str, Any]) -> dict[str, Any]:
    path = datasets.get(str(side.get("dataset")))
    return {"key": side.get("key", ""), "dataset": side.get("dataset", ""), "row": side.get("row"),
            "file": PurePath(str(path)).name if path else None, "record_date": side.get("record_date")}


def conflict_view(proposal: dict[str, Any]) -> ConflictView | None:
    """What the conflict is, in plain words (None for a grey-zone pair)."""
    if not proposal.get("conflict"):
        return None
    kind = str(proposal.get("conflict_kind") or "")
    reason = str(proposal.get("reason") or "")
    others = [str(o.get("key")) for o in proposal.get("others") or [] if isinstance(o, dict)]
    if kind == "identifier":
        lead, _, rest = reason.partition(": ")
        ident = lead.removeprefix("same ").strip() or "identifier"
        details = [d.strip().capitalize() for d in rest.split(";") if d.strip()]
        return ConflictView(kind, f"Both records carry the same {ident}, but other details disagree. "
                                  "One of them may hold a wrong identifier or a wrong date of birth or name.", details, others)
    if kind == "bridge":
        return ConflictView(kind, "Merging these two records would join two clusters that hold records already "
                                  "scored or decided as different people, so the model held the merge back.", [reason], others)
    return ConflictView(kind or "other", reason or "The model flagged this pair as a conflict.", [], others)


def cluster_of(session: Session, key: str) -> ClusterView:
    """The record's cluster in the latest version, with its size."""
    cluster_id = current_cluster(session, key)
    members = sorted(cluster_members(session, cluster_id) | {key})
    return ClusterView(key=key, cluster_id=cluster_id, size=len(members), members=members[:MAX_MEMBERS_SHOWN])


def applied_decision(session: Session, item: ReviewItem) -> LinkDecision | None:
    """The linkage decision this item's approval or rejection became (its cluster version), if applied."""
    return session.exec(select(LinkDecision).where(LinkDecision.review_item_id == item.id)
                        .order_by(LinkDecision.created_at.desc())).first()  # type: ignore[attr-defined]


def merge_context(session: Session, item: ReviewItem) -> dict[str, Any]:
    """Everything ``merge_item.html`` needs beyond the item itself."""
    proposal = item.proposal or {}
    link_run = session.get(LinkRun, item.run_id)
    datasets = dict(link_run.datasets) if link_run is not None else {}
    rows, others = compare_rows(proposal)
    left, right = proposal.get("left") or {}, proposal.get("right") or {}
    clusters = [cluster_of(session, str(side["key"])) for side in (left, right) if side.get("key")]
    same_cluster = len(clusters) == 2 and clusters[0].cluster_id == clusters[1].cluster_id
    return {
        "pair": {"left": _source(left, datasets), "right": _source(right, datasets)},
        "rows": rows, "other_rows": others,
        "agree": sum(r.verdict in ("agree", "close") for r in rows), "disagree": sum(r.verdict == "disagree" for r in rows),
        "match_probability": proposal.get("match_probability"), "match_weight": proposal.get("match_weight"),
        "thresholds": proposal.get("thresholds") or {}, "pair_reason": proposal.get("reason") or "",
        "conflict": conflict_view(proposal), "clusters": clusters, "same_cluster": same_cluster,
        "link_run": link_run, "applied": applied_decision(session, item),
    }

