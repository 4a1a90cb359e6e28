"""``crosswalk link``: link person records across canonical datasets, store versioned clusters, queue the grey zone.

Order of work: check every input (files, names, schema) before anything is stored; apply
person decisions taken since the last run (they constrain this one); link; then store a
new cluster version, the run's auto-merge edges, the review items and audit events.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from agent.audit import record_event
from agent.jobs.link_feedback import apply_link_decisions, constraints
from agent.jobs.link_items import merge_items, person_sections
from agent.jobs.source_access import require_file
from agent.settings import Settings
from agent.store import Run, close_run, open_session
from agent.store.linkage import (ClusterVersionRow, LinkEdge, LinkRun, cluster_table, store_memberships,
                                 write_cluster_version)
from agent.store.models import ReviewItem
from agent.store.review import create_items
from tools.errors import CrosswalkError
from tools.linkage import (ClusterTable, LinkSettings, LinkTable, golden_record, link_schema, read_canonical, singleton_id)
from tools.linkage.backend import SparkOptions
from tools.linkage.models import Membership
from tools.linkage.pipeline import LinkResult, link_table
from tools.standards import bundled_standard_path
from tools.target_schema import load_target_schema

RUN_KIND = "link"
MODEL_ACTOR = "model"


class LinkRequestError(CrosswalkError):
    """The datasets given to link cannot be told apart or are too few."""


@dataclass
class LinkOutcome:
    """What a link run did."""

    run_id: str
    version: int
    records: int
    counts: dict[str, int] = field(default_factory=dict)
    review_item_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    label_check: dict[str, Any] = field(default_factory=dict)
    # The route (auto / review / apart) the run gave each pair the label check scored (not stored).
    label_routes: dict[tuple[str, str], str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    clusters_path: Path | None = None
    golden_path: Path | None = None


def link_settings(settings: Settings) -> LinkSettings:
    return LinkSettings(auto_merge_threshold=settings.link_auto_merge_threshold,
                        review_threshold=settings.link_review_threshold,
                        min_labels_to_retune=settings.link_min_labels_to_retune)


def dataset_names(paths: list[Path], names: list[str] | None = None) -> dict[str, Path]:
    """Dataset name -> file; names default to the file stems and must differ."""
    chosen = names or [p.stem for p in paths]
    if len(chosen) != len(paths):
        raise LinkRequestError(f"{len(chosen)} name(s) for {len(paths)} dataset(s)")
    if len(set(chosen)) != len(chosen):
        raise LinkRequestError(f"dataset names must differ (got {', '.join(chosen)}); name them with --name")
    bad = [n for n in chosen if ":" in n or not n]
    if bad:
        raise LinkRequestError(f"a dataset name may not be empty or contain ':' ({', '.join(bad)})")
    return dict(zip(chosen, paths))


def split_labels(labels: list[tuple[str, str, float]], held_out: Collection[tuple[str, str]] | None
                 ) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """The labels to retune from and the labels to check: all and all, or the rest and the ``held_out`` pairs."""
    if held_out is None:
        return labels, labels
    held = {frozenset(p) for p in held_out}
    return ([lab for lab in labels if frozenset(lab[:2]) not in held],
            [lab for lab in labels if frozenset(lab[:2]) in held])


def spark_options(settings: Settings) -> SparkOptions:
    """The local Spark session's size, from the settings (used only with ``link_backend`` spark)."""
    return SparkOptions(master=settings.link_spark_master, driver_memory=settings.link_spark_driver_memory,
                        shuffle_partitions=settings.link_spark_shuffle_partitions)


