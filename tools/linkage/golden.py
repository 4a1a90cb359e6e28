"""The golden record of a cluster: one value per person field, with the dataset and row it came from.

Rules, in order: the value most members agree on (agreement); among equals, the one from
the most recent record (most_recent, by the record's own date); then the one from the
record with the most person fields filled (most_complete). A field only one member has is
taken as it is (only). Values are compared in normal form (upper case, single spaces) so
'smith' and 'SMITH' agree, and the value shown is the first source's own spelling.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tools.linkage.models import GoldenValue
from tools.linkage.records import split_key


def _flat(person: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in person.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{name}/"))
        elif value not in (None, ""):
            out[f"{prefix}{name}"] = value
    return out


def _norm(value: Any) -> Any:
    return " ".join(value.upper().split()) if isinstance(value, str) else value


def golden_record(members: dict[str, dict[str, Any]]) -> dict[str, GoldenValue]:
    """``members``: record key -> {"person": {...}, "record_date": str | None}; field path -> chosen value."""
    flats = {key: _flat(m.get("person") or {}) for key, m in members.items()}
    dates = {key: m.get("record_date") or "" for key, m in members.items()}
    fields: dict[str, list[str]] = defaultdict(list)
    for key, flat in flats.items():
        for name in flat:
            fields[name].append(key)
    golden: dict[str, GoldenValue] = {}
    for name in sorted(fields):
        holders = fields[name]
        votes: dict[Any, list[str]] = defaultdict(list)
        for key in holders:
            votes[_norm(flats[key][name])].append(key)
        ranked = sorted(votes.items(), key=lambda kv: (-len(kv[1]), -max(len(flats[k]) for k in kv[1])))
        best_count = len(ranked[0][1])
        tied = [kv for kv in ranked if len(kv[1]) == best_count]
        if len(holders) == 1:
            rule, source = "only", holders[0]
        elif len(tied) == 1 and best_count > 1:
            rule, source = "agreement", max(tied[0][1], key=lambda k: (dates[k], len(flats[k])))
        else:
            candidates = [k for _, keys in tied for k in keys]
            newest = max(dates[k] for k in candidates)
            if newest and sum(1 for k in candidates if dates[k] == newest) == 1:
                rule, source = "most_recent", next(k for k in candidates if dates[k] == newest)
            else:
                rule, source = "most_complete", max(candidates, key=lambda k: (len(flats[k]), k))
        dataset, row = split_key(source)
        chosen = flats[source][name]
        golden[name] = GoldenValue(value=chosen, dataset=dataset, row=row, rule=rule,  # type: ignore[arg-type]
                                   alternatives=[flats[k][name] for k in holders if _norm(flats[k][name]) != _norm(chosen)])
    return golden
