"""Clusters of records that are one person, and their versions.

Clustering is connected components over the auto-merged pairs, with two kinds of
person decision on top: a must-link (a supervisor approved a merge) always joins, and a
cannot-link (a rejected merge, or a pair the model scored as different people) is never
joined by a chain of model edges. An edge that would break a cannot-link is held back
and reported, so it can become a review item instead of a silent wrong merge.

Versions are append-only: a new assignment writes rows only for the records whose
cluster changed, tagged with the new version number. The cluster of a record at version
V is its latest row at or before V; a record without rows is a cluster of its own.
Undo is a later decision that writes the earlier assignment back as a new version.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tools.linkage.models import Membership

Pair = tuple[str, str]
MODEL = "model"


def singleton_id(key: str) -> str:
    """The cluster id of a record that is alone (stable, so it needs no stored row)."""
    return "c" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.cannot: dict[str, set[str]] = defaultdict(set)

    def find(self, key: str) -> str:
        parent = self.parent.setdefault(key, key)
        if parent != key:
            root = self.find(parent)
            self.parent[key] = root
            return root
        return key

    def violates(self, ra: str, rb: str) -> bool:
        small, other = (ra, rb) if len(self.cannot[ra]) <= len(self.cannot[rb]) else (rb, ra)
        return any(self.find(x) == other for x in self.cannot[small])

    def union(self, ra: str, rb: str) -> str:
        if len(self.cannot[ra]) < len(self.cannot[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.cannot[ra] |= self.cannot.pop(rb, set())
        return ra


@dataclass
class Clustering:
    """Components (only those of two or more records) and the model edges held back."""

    components: list[list[str]] = field(default_factory=list)
    decided_by: list[str] = field(default_factory=list)
    held_back: list[tuple[str, str, float]] = field(default_factory=list)


def connected_components(edges: Iterable[tuple[str, str, float]], *, must: Iterable[tuple[str, str, str]] = (),
                         cannot: Iterable[Pair] = ()) -> Clustering:
    """Cluster: person must-links first, then model edges strongest first, never across a cannot-link."""
    uf = _UnionFind()
    for a, b in cannot:
        uf.cannot[uf.find(a)].add(b)
        uf.cannot[uf.find(b)].add(a)
    actors: dict[str, set[str]] = defaultdict(set)
    for a, b, actor in must:
        ra, rb = uf.find(a), uf.find(b)
        root = uf.union(ra, rb) if ra != rb else ra
        actors[root] |= actors.pop(rb if root == ra else ra, set()) | {actor}
    out = Clustering()
    for a, b, probability in sorted(edges, key=lambda e: -e[2]):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        if uf.violates(ra, rb):
            out.held_back.append((a, b, probability))
            continue
        root = uf.union(ra, rb)
        actors[root] |= actors.pop(rb if root == ra else ra, set())
    groups: dict[str, list[str]] = defaultdict(list)
    for key in list(uf.parent):
        groups[uf.find(key)].append(key)
    for root, members in groups.items():
        if len(members) > 1:
            out.components.append(sorted(members))
            out.decided_by.append(",".join(sorted(actors.get(root, set()))) or MODEL)
    return out


class ClusterTable:
    """The versioned cluster table, held in memory (the application database stores its rows)."""

    def __init__(self, rows: Iterable[tuple[int, Membership]] = ()) -> None:
        self.rows: list[tuple[int, Membership]] = sorted(rows, key=lambda r: r[0])
        self.version = max((v for v, _ in self.rows), default=0)

    def at(self, version: int | None = None) -> dict[str, Membership]:
        """Every record that has ever been clustered -> its membership at ``version`` (default: latest)."""
        state: dict[str, Membership] = {}
        for v, membership in self.rows:
            if version is not None and v > version:
                break
            state[membership.key] = membership
        return state

    def cluster_of(self, key: str, version: int | None = None) -> str:
        found = self.at(version).get(key)
        return found.cluster_id if found else singleton_id(key)

    def members(self, cluster_id: str, version: int | None = None) -> list[str]:
        return sorted(k for k, m in self.at(version).items() if m.cluster_id == cluster_id)

    def apply(self, clustering: Clustering, *, scope: set[str] | None = None,
              actor: str = MODEL) -> tuple[int, list[Membership]]:
        """Write ``clustering`` as the next version; only changed records get rows.

        ``scope`` limits the change to these records (a decision reclusters only the
        clusters it touches); None means the whole table (a new model run). Rows a
        person's decision writes name that person as their decider.
        """
        current = self.at()
        new: dict[str, Membership] = {}
        claimed: set[str] = set()
        for members, decider in sorted(zip(clustering.components, clustering.decided_by), key=lambda c: -len(c[0])):
            old_ids = Counter(current[k].cluster_id for k in members if k in current)
            inherited = next((cid for cid, _ in old_ids.most_common() if cid not in claimed), None)
            cluster_id = inherited or singleton_id("|".join(members))
            claimed.add(cluster_id)
            for key in members:
                new[key] = Membership(key=key, cluster_id=cluster_id, decided_by=decider)
        keys = set(current) | set(new) if scope is None else scope
        changed: list[Membership] = []
        for key in sorted(keys):
            after = new.get(key)
            after_id = after.cluster_id if after else singleton_id(key)
            before = current.get(key)
            if (before.cluster_id if before else singleton_id(key)) == after_id:
                continue  # most records of a big run: no row, and no object made for them
            if after is None or actor != MODEL:
                after = Membership(key=key, cluster_id=after_id, decided_by=actor if actor != MODEL or after is None
                                   else after.decided_by)
            changed.append(after)
        if not changed:
            return self.version, []
        self.version += 1
        self.rows.extend((self.version, m) for m in changed)
        return self.version, changed
