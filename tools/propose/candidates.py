"""Score every (source field, target leaf) pair from name, detector and constraint evidence.

The match score is a noisy-OR of three independent kinds of evidence, each in 0..1:

    score = 1 - (1 - name) * (1 - kind_weight * kind_fit) * (1 - constraint_weight * constraint)

- ``name``: name similarity of the source name with the target pointer, title and
  description (``tools.names``), raised when the schema names the source outright
  (``mentions``: the same property name, or the name quoted in the description);
- ``kind_fit``: the best specific detection of the values (postcode, sex ...) times how
  well that kind names the target;
- ``constraint``: the share of sampled rows that pass the target's own constraints after
  the chosen transform, times how specific those constraints are (an NHS-number pattern
  says more than a string type).

A recalled past approval of the same target (``past``) joins as a fourth term,
``(1 - past_weight * similarity)``; without one the score is exactly the three-term one.

A contradiction vetoes the pair whatever the name says: no transform fits the values
(free text into a date), too few rows pass the target's constraints, or the values are
clearly another kind than the one the target names (full names into a family name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.names import NameMatch, rank_targets
from tools.propose.compatibility import expected_kinds, kind_fit, specificity
from tools.propose.facts import SourceFacts, TargetFacts
from tools.propose.mentions import with_mention
from tools.propose.model import DATE_ONLY, ProposeSettings, reason_code
from tools.propose.past import PastApproval, best_past
from tools.propose.transform_choice import Choice, ChoiceContext, choose_transform

CLEAR_KIND = 0.8  # a detection this sure says what the values are
ABSENT_KIND = 0.3  # below this a detector did not see its kind
DATE_ONLY_FACTOR = 0.9


@dataclass
class Candidate:
    """One way to fill one target: its sources, transform and evidence."""

    target: TargetFacts
    sources: tuple[str, ...]
    choice: Choice
    name: float
    name_explanation: str
    kind: str | None
    kind_fit: float
    score: float
    review: list[str] = field(default_factory=list)
    shape: str = "single"  # single | merge | split | bng
    past: PastApproval | None = None  # the recalled approval counted in ``score``, if any

    @property
    def spec(self) -> Any:
        return self.choice.spec

    @property
    def op(self) -> str:
        return str(self.choice.spec.op)

    @property
    def pointer(self) -> str:
        return self.target.pointer


@dataclass
class Option:
    """What the assignment picks as a unit: one candidate, or a group that only makes sense whole
    (easting + northing -> latitude and longitude; one full name -> family and given names)."""

    members: list[Candidate]
    score: float

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for m in self.members for s in m.sources))

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(m.pointer for m in self.members)

    @property
    def shape(self) -> str:
        return self.members[0].shape

    def sort_key(self) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
        return (-self.score, self.targets, self.sources)


@dataclass
class Scored:
    """All candidates, with the vetoes and best names kept for explanations."""

    candidates: list[Candidate]
    vetoes: dict[tuple[str, str], str]  # (source, target) -> why
    names: dict[tuple[str, str], NameMatch]  # (source, target) -> name evidence

    def best_name(self, source: str) -> NameMatch | None:
        """The target the source's name fits best (ties by pointer), vetoed or not."""
        found = [m for (s, _), m in self.names.items() if s == source]
        return max(found, key=lambda m: (m.score, m.target), default=None)


def combine(name: float, kind: float, constraint: float, settings: ProposeSettings, past: float = 0.0) -> float:
    """The noisy-OR of the kinds of evidence (``past``: similarity of a recalled approval, 0 = none)."""
    miss = (1 - name) * (1 - settings.kind_weight * kind) * (1 - settings.constraint_weight * constraint)
    if past > 0:  # only then: an empty memory leaves every score bit-for-bit as it was
        miss *= 1 - settings.past_weight * past
    return round(1 - miss, 4)


def best_kind(source: SourceFacts, target: TargetFacts) -> tuple[str | None, float]:
    """The specific detection that best supports the target, times its fit."""
    best: tuple[str | None, float] = (None, 0.0)
    for detection in source.specific():
        fit = detection.score * kind_fit(detection.kind, target)
        if fit > best[1]:
            best = (detection.kind, round(fit, 4))
    return best


def contradiction(source: SourceFacts, target: TargetFacts) -> str | None:
    """Values clearly of one kind while the target's name asks for another."""
    wanted = expected_kinds(target)
    if source.score("full_name") >= 0.6 and "full_name" not in wanted and {"family_name", "given_name"} & set(wanted):
        return f"values are full names ({source.score('full_name'):.2f}): {target.pointer} takes them only split"
    if not wanted or any(source.score(kind) >= ABSENT_KIND for kind in wanted):
        return None
    for detection in source.specific(CLEAR_KIND):
        if kind_fit(detection.kind, target) < 0.5 and detection.kind not in ("date", "datetime", "time"):
            return f"values look like {detection.kind} ({detection.score:.2f}); {target.pointer} asks for {' or '.join(wanted)}"
    return None


def score_pair(source: SourceFacts, target: TargetFacts, match: NameMatch, ctx: ChoiceContext) -> Candidate | str:
    """A scored candidate, or the reason the pair is vetoed."""
    settings = ctx.settings
    kind, fit = best_kind(source, target)
    past = best_past(ctx.past.get(source.name, ()), target.pointer, settings.past_min_similarity)
    remembered = past.similarity if past is not None else 0.0
    # the best this pair could reach if every value passed: skip hopeless pairs cheaply
    ceiling = combine(match.score, fit, specificity(target), settings, remembered)
    if ceiling < settings.review_threshold:
        return f"score at most {ceiling:.2f}"
    clash = contradiction(source, target)
    if clash:
        return clash
    choice = choose_transform(source, target, ctx)
    if choice.spec is None:
        return choice.veto or "no transform fits"
    constraint = (choice.rate or 0.0) * choice.specificity
    score = combine(match.score, fit, constraint, settings, remembered)
    if any(reason_code(r) == DATE_ONLY for r in choice.review):
        score = round(score * DATE_ONLY_FACTOR, 4)  # a date and a time column together do better
    return Candidate(target, (source.name,), choice, match.score, match.explanation, kind, fit, score, list(choice.review),
                     past=past)


def score_candidates(sources: list[SourceFacts], targets: list[TargetFacts], ctx: ChoiceContext) -> Scored:
    """Every pair that is not vetoed, best first (ties by target pointer, then source)."""
    texts = [t.text for t in targets]
    by_pointer = {t.pointer: t for t in targets}
    candidates: list[Candidate] = []
    vetoes: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], NameMatch] = {}
    for source in sources:
        for match in rank_targets(source.name, texts):
            target = by_pointer[match.target]
            match = with_mention(match, target.text.title, target.text.description)
            names[(source.name, match.target)] = match
            found = score_pair(source, by_pointer[match.target], match, ctx)
            if isinstance(found, str):
                vetoes[(source.name, match.target)] = found
            else:
                candidates.append(found)
    candidates.sort(key=lambda c: (-c.score, c.pointer, c.sources))
    return Scored(candidates, vetoes, names)
