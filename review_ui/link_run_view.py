"""What the run page shows for a link run (``Run.kind == "link"``): its linkage counts, not a mapping document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlmodel import Session

from agent.store import Run
from agent.store.linkage import LinkRun, next_version

# (summary key, card label), in the order the page shows them
CARDS: tuple[tuple[str, str], ...] = (
    ("scored_pairs", "Pairs scored"), ("auto_merge_pairs", "Auto-merged pairs"), ("review_pairs", "Review pairs"),
    ("conflicts", "Conflicts"), ("clusters", "Clusters"), ("clustered_records", "Records in clusters"),
    ("held_back_edges", "Merges held back"),
)
ITEM_CARDS: tuple[tuple[str, str], ...] = (("open", "Record merges open"), ("approved", "Merged by people"),
                                           ("rejected", "Kept apart by people"))


@dataclass
class LinkSummary:
    """A link run's inputs and counts, ready for ``_partials/run_link.html``."""

    run: LinkRun | None
    datasets: list[tuple[str, str]] = field(default_factory=list)
    cards: list[tuple[str, Any]] = field(default_factory=list)
    thresholds: dict[str, Any] = field(default_factory=dict)
    labels: int = 0
    notes: list[str] = field(default_factory=list)
    items: int = 0
    latest_version: int | None = None


def link_summary(session: Session, run: Run, item_states: dict[str, int]) -> LinkSummary:
    """The link summary of ``run``: from its ``LinkRun`` row, else (a failed run) from the run's summary."""
    stored = session.get(LinkRun, run.id)
    summary = run.summary or {}
    counts: dict[str, Any] = dict(stored.counts) if stored is not None else dict(summary)
    datasets = [(name, PurePath(str(path)).name) for name, path in (stored.datasets if stored else {}).items()]
    cards = [(label, counts[key]) for key, label in CARDS if key in counts]
    items = sum(item_states.values())
    if items:
        cards += [(label, item_states.get(state, 0) + (item_states.get("edited", 0) if state == "open" else 0))
                  for state, label in ITEM_CARDS]
    label_check = summary.get("label_check") if isinstance(summary.get("label_check"), dict) else {}
    latest = next_version(session) - 1
    return LinkSummary(run=stored, datasets=datasets, cards=cards, thresholds=dict(stored.settings) if stored else {},
                       labels=int(label_check.get("labels", 0) or 0), notes=[str(n) for n in summary.get("notes") or []],
                       items=items, latest_version=latest or None)
