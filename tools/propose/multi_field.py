"""Proposals that join or split fields.

- many-to-one: a date column and a time column whose names share a stem once the date
  and time words are dropped (``ARREST DATE`` / ``ARREST TIME``, ``Date Received`` /
  ``Time Received``) -> one date-time target (``combine_date_time``);
- many-to-one, two targets: an easting and a northing column that land in Great Britain
  together (``detect_bng_pair``) -> latitude and longitude (``bng_to_wgs84``);
- one-to-many: a column of full names -> family and given names of one party
  (``split_name``, the order read from the detector's evidence); a column named after
  the party ('Victim') counts as naming that party's name fields;
- many-to-one: numbered columns of one stem ('FNAME1', 'FNAME2') -> one text target that
  both name about equally (``join``).

Each is an ``Option`` that the assignment takes whole or not at all. Merges and joins
always go to review; a split goes to review when the name order cannot be told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tools.detectors import detect_bng_pair
from tools.names import name_similarity
from tools.propose.candidates import Candidate, Option, Scored, combine
from tools.propose.compatibility import kind_fit, specificity, trial
from tools.propose.facts import SourceFacts, TargetFacts, is_blank_value
from tools.propose.model import MERGE, NAME_ORDER, reason
from tools.propose.temporal_choice import combine_transform, pick_format, time_format
from tools.propose.transform_choice import Choice, ChoiceContext
from tools.transforms import BngToWgs84, Join, SplitName

_TEMPORAL_LABELS = frozenset({"date", "time", "datetime", "hour", "minute", "timestamp"})
BNG_PAIR_MIN = 0.8
FULL_NAME_MIN = 0.6
JOINT_NAME_CAP = 0.95
JOIN_NAME_SPREAD = 0.15
_NUMBERED = re.compile(r"^(?P<stem>.*?[A-Za-z])[\s_\-.]*(?P<n>\d{1,2})$")


@dataclass
class Context:
    sources: list[SourceFacts]
    targets: list[TargetFacts]
    scored: Scored
    ctx: ChoiceContext

    def name(self, source: str, target: str) -> tuple[float, str]:
        match = self.scored.names.get((source, target))
        return (match.score, match.explanation) if match else (0.0, "")


def stem(source: SourceFacts) -> frozenset[str]:
    """What a name says once its date and time words are dropped: 'ARREST DATE' -> {arrest}."""
    return frozenset(unit.label for unit in source.units if unit.label not in _TEMPORAL_LABELS)


def _aligned(sources: tuple[SourceFacts, ...]) -> list[tuple[tuple[Any, ...], int]]:
    """Distinct aligned value tuples (rows where any is set), commonest first."""
    counts: dict[tuple[Any, ...], int] = {}
    for key in zip(*(s.values for s in sources)):
        if all(is_blank_value(v) for v in key):
            continue
        try:
            counts[key] = counts.get(key, 0) + 1
        except TypeError:  # unhashable JSON values cannot be paired
            continue
    return sorted(counts.items(), key=lambda item: -item[1])


def _member(cx: Context, target: TargetFacts, sources: tuple[SourceFacts, ...], spec: Any, why: str,
            review: list[str], kind: str | None, fit: float, shape: str,
            extra_name: tuple[float, str] | None = None, joint_name: bool = False) -> Candidate | None:
    """A group member tried on the aligned sample values; None when too few rows pass.

    Its name evidence is the best of its sources' names (``joint_name``: their noisy-OR, when
    every source names the target), or ``extra_name`` when that is better.
    """
    inputs = _aligned(sources) if len(sources) > 1 else [((raw,), n) for raw, n in sources[0].distinct]
    result = trial(spec, inputs, cx.ctx.checker(target), cx.ctx.settings.trial_values)
    if result.rows and result.rate < cx.ctx.settings.veto_rate:
        return None
    rate = round(result.rate, 4) if result.rows else None
    spec_level = specificity(target)
    choice = Choice(spec, why, list(review), rate, spec_level, failures=result.failures)
    if rate is not None:
        choice.compatibility[target.kind] = f"{rate:.0%} of sampled rows pass after the transform"
    names = [cx.name(s.name, target.pointer) for s in sources]
    name, explanation = max(names, key=lambda n: n[0])
    if joint_name:
        miss = 1.0
        for score, _ in names:
            miss *= 1 - score
        name, explanation = round(min(JOINT_NAME_CAP, 1 - miss), 4), " | ".join(e for _, e in names)
    if extra_name is not None and extra_name[0] > name:
        name, explanation = extra_name
    score = combine(name, fit, (rate or 0.0) * spec_level, cx.ctx.settings)
    return Candidate(target, tuple(s.name for s in sources), choice, name, explanation, kind, round(fit, 4), score,
                     list(review), shape)


def date_time_merges(cx: Context) -> list[Option]:
    """Date + time columns sharing a stem, into each date-time target."""
    dates = [s for s in cx.sources if pick_format(s, {"date"})[0] is not None or _midnight_datetimes(s)]
    times = [s for s in cx.sources if s.profile.inferred_type not in ("date", "datetime") and time_format(s) is not None
             and (s.score("time") >= 0.5 or "time" in s.concepts())]
    options: list[Option] = []
    for d in dates:
        for t in times:
            if d.name == t.name or stem(d) != stem(t):
                continue
            merge_note = reason(MERGE, f"date {d.name!r} and time {t.name!r} combined")
            for target in (x for x in cx.targets if x.kind == "datetime"):
                found = combine_transform(d, t, target, cx.ctx.timezone, cx.ctx.settings.today().year)
                if found is None:
                    continue
                member = _member(cx, target, (d, t), found.spec, found.why, [merge_note, *found.review], None, 0.0, "merge")
                if member is not None:
                    options.append(Option([member], member.score))
    return options


def _midnight_datetimes(source: SourceFacts) -> bool:
    ev = source.by_kind.get("date")
    return bool(ev and ev.evidence.get("time_always_midnight")) and pick_format(source, {"datetime"})[0] is not None


def _by_parent(targets: list[TargetFacts], concept: str, kinds: tuple[str, ...]) -> dict[str, TargetFacts]:
    found: dict[str, TargetFacts] = {}
    for target in targets:
        if concept in target.concepts and target.kind in kinds:
            found.setdefault(target.parent, target)
    return found


def bng_conversions(cx: Context) -> list[Option]:
    """Easting + northing columns landing in Great Britain -> latitude and longitude of one parent."""
    eastings = [s for s in cx.sources if s.score("bng_easting") >= 0.3 or "easting" in s.concepts()]
    northings = [s for s in cx.sources if s.score("bng_northing") >= 0.3 or "northing" in s.concepts()]
    lats = _by_parent(cx.targets, "latitude", ("number", "integer", "string", "pattern"))
    lons = _by_parent(cx.targets, "longitude", ("number", "integer", "string", "pattern"))
    options: list[Option] = []
    for e in eastings:
        for n in northings:
            if e.name == n.name:
                continue
            pair = detect_bng_pair(e.values, n.values)
            if pair.score < BNG_PAIR_MIN:
                continue
            note = reason(MERGE, f"easting {e.name!r} and northing {n.name!r} converted from British National Grid ({pair.score:.2f} of pairs on GB land)")
            for parent in sorted(set(lats) & set(lons)):
                members = []
                for output, target in (("latitude", lats[parent]), ("longitude", lons[parent])):
                    fit = pair.score * kind_fit(output, target)
                    member = _member(cx, target, (e, n), BngToWgs84(output=output), f"BNG easting/northing to WGS84 {output}",
                                     [note], "bng_pair", fit, "bng")
                    if member is not None:
                        members.append(member)
                if len(members) == 2:
                    options.append(Option(members, round(sum(m.score for m in members) / 2, 4)))
    return options


def _party_name(cx: Context, source: SourceFacts, target: TargetFacts) -> tuple[float, str]:
    """How well the source names the party the target belongs to ('Victim' names /victim)."""
    parent = target.parent
    if not parent:
        return 0.0, ""
    titles, descriptions = target.field.parent_titles, target.field.parent_descriptions
    match = name_similarity(source.name, parent, titles[-1] if titles else None, descriptions[-1] if descriptions else None)
    return match.score, f"names the party {parent}: {match.explanation}"


def name_splits(cx: Context) -> list[Option]:
    """A full-name column -> the family and given names of one party (named by the source or not)."""
    families = _by_parent(cx.targets, "surname", ("string", "pattern"))
    givens = _by_parent(cx.targets, "forename", ("string", "pattern"))
    options: list[Option] = []
    for source in cx.sources:
        detection = source.by_kind.get("full_name")
        if detection is None or detection.score < FULL_NAME_MIN:
            continue
        order = detection.evidence.get("order", "unknown")
        review: list[str] = []
        if order not in ("surname_first", "forename_first"):
            comma = bool(detection.evidence.get("signals", {}).get("comma"))
            decided = "surname_first" if comma else "forename_first"
            review.append(reason(NAME_ORDER, f"name order is {order}; proposed {decided.replace('_', ' ')}"))
            order = decided
        for parent in sorted(set(families) & set(givens)):
            members = []
            for part, target, kind in (("family", families[parent], "family_name"), ("given", givens[parent], "given_name")):
                fit = detection.score * kind_fit(kind, target)
                spec = SplitName(order=order, part=part)
                why = f"{part} name split from full names written {order.replace('_', ' ')}"
                member = _member(cx, target, (source,), spec, why, review, "full_name", fit, "split",
                                 extra_name=_party_name(cx, source, target))
                if member is not None:
                    members.append(member)
            if len(members) == 2:
                options.append(Option(members, round(sum(m.score for m in members) / 2, 4)))
    return options


def numbered_joins(cx: Context) -> list[Option]:
    """Numbered columns of one stem ('FNAME1', 'FNAME2') -> one text target that names them all."""
    stems: dict[str, list[tuple[int, SourceFacts]]] = {}
    for source in cx.sources:
        found = _NUMBERED.match(source.name.rsplit("/", 1)[-1])
        if found:
            stems.setdefault(found["stem"].lower(), []).append((int(found["n"]), source))
    options: list[Option] = []
    for members in stems.values():
        if len(members) < 2 or len({n for n, _ in members}) < len(members):
            continue
        group = tuple(s for _, s in sorted(members, key=lambda item: item[0]))
        note = reason(MERGE, f"{len(group)} numbered fields joined with spaces: {', '.join(repr(s.name) for s in group)}")
        for target in cx.targets:
            # a numbered target ('line1') takes its own numbered column, not a join
            if target.kind != "string" or any(ch.isdigit() for ch in target.field.name):
                continue
            names = [cx.name(s.name, target.pointer)[0] for s in group]
            # every member must name the target, and about equally: a schema that tells them apart wants them apart
            if min(names) < cx.ctx.settings.low_name_score or max(names) - min(names) > JOIN_NAME_SPREAD:
                continue
            member = _member(cx, target, group, Join(separator=" "), "numbered fields joined with single spaces",
                             [note], None, 0.0, "merge", joint_name=True)
            if member is not None:
                options.append(Option([member], member.score))
    return options


def group_options(sources: list[SourceFacts], targets: list[TargetFacts], scored: Scored, ctx: ChoiceContext) -> list[Option]:
    """Every merge, conversion, join and split the data supports."""
    cx = Context(sources, targets, scored, ctx)
    return [*date_time_merges(cx), *bng_conversions(cx), *name_splits(cx), *numbered_joins(cx)]