def _check_labels(result: LinkResult, decisions: list[tuple[str, str, float]], settings: LinkSettings,
                  routes_out: dict[tuple[str, str], str] | None = None, held_out: bool = False) -> dict[str, Any]:
    """How this run's routing agrees with the people's labels: a label-based evaluation of the model.

    Counts per label (match / non-match) and route (auto / review / apart), and the
    precision and recall of the auto-merges and of auto-merge + review against the labels
    (None when undefined). Labels are mostly grey-zone pairs, so these are harder than the
    average pair; when the run retuned from them they are in-sample, unless they were
    ``held_out`` of the retune (then ``check["held_out"]`` is true). ``routes_out`` gets each label's route.
    """
    # The route the run gave each pair: auto-merge edges, then review (grey zone, or above the
    # threshold but guarded because the names disagree); anything else stayed apart.
    routes = {frozenset((p.key_l, p.key_r)): ("review", p.match_probability) for p in result.scored.review}
    routes.update({frozenset(e[:2]): ("auto", e[2]) for e in result.auto_merged})
    check: dict[str, Any] = {"labels": len(decisions), "match_auto": 0, "match_review": 0, "match_apart": 0,
                             "nonmatch_auto": 0, "nonmatch_review": 0, "nonmatch_apart": 0}
    highest_nonmatch = 0.0
    for a, b, score in decisions:
        where, p = routes.get(frozenset((a, b)), ("apart", 0.0))
        check[f"{'match' if score >= 0.5 else 'nonmatch'}_{where}"] += 1
        if routes_out is not None:
            routes_out[(min(a, b), max(a, b))] = where
        if score < 0.5 and where == "auto":
            highest_nonmatch = max(highest_nonmatch, p)
    matches = check["match_auto"] + check["match_review"] + check["match_apart"]
    flagged_true = check["match_auto"] + check["match_review"]
    flagged = flagged_true + check["nonmatch_auto"] + check["nonmatch_review"]
    auto = check["match_auto"] + check["nonmatch_auto"]
    check["auto_precision"] = _ratio(check["match_auto"], auto)
    check["auto_recall"] = _ratio(check["match_auto"], matches)
    check["flagged_precision"] = _ratio(flagged_true, flagged)
    check["flagged_recall"] = _ratio(flagged_true, matches)
    check["retuned_from"] = result.retuned_from
    check["held_out"] = held_out
    if highest_nonmatch >= settings.auto_merge_threshold:
        # Retuning advice from the labels: the threshold must lie above every pair a person rejected.
        result.notes.append(f"a pair supervisors rejected scores {highest_nonmatch:.6f}, at or above the auto-merge "
                            f"threshold {settings.auto_merge_threshold}: raise CROSSWALK_LINK_AUTO_MERGE_THRESHOLD above it")
    return check


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _digest(rows: list[Any]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def link(settings: Settings, dataset_paths: list[Path], *, names: list[str] | None = None,
         target_schema: Path | None = None, clusters_out: Path | None = None,
         golden_out: Path | None = None, held_out: Collection[tuple[str, str]] | None = None) -> LinkOutcome:
    """Link the person records of canonical JSONL files (one per dataset); see the module doc.

    ``held_out`` (pairs of record keys, for evaluation): their labels do not retune the model;
    the label check scores only them, so it is out-of-sample. The decisions still bind the clusters.
    """
    if not dataset_paths:
        raise LinkRequestError("link needs at least one canonical dataset")
    for path in dataset_paths:
        require_file(path)
    paths = dataset_names(dataset_paths, names)
    schema = link_schema(load_target_schema(target_schema or bundled_standard_path()))
    options = link_settings(settings)
    actor = settings.actor()
    apply_link_decisions(settings)  # decisions taken in the review queue since the last run
    started = time.perf_counter()
    table = LinkTable()
    read = {name: read_canonical(path, name, schema, table) for name, path in paths.items()}
    read_seconds = round(time.perf_counter() - started, 2)
    if len(table) < 2:
        raise LinkRequestError(f"{len(table)} person record(s) in {', '.join(map(str, paths.values()))}: nothing to link "
                               "(records without a person section are skipped)")
    keys = set(table.columns["unique_id"])
    with open_session(settings) as session:
        must, cannot, labelled = constraints(session, keys)
        run = Run(kind=RUN_KIND, actor=actor)
        session.add(run)
        session.commit()
        record_event(session, actor, "link_started", f"run:{run.id}",
                     {"datasets": {n: str(p) for n, p in paths.items()}, "settings": options.model_dump()},
                     {"records": read}, run.id)
    try:
        retune, checked = split_labels(labelled, held_out)
        result = link_table(table, schema, options, backend=settings.link_backend, spark_options=spark_options(settings),
                            must=must, cannot=cannot, labels=retune)
        result.seconds = {"read": read_seconds, **result.seconds}
        outcome = _store(settings, run.id, actor, paths, options, result, keys, checked, held_out is not None)
    except Exception as exc:
        with open_session(settings) as session:
            stored = session.get(Run, run.id)
            if stored is not None:
                close_run(session, stored, error=f"{exc.__class__.__name__}: {exc}"[:500])
        raise
    outcome.records = len(table)
    if clusters_out is not None:
        outcome.clusters_path = write_cluster_table(settings, clusters_out, sorted(keys))
    if golden_out is not None:
        outcome.golden_path = write_golden(settings, golden_out, sorted(keys), paths, schema)
    return outcome


def _store(settings: Settings, run_id: str, actor: str, paths: dict[str, Path], options: LinkSettings,
           result: LinkResult, keys: set[str], labelled: list[tuple[str, str, float]], held_out: bool) -> LinkOutcome:
    started = time.perf_counter()
    with open_session(settings) as session:
        version, changed = write_cluster_version(
            session, lambda: _write_run_clusters(session, run_id, options, result, keys), f"link run {run_id}")
        auto = result.auto_merged
        if auto:
            session.execute(LinkEdge.__table__.insert(),  # type: ignore[attr-defined]
                            [{"run_id": run_id, "key_l": a, "key_r": b, "match_probability": p} for a, b, p in auto])
        counts = {"scored_pairs": result.scored.scored, "auto_merge_pairs": len(auto), "review_pairs": len(result.review),
                  "conflicts": len(result.conflicts), "clusters": len(result.clustering.components),
                  "clustered_records": sum(len(c) for c in result.clustering.components),
                  "held_back_edges": len(result.clustering.held_back), "changed_memberships": len(changed)}
        label_routes: dict[tuple[str, str], str] = {}
        label_check = _check_labels(result, labelled, options, label_routes, held_out)
        if result.retuned_from:
            record_event(session, MODEL_ACTOR, "link_model_retuned", f"run:{run_id}",
                         {"labels": result.retuned_from, "min_labels_to_retune": options.min_labels_to_retune,
                          "held_out_labels": len(labelled) if held_out else 0},
                         {"method": "estimate_m_from_pairwise_labels", "label_check": label_check}, run_id)
        session.add(LinkRun(run_id=run_id, datasets={n: str(p) for n, p in paths.items()}, settings=options.model_dump(),
                            model=result.model, version=version if changed else None, counts=counts))
        seconds = {**result.seconds, "store_clusters": round(time.perf_counter() - started, 2)}
        started = time.perf_counter()
        thresholds = {"auto_merge": options.auto_merge_threshold, "review": options.review_threshold}
        wanted = {k for p in result.review for k in (p.key_l, p.key_r)} | {k for c, _ in result.conflicts for k in c.keys}
        items = merge_items(result.review, result.conflicts, person_sections(wanted, paths, result.schema), thresholds)
        created = create_items(session, run_id, items, proposed_by=MODEL_ACTOR) if items else []
        if created:  # the queue sorts on confidence: the pair's match probability (one bulk update by key)
            session.execute(update(ReviewItem), [{"id": i.id, "confidence": i.proposal.get("match_probability")}
                                                 for i in created])
        record_event(session, MODEL_ACTOR, "link_review_queued", f"run:{run_id}",
                     {"review_threshold": options.review_threshold},
                     {"items": len(created), "conflicts": counts["conflicts"]}, run_id)
        seconds["review_items"] = round(time.perf_counter() - started, 2)
        run = session.get(Run, run_id)
        assert run is not None
        close_run(session, run, summary={**counts, "version": version, "label_check": label_check, "notes": result.notes,
                                         "seconds": seconds})
    return LinkOutcome(run_id=run_id, version=version, records=0, counts=counts, review_item_ids=[i.id for i in created],
                       notes=result.notes, label_check=label_check, label_routes=label_routes, seconds=seconds)


def _write_run_clusters(session: Session, run_id: str, options: LinkSettings, result: LinkResult,
                        keys: set[str]) -> tuple[int, list[Membership]]:
    """One attempt at the run's cluster version: read the latest, append the changed rows, audit (commits)."""
    version, changed = cluster_table(session, keys).apply(result.clustering, scope=keys)
    if changed:
        session.add(ClusterVersionRow(version=version, cause="run", actor=MODEL_ACTOR, run_id=run_id,
                                      note=f"link run {run_id}"))
        session.flush()  # the version's primary key: a collision with another writer surfaces here
        store_memberships(session, version, changed)
    record_event(session, MODEL_ACTOR, "link_clusters_version", f"cluster_version:{version}",
                 {"run_id": run_id, "auto_merge_threshold": options.auto_merge_threshold},
                 {"version": version, "changed": len(changed), "clusters": len(result.clustering.components),
                  "rows_sha256": _digest([[m.key, m.cluster_id] for m in changed])}, run_id)
    return version, changed


def current_clusters(settings: Settings, keys: list[str]) -> tuple[ClusterTable, dict[str, Any]]:
    with open_session(settings) as session:
        table = cluster_table(session, set(keys))
    return table, table.at()


def write_cluster_table(settings: Settings, out: Path, keys: list[str]) -> Path:
    """The cluster table as CSV: cluster id, dataset, row, decided by (model or person), version."""
    table, state = current_clusters(settings, keys)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cluster_id", "dataset", "row", "decided_by", "version"])
        for key in keys:
            member = state.get(key)
            dataset, _, row = key.rpartition(":")
            writer.writerow([member.cluster_id if member else singleton_id(key), dataset, row,
                             member.decided_by if member else MODEL_ACTOR, table.version])
    return out


def write_golden(settings: Settings, out: Path, keys: list[str], paths: dict[str, Path], schema: Any) -> Path:
    """One golden record per cluster of two or more records, each value with its source dataset and row."""
    _, state = current_clusters(settings, keys)
    clusters: dict[str, list[str]] = {}
    for key in keys:
        if key in state and state[key].cluster_id != singleton_id(key):
            clusters.setdefault(state[key].cluster_id, []).append(key)
    clustered = {k for members in clusters.values() for k in members}
    persons = person_sections(clustered, paths, schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for cluster_id, members in sorted(clusters.items()):
            golden = golden_record({k: persons.get(k, {}) for k in members})
            handle.write(json.dumps({"cluster_id": cluster_id, "members": members,
                                     "golden": {f: v.model_dump(mode="json") for f, v in golden.items()}},
                                    ensure_ascii=False) + "\n")
    return out
