"""Choose one global assignment from the scored options.

Greedy by score (ties by target pointer, then sources, so runs are reproducible):

1. primary pass: an option is taken when none of its targets is filled and none of its
   sources is used yet; each target is filled once, each source used once (a group
   option uses its sources once for all its targets);
2. section coherence: options within ``coherence_bonus`` of each other are reordered
   towards the parent objects the first pass filled most ('Outcome' of a stop and search
   goes to /stop_search/outcome when /stop_search/... already holds its siblings), and
   the passes are run again;
3. secondary pass: a source already used may feed one more empty target when the option
   is strong (``secondary_min_score``) and writes a different view of the values, i.e.
   uses another transform op ('Crime type' as text and as a category code; an easting as
   itself and, converted, as a longitude).

Conflicts are recorded for routing: a chosen option has a rival when another option for
its source or target scored within ``conflict_margin`` and was not itself satisfied.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tools.propose.candidates import Candidate, Option
from tools.propose.model import ProposeSettings

STRONG_FOR_COHERENCE = 0.7


@dataclass
class Assignment:
    chosen: list[Option] = field(default_factory=list)
    filled: dict[str, Candidate] = field(default_factory=dict)  # target -> chosen member
    uses: dict[str, list[Candidate]] = field(default_factory=dict)  # source -> members using it
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # target -> rival descriptions


def assign(options: list[Option], settings: ProposeSettings) -> Assignment:
    """The chosen options, with conflicts noted."""
    ordered = sorted((o for o in options if o.score >= settings.review_threshold), key=Option.sort_key)
    first = _greedy(ordered, settings)
    support = _section_support(first)
    if settings.coherence_bonus > 0 and support:
        def adjusted(option: Option) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
            bonus = sum(min(1.0, max(0, support[m.target.parent] - _self(first, m)) / 3) for m in option.members)
            return (-(option.score + settings.coherence_bonus * bonus / len(option.members)), option.targets, option.sources)
        ordered = sorted(ordered, key=adjusted)
    result = _greedy(ordered, settings)
    _find_conflicts(result, ordered, settings)
    return result


def _self(assignment: Assignment, member: Candidate) -> int:
    """1 when this very member counted towards its section's support in the first pass."""
    chosen = assignment.filled.get(member.pointer)
    return int(chosen is member and member.score >= STRONG_FOR_COHERENCE)


def _section_support(assignment: Assignment) -> Counter[str]:
    return Counter(m.target.parent for m in assignment.filled.values() if m.score >= STRONG_FOR_COHERENCE)


def _take(result: Assignment, option: Option) -> None:
    result.chosen.append(option)
    for member in option.members:
        result.filled[member.pointer] = member
        for source in member.sources:
            result.uses.setdefault(source, []).append(member)


def _greedy(ordered: list[Option], settings: ProposeSettings) -> Assignment:
    result = Assignment()
    for option in ordered:
        if any(t in result.filled for t in option.targets) or any(s in result.uses for s in option.sources):
            continue
        _take(result, option)
    secondary: set[str] = set()
    for option in ordered:
        if option.score < settings.secondary_min_score or any(t in result.filled for t in option.targets):
            continue
        if any(s in secondary for s in option.sources):
            continue
        ops = {m.op for s in option.sources for m in result.uses.get(s, [])}
        if not ops or any(m.op in ops for m in option.members):
            continue  # unused sources belong to the primary pass; same op = same view twice
        _take(result, option)
        secondary.update(option.sources)
    return result


def _find_conflicts(result: Assignment, ordered: list[Option], settings: ProposeSettings) -> None:
    chosen_ids = {id(o) for o in result.chosen}
    for option in ordered:
        if id(option) in chosen_ids:
            continue
        for member in option.members:
            for rival_of in _rivalled(result, member, settings):
                note = f"{'+'.join(member.sources)} -> {member.pointer} scored {member.score:.2f}"
                result.conflicts.setdefault(rival_of, [])
                if note not in result.conflicts[rival_of]:
                    result.conflicts[rival_of].append(note)


def _rivalled(result: Assignment, rival: Candidate, settings: ProposeSettings) -> list[str]:
    """Targets of chosen members this unchosen candidate nearly beat, on the same source or target."""
    hits: list[str] = []
    holder = result.filled.get(rival.pointer)
    # same target, other sources: a real rival only if its own sources are not better used elsewhere
    if holder is not None and set(holder.sources) != set(rival.sources) and rival.score >= holder.score - settings.conflict_margin:
        better_elsewhere = any(m.score > rival.score for s in rival.sources for m in result.uses.get(s, []))
        if not better_elsewhere:
            hits.append(holder.pointer)
    # same source, other target: a rival only if that target is empty or held by something weaker
    for source in rival.sources:
        for member in result.uses.get(source, []):
            if member.pointer == rival.pointer or member.op != rival.op and member.shape == "single" and rival.shape == "single":
                continue
            if rival.score >= member.score - settings.conflict_margin:
                other = result.filled.get(rival.pointer)
                if other is None or other.score < rival.score:
                    hits.append(member.pointer)
    return hits
