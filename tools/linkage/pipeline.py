"""One linkage pass over a linkage table: train, score, route, cluster, find conflicts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tools.linkage.backend import BackendName, SparkOptions, close, database_api, register
from tools.linkage.clusters import Clustering, connected_components
from tools.linkage.conflicts import bridge_conflicts, identifier_conflicts
from tools.linkage.models import Conflict, LinkSchema, LinkSettings, PairEvidence
from tools.linkage.predict import ScoredPairs, evidence_for, release, score
from tools.linkage.records import LinkTable
from tools.linkage.settings_from_schema import auto_merge_guard
from tools.linkage.routing import check_thresholds
from tools.linkage.train import model_json, new_linker, retune_from_labels, train


@dataclass
class LinkResult:
    """What one pass found; the caller stores it."""

    schema: LinkSchema
    model: dict[str, Any]
    scored: ScoredPairs
    clustering: Clustering
    review: list[PairEvidence]
    conflicts: list[tuple[Conflict, PairEvidence | None]]
    auto_merge_threshold: float
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    retuned_from: int = 0  # approved pairs the m probabilities were re-estimated from (0: not retuned)

    @property
    def auto_merged(self) -> list[tuple[str, str, float]]:
        """The model's auto-merge edges (before must/cannot-links)."""
        return [e for e in self.scored.edges if e[2] >= self.auto_merge_threshold]


def present_schema(schema: LinkSchema, table: LinkTable) -> LinkSchema:
    """The schema without strong identifiers and sex that no record has (nothing to learn from them)."""
    def has(column: str) -> bool:
        return any(v is not None for v in table.columns.get(column, []))

    kept = [f for f in schema.fields if f.role not in ("strong_id", "sex") or has(f.column)]
    return schema.model_copy(update={"fields": kept})


def link_table(table: LinkTable, schema: LinkSchema, settings: LinkSettings, *, backend: BackendName = "duckdb",
               spark_options: SparkOptions | None = None, must: list[tuple[str, str, str]] | None = None, cannot: list[tuple[str, str]] | None = None,
               labels: list[tuple[str, str, float]] | None = None) -> LinkResult:
    """Link ``table``: person decisions (``must``: key, key, actor; ``cannot``: key, key) override the model.

    ``labels`` (key, key, clerical match score) retune the m probabilities once enough
    approved pairs are among them (``settings.min_labels_to_retune``).
    """
    check_thresholds(settings)
    clock = _Clock()
    schema = present_schema(schema, table)
    must = must or []
    person_cannot = cannot or []
    db_api = database_api(backend, spark_options=spark_options)
    try:
        linker = new_linker(register(db_api, table), schema)
        clock.lap("register")
        notes = train(linker, schema, settings)
        retuned_from = retune_from_labels(linker, db_api, labels or [], settings, notes)
        model = model_json(linker)
        clock.lap("train")
        scored = score(linker, settings, model, auto_merge_guard(schema))
        clock.lap("predict")
        approved = {frozenset((a, b)) for a, b, _ in must}
        model_cannot = [p for p in scored.cannot if frozenset(p) not in approved]
        auto = [e for e in scored.edges if e[2] >= settings.auto_merge_threshold]
        clustering = connected_components(auto, must=must, cannot=[*person_cannot, *model_cannot])
        clock.lap("cluster")
        cluster_of = {k: i for i, members in enumerate(clustering.components) for k in members}
        decided = approved | {frozenset(p) for p in person_cannot}
        review = [p for p in scored.review
                  if frozenset((p.key_l, p.key_r)) not in decided
                  and (cluster_of.get(p.key_l, -1) != cluster_of.get(p.key_r, -2))]  # already one cluster: nothing to ask
        conflicts = [c for c in identifier_conflicts(table, schema, settings) + bridge_conflicts(clustering.held_back)
                     if frozenset(c.keys[:2]) not in decided]  # a person has already answered this one
        found = evidence_for(scored, model, [(c.keys[0], c.keys[1]) for c in conflicts])
        release(scored)
    finally:
        close(db_api)  # Spark: the session outlives this linkage, so free the tables it cached
    with_evidence = [(c, found.get(frozenset(c.keys[:2]))) for c in conflicts]
    clock.lap("conflicts")
    return LinkResult(schema=schema, model=model, scored=scored, clustering=clustering, review=review,
                      conflicts=with_evidence, auto_merge_threshold=settings.auto_merge_threshold, notes=notes,
                      seconds=clock.laps, retuned_from=retuned_from)


class _Clock:
    """Seconds per phase, for the run summary and the benchmark."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now
