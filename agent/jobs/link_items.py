"""Review items of kind ``record_merge``: a grey-zone pair or a conflict, both records side by side.

The proposal carries no mapping field (``"field": None``); it holds the two records'
person sections, the per-comparison levels and match weights, the match probability and,
for a conflict, what disagrees. Approving says "one person", rejecting "two people".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.linkage import Conflict, LinkSchema, PairEvidence, read_person_sections, split_key

KIND = "record_merge"


def pair_target(key_l: str, key_r: str) -> str:
    """The item's target: the pair, in a stable order."""
    a, b = sorted((key_l, key_r))
    return f"{a} ~ {b}"


def _side(key: str, persons: dict[str, dict[str, Any]]) -> dict[str, Any]:
    dataset, row = split_key(key)
    found = persons.get(key) or {}
    return {"key": key, "dataset": dataset, "row": row, "person": found.get("person"), "record_date": found.get("record_date")}


def _evidence(pair: PairEvidence | None) -> dict[str, Any]:
    if pair is None:
        return {"match_probability": None, "match_weight": None, "comparisons": []}
    return {"match_probability": round(pair.match_probability, 6), "match_weight": round(pair.match_weight, 3),
            "comparisons": [c.model_dump(mode="json") for c in pair.comparisons]}


def merge_items(review: list[PairEvidence], conflicts: list[tuple[Conflict, PairEvidence | None]],
                persons: dict[str, dict[str, Any]], thresholds: dict[str, float]) -> list[dict[str, Any]]:
    """Items for ``agent.store.review.create_items``: conflicts first, then grey-zone pairs (one item per pair)."""
    items: dict[str, dict[str, Any]] = {}
    for conflict, pair in conflicts:
        target = pair_target(conflict.keys[0], conflict.keys[1])
        items[target] = {"kind": KIND, "target": target, "proposal": {
            "field": None, "conflict": True, "conflict_kind": conflict.kind, "reason": conflict.reason,
            "identifier": conflict.identifier, "left": _side(conflict.keys[0], persons),
            "right": _side(conflict.keys[1], persons), "others": [_side(k, persons) for k in conflict.keys[2:]],
            "thresholds": thresholds, **_evidence(pair)}}
    for pair in review:
        target = pair_target(pair.key_l, pair.key_r)
        if target in items:
            continue
        above = pair.match_probability >= thresholds["auto_merge"]
        reason = ("scored above the auto-merge threshold, but the names disagree outright and no strong identifier agrees"
                  if above else "match probability in the grey zone between the review and auto-merge thresholds")
        items[target] = {"kind": KIND, "target": target, "proposal": {
            "field": None, "conflict": False, "reason": reason, "left": _side(pair.key_l, persons),
            "right": _side(pair.key_r, persons), "thresholds": thresholds, **_evidence(pair)}}
    return list(items.values())


def person_sections(keys: set[str], paths: dict[str, Path], schema: LinkSchema) -> dict[str, dict[str, Any]]:
    """Person sections of the given records, read back from their canonical files (one pass per file)."""
    wanted: dict[str, set[int]] = {}
    for key in keys:
        dataset, row = split_key(key)
        wanted.setdefault(dataset, set()).add(row)
    found: dict[str, dict[str, Any]] = {}
    for dataset, rows in wanted.items():
        for row, section in read_person_sections(paths[dataset], rows, schema).items():
            found[f"{dataset}:{row}"] = section
    return found
