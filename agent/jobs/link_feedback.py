"""Supervisors' decisions on record merges: labels, and a new cluster version for each.

Approving a ``record_merge`` item says the two records are one person (a must-link,
label 1.0); rejecting says they are two (a cannot-link, label 0.0). Each decision is a
``LinkDecision`` row (Splink's labels table) and reclusters only the clusters it
touches, as a new version. A later decision on the same pair overrides an earlier one,
which is how a merge or a split is undone.
"""

from __future__ import annotations

from sqlmodel import Session, select

from agent.audit import record_event
from agent.settings import Settings
from agent.store import open_session
from agent.store.linkage import (ClusterVersionRow, LinkDecision, LinkEdge, LinkRun, cluster_members, cluster_table,
                                 current_cluster, latest_decisions, store_memberships)
from agent.store.models import ReviewItem
from tools.errors import CrosswalkError
from tools.linkage import ClusterVersion, connected_components

DECIDED = ("approved", "rejected")


class LinkDecisionError(CrosswalkError):
    """A decision that cannot apply (same record twice, no reason)."""


def constraints(session: Session, keys: set[str]) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]],
                                                            list[tuple[str, str, float]]]:
    """The decisions in force among ``keys``: must-links (with who), cannot-links, and all as labels."""
    decisions = latest_decisions(session, keys)
    must = [(d.unique_id_l, d.unique_id_r, d.actor) for d in decisions if d.clerical_match_score >= 0.5]
    cannot = [(d.unique_id_l, d.unique_id_r) for d in decisions if d.clerical_match_score < 0.5]
    labels = [(d.unique_id_l, d.unique_id_r, d.clerical_match_score) for d in decisions]
    return must, cannot, labels


def decide_pair(session: Session, key_l: str, key_r: str, *, match: bool, actor: str, reason: str,
                review_item_id: str | None = None, run_id: str | None = None) -> ClusterVersion:
    """Record a person's decision on a pair and write the clusters it changes as a new version."""
    if key_l == key_r:
        raise LinkDecisionError("a decision needs two different records")
    if not reason.strip():
        raise LinkDecisionError("a decision needs a reason")
    a, b = sorted((key_l, key_r))
    decision = LinkDecision(unique_id_l=a, unique_id_r=b, clerical_match_score=1.0 if match else 0.0, actor=actor,
                            reason=reason, review_item_id=review_item_id, run_id=run_id)
    session.add(decision)
    session.flush()
    scope = cluster_members(session, current_cluster(session, a)) | cluster_members(session, current_cluster(session, b))
    scope |= {a, b}
    found = [e for e in session.exec(select(LinkEdge).where(LinkEdge.key_l.in_(sorted(scope)))).all()  # type: ignore[attr-defined]
             if e.key_r in scope]
    # Only the latest run's merges count: an older run's edge the model has since dropped must not come back.
    runs = {r.run_id: r.created_at for r in session.exec(
        select(LinkRun).where(LinkRun.run_id.in_(sorted({e.run_id for e in found})))).all()}  # type: ignore[attr-defined]
    latest = max(runs, key=lambda r: runs[r]) if runs else None
    edges = [(e.key_l, e.key_r, e.match_probability) for e in found if e.run_id == latest]
    must, cannot, _ = constraints(session, scope)
    clustering = connected_components(edges, must=must, cannot=cannot)
    table = cluster_table(session, scope)
    version, changed = table.apply(clustering, scope=scope, actor=actor)
    action = "link_merge" if match else "link_split"
    if changed:
        session.add(ClusterVersionRow(version=version, cause="decision", actor=actor, run_id=run_id,
                                      decision_id=decision.id, note=reason))
        session.flush()
        store_memberships(session, version, changed)
    decision.version = version if changed else None
    session.add(decision)
    record_event(session, actor, action, f"pair:{a}|{b}",
                 {"unique_id_l": a, "unique_id_r": b, "clerical_match_score": decision.clerical_match_score,
                  "reason": reason, "review_item_id": review_item_id},
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
                                        review_item_id=item.id, run_id=item.run_id))
    return versions
