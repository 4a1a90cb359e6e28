"""What the item page shows beyond the stored item: review reasons in plain words, the source profile.

The profile of the source fields comes from the dataset's stored profile (``crosswalk
profile``) or, for a propose run, from the run's own graph checkpoint, which holds the
profile the proposer worked from. Either is read once per run and kept in memory: a
run's profile never changes, and the item page is the one reviewers open most.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlmodel import Session

from agent.settings import Settings
from agent.store import Dataset, Run
from agent.store.models import ReviewItem
from tools.errors import CrosswalkError

log = logging.getLogger(__name__)

# Review reason codes (tools.propose.model) in words a supervisor reads at a glance.
REASON_WORDS: dict[str, str] = {
    "merge": "Several source fields are combined into this one target field.",
    "day_month_undecidable": "The values do not show whether dates are day-first or month-first.",
    "unplaced_values": "Some source values are not placed on the target's allowed values.",
    "heuristic_value_map": "Some values were placed on the target's values by their first word only.",
    "low_name_evidence": "The field names say little about this match; it rests on the values.",
    "conflicting_candidates": "Another candidate scored almost as well as this one.",
    "name_order_undecidable": "The values do not show whether names are written surname-first or forename-first.",
    "date_only": "A date without a time feeds a date-time target: the time of day is taken as midnight.",
    "no_sample_values": "No sampled row has a value for the source field(s), so nothing could be validated.",
    "low_confidence": "The confidence is below the level at which fields are accepted automatically.",
    "validation_failures": "Too many sampled rows fail the transform or the target's rules.",
}

_PROFILE_CACHE_SIZE = 128


@dataclass(frozen=True)
class ReviewReason:
    """One reason an item needs a person: a plain headline and the proposer's own detail."""

    code: str
    headline: str
    detail: str


def review_reasons(field: dict[str, Any]) -> list[ReviewReason]:
    """The field's review reasons (``code: detail`` strings) in plain words."""
    found: list[ReviewReason] = []
    for text in field.get("review_reasons") or []:
        code, _, detail = str(text).partition(":")
        code = code.strip()
        headline = REASON_WORDS.get(code)
        if headline is None:  # a reason this page does not know yet: show it as written
            found.append(ReviewReason(code="other", headline=str(text), detail=""))
        else:
            found.append(ReviewReason(code=code, headline=headline, detail=detail.strip()))
    return found


class _ProfileCache:
    """Run profiles by (data dir, run id), least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: OrderedDict[tuple[str, str], dict[str, Any] | None] = OrderedDict()
        self.lock = Lock()

    def get(self, key: tuple[str, str]) -> tuple[bool, dict[str, Any] | None]:
        with self.lock:
            if key not in self.found:
                return False, None
            self.found.move_to_end(key)
            return True, self.found[key]

    def put(self, key: tuple[str, str], value: dict[str, Any] | None) -> None:
        with self.lock:
            self.found[key] = value
            self.found.move_to_end(key)
            while len(self.found) > self.size:
                self.found.popitem(last=False)


_profiles = _ProfileCache(_PROFILE_CACHE_SIZE)


def _checkpoint_profile(settings: Settings, run_id: str) -> dict[str, Any] | None:
    """The source profile in the run's latest graph checkpoint (None when there is none)."""
    from agent.graph import open_checkpointer, thread_config  # late: only item pages need langgraph

    try:
        with open_checkpointer(settings.data_dir) as saver:
            found = saver.get_tuple(thread_config(run_id))  # type: ignore[arg-type]
    except (CrosswalkError, sqlite3.Error, OSError) as exc:
        log.warning("no checkpoint profile for run %s: %s", run_id, exc)
        return None
    if found is None:
        return None
    profile = found.checkpoint.get("channel_values", {}).get("source_profile")
    return profile if isinstance(profile, dict) else None


def run_profile(settings: Settings, session: Session, run: Run | None) -> dict[str, Any] | None:
    """The source profile behind a run: the dataset's stored one, else the run's checkpoint."""
    if run is None:
        return None
    key = (str(settings.data_dir), run.id)
    known, profile = _profiles.get(key)
    if known:
        return profile
    dataset = session.get(Dataset, run.dataset_id) if run.dataset_id else None
    profile = dataset.profile if dataset is not None and dataset.profile else None
    if profile is None and run.kind == "propose":
        profile = _checkpoint_profile(settings, run.id)
    _profiles.put(key, profile)
    return profile


def field_profiles(profile: dict[str, Any] | None, sources: list[str]) -> list[dict[str, Any]]:
    """The profile entries of ``sources``, in the order of ``sources`` (unprofiled ones left out)."""
    if not profile:
        return []
    by_name = {str(f.get("name")): f for f in profile.get("fields") or [] if isinstance(f, dict)}
    return [by_name[s] for s in sources if s in by_name]


def source_fields(profile: dict[str, Any] | None, item: ReviewItem) -> list[str]:
    """The source's field names, for choosing other sources in an edit.

    From the profile; without one, the fields the proposal itself names (its sources and
    the alternatives it considered), so the form still offers something sensible.
    """
    fields = [str(f) for f in ((profile or {}).get("source") or {}).get("fields") or []]
    if fields:
        return fields
    named: list[str] = list(item.proposal.get("field", {}).get("sources") or [])
    for alternative in (item.proposal.get("evidence") or {}).get("alternatives") or []:
        named.extend(str(s) for s in alternative.get("sources") or [])
    return list(dict.fromkeys(named))
