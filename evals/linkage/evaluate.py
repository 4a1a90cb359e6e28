"""The linkage eval: link synthetic forces with known truth through the real job, then simulate reviewers.

Reports pairwise precision / recall / F1 of the auto-merges (the cluster version the
link run wrote) and of the auto-merges plus the reviewed items (every ``record_merge``
item decided from the truth by a simulated supervisor, through the same decision path
as a person's), plus the counts of pairs, items and conflicts.
"""

from __future__ import annotations

import json
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
from evals.linkage.metrics import PairScores, pair_scores
from tools.linkage import connected_components, singleton_id

REVIEWER = "eval-reviewer"


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


def cluster_components(settings: Settings, keys: set[str], version: int | None = None) -> list[list[str]]:
    with open_session(settings) as session:
        state = cluster_table(session, keys).at(version)
    groups: dict[str, list[str]] = {}
    for key, member in state.items():
        if member.cluster_id != singleton_id(key):
            groups.setdefault(member.cluster_id, []).append(key)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def run_components(settings: Settings, run_id: str) -> list[list[str]]:
    """Clusters of one run's own auto-merge edges (no person decisions): what its model alone would merge."""
    with open_session(settings) as session:
        edges = session.exec(select(LinkEdge.key_l, LinkEdge.key_r, LinkEdge.match_probability)
                             .where(LinkEdge.run_id == run_id)).all()
    return connected_components([tuple(e) for e in edges]).components


def load_forces(folder: Path) -> tuple[list[Path], dict[str, int]]:
    """Force files and truth written by ``make_forces`` (or built alike)."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return sorted(folder.glob("*.jsonl")), truth


def evaluate_link(settings: Settings, work: Path, *, people: int = 3000, forces: int = 3, seed: int = 7,
                  forces_dir: Path | None = None, relink: bool = False) -> LinkEvalReport:
    """Run the eval in ``work`` (a fresh data dir is made there, never the user's database)."""
    import time

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
    reviewed = pair_scores(cluster_components(run_settings, keys), truth)
    first_edges, relinked, relink_check = None, None, None
    if relink:  # the simulated reviews are labels now: the next run retunes m from them (when enough)
        again = link(run_settings, paths)
        first_edges = pair_scores(run_components(run_settings, outcome.run_id), truth)
        relinked, relink_check = pair_scores(run_components(run_settings, again.run_id), truth), again.label_check
    return LinkEvalReport(records=outcome.records, people=len(set(truth.values())), auto_merge=auto, with_review=reviewed,
                          counts=outcome.counts, review_items=len(items), conflict_items=conflicts,
                          decisions_merge=merges, decisions_apart=aparts,
                          auto_merge_threshold=settings.link_auto_merge_threshold,
                          review_threshold=settings.link_review_threshold,
                          seconds=round(time.perf_counter() - started, 1), first_edges=first_edges, relinked=relinked,
                          relink_label_check=relink_check)
