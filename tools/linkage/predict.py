"""Scoring the blocked pairs and reading back what routing, clustering and review need.

The full prediction table stays in the backend; only three slices come back to Python:
the edges at or above the review threshold (key pair and probability), the grey-zone
pairs with their per-comparison evidence, and the low-scored pairs between records that
auto-merge (evidence that a cluster would join two different people).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from splink import Linker

from tools.linkage.models import ComparisonEvidence, LinkSettings, PairEvidence

Edge = tuple[str, str, float]


@dataclass
class ScoredPairs:
    """The slices of one prediction that leave the backend."""

    scored: int = 0
    edges: list[Edge] = field(default_factory=list)
    review: list[PairEvidence] = field(default_factory=list)
    cannot: list[tuple[str, str]] = field(default_factory=list)
    predictions: Any = None  # the full table, still in the backend until ``release``


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison name -> gamma value -> level label, from Splink's model JSON.

    Splink numbers a comparison's levels from the top: null is -1, the rest count down
    from (number of non-null levels - 1) to 0, the else level.
    """
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        names = {len(non_null) - 1 - i: lv.get("label_for_charts") or lv.get("sql_condition") for i, lv in enumerate(non_null)}
        names[-1] = "missing on one side"
        labels[comparison["output_column_name"]] = names
    return labels


def evidence(row: dict[str, Any], labels: dict[str, dict[int, str]]) -> PairEvidence:
    """A prediction row as ``PairEvidence`` (tf adjustments folded into each comparison's weight)."""
    comparisons = []
    for name, names in labels.items():
        gamma = row.get(f"gamma_{name}")
        if gamma is None:
            continue
        weight = (row.get(f"mw_{name}") or 0.0) + (row.get(f"mw_tf_adj_{name}") or 0.0)
        values = (row.get(f"{name}_l"), row.get(f"{name}_r")) if f"{name}_l" in row else None
        comparisons.append(ComparisonEvidence(name=name, level=int(gamma), label=names.get(int(gamma)),
                                              match_weight=round(float(weight), 3) if math.isfinite(weight) else None,
                                              values=values))
    return PairEvidence(key_l=row["unique_id_l"], key_r=row["unique_id_r"], match_probability=float(row["match_probability"]),
                        match_weight=float(row["match_weight"]), comparisons=comparisons)


def _rows(frame: Any) -> list[dict[str, Any]]:
    rows = frame.as_record_list()
    frame.drop_table_from_database_and_remove_from_cache()
    return rows


def score(linker: Linker, settings: LinkSettings, model: dict[str, Any], guard: str = "false") -> ScoredPairs:
    """Score every blocked pair and bring back the slices (see the module doc).

    ``guard`` is SQL naming pairs that never merge automatically: above the auto-merge
    threshold they go to review, and they are not edges.
    """
    predictions = linker.inference.predict(warning_mode="never")
    low, high = settings.review_threshold, settings.auto_merge_threshold
    out = ScoredPairs()
    out.scored = int(_rows(predictions.query_sql("select count(*) as n from {this}"))[0]["n"])
    edges = predictions.query_sql(
        f"select unique_id_l, unique_id_r, match_probability from {{this}} "
        f"where match_probability >= {low} and not {guard}")
    table = edges.as_pyarrow_table()
    edges.drop_table_from_database_and_remove_from_cache()
    out.edges = list(zip(table.column("unique_id_l").to_pylist(), table.column("unique_id_r").to_pylist(),
                         table.column("match_probability").to_pylist()))
    labels = level_labels(model)
    grey = predictions.query_sql(
        f"select * from {{this}} where match_probability >= {low} and (match_probability < {high} or {guard})")
    out.review = [evidence(row, labels).model_copy(update={"route": "review"}) for row in _rows(grey)]
    cannot = predictions.query_sql(f"""
        with merged as (
            select unique_id_l as id from {{this}} where match_probability >= {high} and not {guard}
            union select unique_id_r from {{this}} where match_probability >= {high} and not {guard})
        select unique_id_l, unique_id_r from {{this}}
        where match_probability < {low}
          and unique_id_l in (select id from merged) and unique_id_r in (select id from merged)""")
    out.cannot = [(r["unique_id_l"], r["unique_id_r"]) for r in _rows(cannot)]
    out.predictions = predictions
    return out


def evidence_for(scored: ScoredPairs, model: dict[str, Any], pairs: list[tuple[str, str]]) -> dict[frozenset[str], PairEvidence]:
    """Evidence for chosen pairs (conflicts), read from the prediction table; pairs never blocked are absent."""
    if not pairs or scored.predictions is None:
        return {}
    from tools.linkage.backend import register_rows

    ordered = sorted({tuple(sorted(p)) for p in pairs})
    wanted = register_rows(scored.predictions.db_api, [{"key_l": a, "key_r": b} for a, b in ordered],
                           name=f"__crosswalk_wanted_pairs_{id(scored)}_{len(ordered)}")
    found = scored.predictions.query_sql(
        f"select p.* from {{this}} p join {wanted.physical_name} w on p.unique_id_l = w.key_l and p.unique_id_r = w.key_r")
    labels = level_labels(model)
    rows = _rows(found)
    wanted.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    return {frozenset((r["unique_id_l"], r["unique_id_r"])): evidence(r, labels) for r in rows}


def release(scored: ScoredPairs) -> None:
    """Drop the full prediction table from the backend."""
    if scored.predictions is not None:
        scored.predictions.drop_table_from_database_and_remove_from_cache()
        scored.predictions = None
