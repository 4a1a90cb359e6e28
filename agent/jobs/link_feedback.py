"""Supervisors' decisions on record merges: labels, and a new cluster version for each.

Approving a ``record_merge`` item says the two records are one person (a must-link,
label 1.0); rejecting says they are two (a cannot-link, label 0.0). Each decision is a
``LinkDecision`` row (Splink's labels table) and reclusters only the clusters it
touches, as a new version. A later decision on the same pair overrides an earlier one,
which is how a merge or a split is undone.

The reason goes into the ``LinkDecision`` row as typed; its audit event masks the record
values it quotes unless ``audit_raw_values`` allows them (``agent.reason_masking``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from agent.audit import record_event
from agent.reason_masking import audit_reason, code_values, evidence_values, leaves
from agent.settings import Settings
from agent.store import open_session
from agent.store.linkage import (ClusterMembership, ClusterVersionRow, LinkDecision, LinkEdge, LinkRun, cluster_members, cluster_table,
                                 current_cluster, latest_decisions, store_memberships, write_cluster_version)
from agent.store.models import ReviewItem
from tools.errors import CrosswalkError
from tools.linkage import ClusterVersion, connected_components
from tools.linkage.records import ROW_PREFIX

DECIDED = ("approved", "rejected")


class LinkDecisionError(CrosswalkError):
    """A decision that cannot apply (same record twice, no reason)."""


class UnknownRecordError(LinkDecisionError):
    """A record key that names no linked record; ``key`` is the one."""

    def __init__(self, key: str, why: str) -> None:
        self.key = key
        super().__init__(f"unknown record {key!r}: {why}")


def check_record_keys(session: Session, *keys: str) -> None:
    """Each key must name a row of a dataset a link run has linked (its canonical file, when still readable)."""
    files: dict[str, str] = {}
    for run in session.exec(select(LinkRun).order_by(LinkRun.created_at)).all():  # type: ignore[arg-type]
        files.update(run.datasets)  # the latest path of each dataset name
    for key in keys:
        dataset, sep, row = key.rpartition(":")
        if not sep or not dataset or not row.isdigit():
            raise UnknownRecordError(key, "a record key is dataset:row (e.g. force_a:12)")
        if dataset not in files:
            raise UnknownRecordError(key, f"no link run has linked a dataset {dataset!r} "
                                          f"(linked: {', '.join(sorted(files)) or 'none yet'})")
        try:
            found = _has_row(Path(files[dataset]), int(row))
        except OSError:  # the file has moved since: the stored rows are all there is to go on
            found = _stored(session, key)
        if not found:
            raise UnknownRecordError(key, f"dataset {dataset!r} ({files[dataset]}) has no row {row}")


def _has_row(path: Path, row: int) -> bool:
    with path.open(encoding="utf-8") as handle:
        return any((m := ROW_PREFIX.match(line)) is not None and int(m.group(1)) == row for line in handle)


def record_values(session: Session, *keys: str) -> set[str]:
    """The values of the given records as their canonical files hold them (a file gone since: none from it)."""
    files: dict[str, str] = {}
    for run in session.exec(select(LinkRun).order_by(LinkRun.created_at)).all():  # type: ignore[arg-type]
        files.update(run.datasets)
    wanted: dict[str, set[int]] = {}
    for key in keys:
        dataset, _, row = key.rpartition(":")
        if dataset in files and row.isdigit():
            wanted.setdefault(dataset, set()).add(int(row))
    found: set[str] = set()
    for dataset, rows in wanted.items():
        try:
            with Path(files[dataset]).open(encoding="utf-8") as handle:
                for line in handle:
                    lead = ROW_PREFIX.match(line)
                    if lead is not None and int(lead.group(1)) in rows:
                        found.update(leaves(json.loads(line).get("record")))
        except (OSError, ValueError):  # moved or unreadable: the reason is masked against what could be read
            continue
    return found


def _stored(session: Session, key: str) -> bool:
    return any(session.exec(select(model).where(column == key).limit(1)).first() is not None  # type: ignore[call-overload]
               for model, column in ((ClusterMembership, ClusterMembership.record_key), (LinkEdge, LinkEdge.key_l),
                                     (LinkEdge, LinkEdge.key_r)))


def constraints(session: Session, keys: set[str]) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]],
                                                            list[tuple[str, str, float]]]:
    """The decisions in force among ``keys``: must-links (with who), cannot-links, and all as labels."""
    decisions = latest_decisions(session, keys)
    must = [(d.unique_id_l, d.unique_id_r, d.actor) for d in decisions if d.clerical_match_score >= 0.5]
    cannot = [(d.unique_id_l, d.unique_id_r) for d in decisions if d.clerical_match_score < 0.5]
    labels = [(d.unique_id_l, d.unique_id_r, d.clerical_match_score) for d in decisions]
    return must, cannot, labels


def decide_pair(session: Session, key_l: str, key_r: str, *, match: bool, actor: str, reason: str,
                review_item_id: str | None = None, run_id: str | None = None, evidence: Iterable[str] = (),
                codes: Iterable[str] = (), audit_raw_values: bool = False) -> ClusterVersion:
    """Record a person's decision on a pair and write the clusters it changes as a new version (committed).

    ``evidence`` are the records' values the reason may quote and ``codes`` values it may
    quote freely: the audit event masks the others unless ``audit_raw_values``.

    Every row is written once: the version is worked out before the decision row is
    inserted. A collision with another writer's version is retried (``write_cluster_version``).
    """
    if key_l == key_r:
        raise LinkDecisionError("a decision needs two different records")
    if not reason.strip():
        raise LinkDecisionError("a decision needs a reason")
    a, b = sorted((key_l, key_r))
    score = 1.0 if match else 0.0
    logged = audit_reason(reason, evidence, codes, raw=audit_raw_values)
    return write_cluster_version(
        session, lambda: _write_decision(session, a, b, score, actor=actor, reason=reason, logged_reason=logged,
                                         review_item_id=review_item_id, run_id=run_id), f"decision {a} ~ {b}")


def _scope_edges(session: Session, scope: set[str]) -> list[tuple[str, str, float]]:
    """The latest run's auto-merge edges inside ``scope`` (an older run's edge the model has since dropped must not come back)."""
    found = [e for e in session.exec(select(LinkEdge).where(LinkEdge.key_l.in_(sorted(scope)))).all()  # type: ignore[attr-defined]
             if e.key_r in scope]
    runs = {r.run_id: r.created_at for r in session.exec(
        select(LinkRun).where(LinkRun.run_id.in_(sorted({e.run_id for e in found})))).all()}  # type: ignore[attr-defined]
    latest = max(runs, key=lambda r: runs[r]) if runs else None
    return [(e.key_l, e.key_r, e.match_probability) for e in found if e.run_id == latest]


def _write_decision(session: Session, a: str, b: str, score: float, *, actor: str, reason: str,
                    logged_reason: dict[str, Any], review_item_id: str | None, run_id: str | None) -> ClusterVersion:
    """One attempt: recluster the touched clusters with this decision in force, then append every row once."""
    scope = cluster_members(session, current_cluster(session, a)) | cluster_members(session, current_cluster(session, b))
    scope |= {a, b}
    must, cannot, _ = constraints(session, scope)
    pair = frozenset((a, b))  # this decision overrides any earlier one on the pair
    must = [m for m in must if frozenset(m[:2]) != pair]
    cannot = [c for c in cannot if frozenset(c) != pair]
    if score >= 0.5:
        must.append((a, b, actor))
    else:
        cannot.append((a, b))
    clustering = connected_components(_scope_edges(session, scope), must=must, cannot=cannot)
    version, changed = cluster_table(session, scope).apply(clustering, scope=scope, actor=actor)
    decision = LinkDecision(unique_id_l=a, unique_id_r=b, clerical_match_score=score, actor=actor, reason=reason,
                            review_item_id=review_item_id, run_id=run_id, version=version if changed else None)
    if changed:
        session.add(ClusterVersionRow(version=version, cause="decision", actor=actor, run_id=run_id,
                                      decision_id=decision.id, note=reason))
        session.flush()  # the version's primary key: a collision with another writer surfaces here
        store_memberships(session, version, changed)
    session.add(decision)
    session.flush()
    record_event(session, actor, "link_merge" if score >= 0.5 else "link_split", f"pair:{a}|{b}",
                 {"unique_id_l": a, "unique_id_r": b, "clerical_match_score": score,
                  **logged_reason, "review_item_id": review_item_id},
                 {"decision_id": decision.id, "version": decision.version,
                  "changed": [[m.key, m.cluster_id] for m in changed]}, run_id)
    return ClusterVersion(version=version, cause="decision", actor=actor, changed=changed, note=reason)


def apply_link_decisions(settings: Settings) -> list[ClusterVersion]:
    """Turn every decided ``record_merge`` item not yet applied into a decision (label + cluster version)."""
    versions: list[ClusterVersion] = []
    with open_session(settings) as session:
        done = set(session.exec(select(LinkDecision.review_item_id).where(
            LinkDecision.review_item_id.is_not(None))).all())  # type: ignore[union-attr]
        items = session.exec(select(ReviewItem).where(ReviewItem.kind == "record_merge",
                                                      ReviewItem.state.in_(DECIDED))  # type: ignore[attr-defined]
                             .order_by(ReviewItem.decided_at)).all()  # type: ignore[arg-type]
        for item in items:
            if item.id in done:
                continue
            left, right = item.proposal["left"]["key"], item.proposal["right"]["key"]
            versions.append(decide_pair(session, left, right, match=item.state == "approved",
                                        actor=item.decided_by or "unknown", reason=item.reason or item.state,
                                        review_item_id=item.id, run_id=item.run_id,
                                        evidence=evidence_values(item.proposal), codes=code_values(item.proposal),
                                        audit_raw_values=settings.audit_raw_values))
    return versions
