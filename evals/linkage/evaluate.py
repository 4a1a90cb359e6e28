"""The linkage eval: link synthetic forces with known truth through the real job, then simulate reviewers.

Reports pairwise precision / recall / F1 of the auto-merges (the cluster version the
link run wrote) and of the auto-merges plus the reviewed items (every ``record_merge``
item decided from the truth by a simulated supervisor, through the same decision path
as a person's), plus the counts of pairs, items and conflicts.

With ``relink`` the decisions are labels for a second run. ``holdout`` keeps a seeded,
stratified fraction of them out of that run's retune: they are scored against the
relinked model's routing as pairs it never learned from (out-of-sample).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from typing import Any

from pydantic import BaseModel
from sqlmodel import select

from agent.jobs.link_feedback import decide_pair
from agent.jobs.link_job import link
from agent.settings import Settings
from agent.store import open_session
from agent.store.linkage import LinkEdge, cluster_table
from agent.store.review import items_of_run
from evals.linkage.make_forces import make_forces
from evals.linkage.metrics import PairScores, pair_scores, route_scores
from tools.linkage import connected_components, singleton_id

REVIEWER = "eval-reviewer"
DEFAULT_HOLDOUT = 0.3  # share of the simulated decisions kept out of the relink's retune

Decision = tuple[str, str, bool]  # record key, record key (sorted), one person


class LinkEvalReport(BaseModel):
    records: int
    people: int
    auto_merge: PairScores
    with_review: PairScores
    counts: dict[str, int]
    review_items: int
    conflict_items: int
    decisions_merge: int
    decisions_apart: int
    auto_merge_threshold: float
    review_threshold: float
    seconds: float
    # With ``relink``: the clusters of each run's own auto-merge edges (model only, no decisions), the
    # first run and a second run after the simulated reviews (whose labels retune m).
    first_edges: PairScores | None = None
    relinked: PairScores | None = None
    relink_label_check: dict[str, Any] | None = None
    # With ``relink`` and ``holdout`` > 0: the split of the decisions, and the relinked model's routing of
    # the held-out pairs against the truth (auto-merge alone, and auto-merge + review, as "one person").
    holdout: float = 0.0
    retune_labels: int | None = None
    held_out_merge: int = 0
    held_out_apart: int = 0
    held_out_auto: PairScores | None = None
    held_out_auto_first: PairScores | None = None  # the same pairs' auto-merges in the 1st run (before any retune)
    held_out_flagged: PairScores | None = None


def split_decisions(decisions: list[Decision], fraction: float, seed: int) -> tuple[list[Decision], list[Decision]]:
    """The retune part and the held-out part of ``decisions``: seeded, stratified by decision, disjoint, complete.

    Each stratum (merge, apart) is sorted, shuffled with ``seed`` and ``round(fraction * n)``
    of it held out; with 0 < fraction and two or more decisions in a stratum, both parts get
    at least one. A pair decided twice counts once (its last decision, as in the labels).
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"holdout fraction must be at least 0 and below 1 (got {fraction})")
    latest = {(min(a, b), max(a, b)): same for a, b, same in decisions}
    retune: list[Decision] = []
    held: list[Decision] = []
    for same in (True, False):
        stratum = sorted((a, b, s) for (a, b), s in latest.items() if s is same)
        random.Random(seed * 2 + same).shuffle(stratum)
        n = round(fraction * len(stratum))
        if fraction > 0 and len(stratum) >= 2:
            n = min(max(n, 1), len(stratum) - 1)
        held += stratum[:n]
        retune += stratum[n:]
    return sorted(retune), sorted(held)


def cluster_components(settings: Settings, keys: set[str], version: int | None = None) -> list[list[str]]:
    with open_session(settings) as session:
        state = cluster_table(session, keys).at(version)
    groups: dict[str, list[str]] = {}
    for key, member in state.items():
        if member.cluster_id != singleton_id(key):
            groups.setdefault(member.cluster_id, []).append(key)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def run_edges(settings: Settings, run_id: str) -> list[tuple[str, str, float]]:
    """One run's own auto-merge edges (no person decisions)."""
    with open_session(settings) as session:
        edges = session.exec(select(LinkEdge.key_l, LinkEdge.key_r, LinkEdge.match_probability)
                             .where(LinkEdge.run_id == run_id)).all()
    return [(a, b, p) for a, b, p in edges]


def run_components(settings: Settings, run_id: str) -> list[list[str]]:
    """Clusters of one run's own auto-merge edges: what its model alone would merge."""
    return connected_components(run_edges(settings, run_id)).components


def load_forces(folder: Path) -> tuple[list[Path], dict[str, int]]:
    """Force files and truth written by ``make_forces`` (or built alike)."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return sorted(folder.glob("*.jsonl")), truth


def evaluate_link(settings: Settings, work: Path, *, people: int = 3000, forces: int = 3, seed: int = 7,
                  forces_dir: Path | None = None, relink: bool = False, holdout: float = 0.0) -> LinkEvalReport:
    """Run the eval in ``work`` (a fresh data dir is made there, never the user's database).

    ``holdout`` (with ``relink``): the fraction of decisions kept out of the relink's retune (see module doc).
    """
    import time

    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout fraction must be at least 0 and below 1 (got {holdout})")
    started = time.perf_counter()
    if forces_dir is None:
        forces_dir = work / "forces"
        make_forces(people, forces=forces, seed=seed).write(forces_dir)
    paths, truth = load_forces(forces_dir)
    run_settings = settings.model_copy(update={"data_dir": work / "data", "database_url": None, "user": "eval-linker"})
    outcome = link(run_settings, paths)
    keys = set(truth)
    auto = pair_scores(cluster_components(run_settings, keys, outcome.version), truth)
    merges = aparts = conflicts = 0
    decisions: list[Decision] = []
    with open_session(run_settings) as session:
        items = items_of_run(session, outcome.run_id)
        for item in items:
            left, right = item.proposal["left"]["key"], item.proposal["right"]["key"]
            same = truth[left] == truth[right]
            conflicts += bool(item.proposal.get("conflict"))
            decide_pair(session, left, right, match=same, actor=REVIEWER, reason="simulated review from the truth",
                        review_item_id=item.id, run_id=outcome.run_id)
            merges += same
            aparts += not same
            decisions.append((min(left, right), max(left, right), same))
    reviewed = pair_scores(cluster_components(run_settings, keys), truth)
    first_edges, relinked, relink_check = None, None, None
    held_out: dict[str, Any] = {}
    if relink:  # the simulated reviews are labels now: the next run retunes m from them (when enough)
        retune, held = split_decisions(decisions, holdout, seed) if holdout else (decisions, [])
        again = link(run_settings, paths, held_out=[(a, b) for a, b, _ in held] if holdout else None)
        first_edges = pair_scores(run_components(run_settings, outcome.run_id), truth)
        relinked, relink_check = pair_scores(run_components(run_settings, again.run_id), truth), again.label_check
        if holdout:
            routes = again.label_routes
            first = {frozenset(e[:2]) for e in run_edges(run_settings, outcome.run_id)}
            first_routes = {pair: "auto" if frozenset(pair) in first else "other" for pair in routes}
            held_out = {"holdout": holdout, "retune_labels": len(retune),
                        "held_out_merge": sum(s for _, _, s in held), "held_out_apart": sum(not s for _, _, s in held),
                        "held_out_auto": route_scores(routes, truth, ("auto",)),
                        "held_out_auto_first": route_scores(first_routes, truth, ("auto",)),
                        "held_out_flagged": route_scores(routes, truth, ("auto", "review"))}
    return LinkEvalReport(records=outcome.records, people=len(set(truth.values())), auto_merge=auto, with_review=reviewed,
                          counts=outcome.counts, review_items=len(items), conflict_items=conflicts,
                          decisions_merge=merges, decisions_apart=aparts,
                          auto_merge_threshold=settings.link_auto_merge_threshold,
                          review_threshold=settings.link_review_threshold,
                          seconds=round(time.perf_counter() - started, 1), first_edges=first_edges, relinked=relinked,
                          relink_label_check=relink_check, **held_out)
