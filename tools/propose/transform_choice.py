"""Choose the transform for one (source field, target leaf) pair from the evidence, and try it.

Every choice is tried on the column's distinct sample values against the leaf's own
constraints; the pass rate is value evidence for the match, and a rate below
``settings.veto_rate`` vetoes the pair (free text never becomes a date). Where several
normalisations could satisfy a pattern (postcode spacing, VRM, NHS number, upper case)
each is tried and the best kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tools.propose.compatibility import LeafChecker, Trial, specificity, trial
from tools.propose.facts import SourceFacts, TargetFacts
from tools.propose.model import HEURISTIC_MAP, UNPLACED, ProposeSettings, reason
from tools.propose.past import PastEvidence
from tools.propose.temporal_choice import date_transform, datetime_transform, time_transform
from tools.propose.value_maps import build_boolean_map, build_value_map
from tools.transforms import (Copy, NhsNumber, NiNumber, Phone, Postcode, Text, ToBoolean, ToInteger, ToNumber,
                              ValueMap, Vrm)

MAX_ENUM_SOURCE_VALUES = 200  # more distinct values than this is not a code list
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
# Normalisers a pattern may need, tried only when a detector saw their kind.
_NORMALISERS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("postcode", (Postcode(space=True), Postcode(space=False))),
    ("vrm", (Vrm(space=False), Vrm(space=True))),
    ("nhs_number", (NhsNumber(style="digits"), NhsNumber(style="spaced"))),
    ("ni_number", (NiNumber(space=False), NiNumber(space=True))),
    ("phone", (Phone(),)),
)


@dataclass
class Choice:
    """A transform for one pair, or the reason no transform fits (``spec`` None)."""

    spec: Any = None
    why: str = ""
    review: list[str] = field(default_factory=list)
    rate: float | None = None  # share of sampled rows passing the leaf's constraints
    specificity: float = 0.0
    compatibility: dict[str, str] = field(default_factory=dict)
    veto: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ChoiceContext:
    settings: ProposeSettings
    timezone: str
    checkers: dict[str, LeafChecker] = field(default_factory=dict)
    past: PastEvidence = field(default_factory=dict)  # recalled approvals by source field (retrieve step)

    def checker(self, target: TargetFacts) -> LeafChecker:
        found = self.checkers.get(target.pointer)
        if found is None:
            found = self.checkers[target.pointer] = LeafChecker(target.field)
        return found


def choose_transform(source: SourceFacts, target: TargetFacts, ctx: ChoiceContext) -> Choice:
    """The transform that writes ``source`` into ``target``, tried on the sample."""
    kind = target.kind
    if kind in ("date", "datetime", "time"):
        return _temporal(source, target, ctx)
    if kind == "enum":
        return _enum(source, target, ctx)
    if kind == "boolean":
        return _boolean(source, target, ctx)
    if kind in ("integer", "number"):
        return _numeric(source, target, ctx)
    if kind in ("pattern", "email"):
        return _patterned(source, target, ctx)
    if kind == "string":
        spec: Any = Copy() if _native_non_text(source) else Text()
        return _tried(Choice(spec, "text, trimmed with inner spaces collapsed" if isinstance(spec, Text) else "copied as is"),
                      source, target, ctx, veto_below=0.0)
    return _tried(Choice(Copy(), "copied as is (the target takes any type)"), source, target, ctx, veto_below=0.0)


def _null_values(source: SourceFacts) -> tuple[str, ...]:
    """Placeholders such as N/A and UNKNOWN: no value, for typed targets."""
    return tuple(str(v.value).strip() for v in source.profile.null_like_values)


def _native_non_text(source: SourceFacts) -> bool:
    return bool(set(source.profile.type_counts) & {"date", "datetime", "time"})


def _tried(choice: Choice, source: SourceFacts, target: TargetFacts, ctx: ChoiceContext, veto_below: float | None = None) -> Choice:
    """Try the chosen spec on the sample; veto it when too few values pass."""
    result: Trial = trial(choice.spec, source.distinct, ctx.checker(target), ctx.settings.trial_values)
    choice.rate = round(result.rate, 4) if result.rows else None
    choice.failures = result.failures
    limit = ctx.settings.veto_rate if veto_below is None else veto_below
    if result.rows and result.rate < limit:
        first = f" (e.g. {result.failures[0][0]!r}: {result.failures[0][1]})" if result.failures else ""
        return Choice(veto=f"only {result.rate:.0%} of sampled rows fit {target.kind} {target.pointer}{first}")
    if not choice.specificity:
        choice.specificity = specificity(target)
    if choice.rate is not None:
        choice.compatibility.setdefault(target.kind, f"{choice.rate:.0%} of sampled rows pass after the transform")
    return choice


def _temporal(source: SourceFacts, target: TargetFacts, ctx: ChoiceContext) -> Choice:
    year = ctx.settings.today().year
    if target.kind == "date":
        found = date_transform(source, target, year)
    elif target.kind == "datetime":
        found = datetime_transform(source, target, ctx.timezone, year)
    else:
        found = time_transform(source)
    if found is None:
        return Choice(veto=f"no {target.kind} format reads the values (profiled as {source.profile.inferred_type})")
    spec = found.spec.model_copy(update={"null_values": _null_values(source)}) if _null_values(source) else found.spec
    return _tried(Choice(spec, found.why, list(found.review)), source, target, ctx)


def _enum(source: SourceFacts, target: TargetFacts, ctx: ChoiceContext) -> Choice:
    if len(source.distinct) > MAX_ENUM_SOURCE_VALUES:
        return Choice(veto=f"{len(source.distinct)} distinct values is not a code list")
    vm = build_value_map([(t, n) for t, (_, n) in zip(source.texts(), source.distinct)], target.field.enum or [])
    if not vm.mapping or vm.placed_share < ctx.settings.veto_rate:
        return Choice(veto=f"only {vm.placed_share:.0%} of sampled rows have a value in the enum of {target.pointer}")
    spec = ValueMap(mapping=vm.mapping, null_values=tuple(vm.null_values))
    review = []
    if vm.unplaced:
        shown = ", ".join(repr(v) for v in vm.unplaced[:5]) + (" ..." if len(vm.unplaced) > 5 else "")
        review.append(reason(UNPLACED, f"{len(vm.unplaced)} source value(s) not placed on the enum: {shown} ({1 - vm.placed_share:.0%} of rows)"))
    guessed = vm.guessed()
    if guessed:
        review.append(reason(HEURISTIC_MAP, f"{len(guessed)} value(s) placed by their first word only, e.g. {guessed[0]!r} -> {vm.mapping[guessed[0]]!r}"))
    hows = sorted(set(vm.how.values()))
    why = f"value map of {len(vm.mapping)} source value(s) onto the enum ({', '.join(hows)}" + (f"; {vm.domain} vocabulary)" if vm.domain else ")")
    choice = Choice(spec, why, review, specificity=specificity(target, vm.strength))
    choice.compatibility["enum"] = f"{vm.placed_share:.0%} of sampled rows placed ({len(vm.mapping)} values mapped, {len(vm.unplaced)} not)"
    return _tried(choice, source, target, ctx, veto_below=0.0)


def _boolean(source: SourceFacts, target: TargetFacts, ctx: ChoiceContext) -> Choice:
    if len(source.distinct) > 12:
        return Choice(veto=f"{len(source.distinct)} distinct values is not a yes/no flag")
    bm = build_boolean_map([(t, n) for t, (_, n) in zip(source.texts(), source.distinct)])
    if not (bm.true_values or bm.false_values) or bm.placed_share < ctx.settings.veto_rate:
        return Choice(veto=f"only {bm.placed_share:.0%} of sampled rows read as yes/no")
    spec = ToBoolean(true_values=tuple(bm.true_values) or ("true",), false_values=tuple(bm.false_values) or ("false",),
                     null_values=tuple(bm.null_values))
    review = []
    if bm.unplaced:
        review.append(reason(UNPLACED, f"{len(bm.unplaced)} value(s) read as neither true nor false: {', '.join(map(repr, bm.unplaced[:5]))}"))
    why = f"yes/no flag: true {list(spec.true_values)}, false {list(spec.false_values)}"
    return _tried(Choice(spec, why, review), source, target, ctx, veto_below=0.0)


def _numeric(source: SourceFacts, target: TargetFacts, ctx: ChoiceContext) -> Choice:
    texts = [t for t in source.texts()[: ctx.settings.trial_values]]
    nulls = _null_values(source)
    thousands = "," if any(_THOUSANDS.match(t) for t in texts) else None
    if target.kind == "integer":
        spec: Any = ToInteger(thousands_separator=thousands, null_values=nulls)
        why = "whole numbers" + (" with ',' thousands separators" if thousands else "")
    else:
        comma = thousands is None and not any("." in t for t in texts) and any(_DECIMAL_COMMA.match(t) for t in texts)
        spec = ToNumber(decimal_comma=comma, thousands_separator=thousands, null_values=nulls)
        why = "numbers" + (" with a decimal comma" if comma else "") + (" with ',' thousands separators" if thousands else "")
    return _tried(Choice(spec, why), source, target, ctx)


def _patterned(source: SourceFacts, target: TargetFacts, ctx: ChoiceContext) -> Choice:
    """Try the normalisations the detectors suggest, then plain and upper-case text; keep the best."""
    nulls = _null_values(source)
    options: list[tuple[Any, str]] = []
    for kind, specs in _NORMALISERS:
        if source.score(kind) >= 0.3:
            options += [(s, f"{kind} normalised ({s.model_dump(exclude={'op', 'null_values'})})") for s in specs]
    options += [(Text(), "text, trimmed"), (Text(case="upper"), "text, upper case")]
    checker = ctx.checker(target)
    best: tuple[float, int, Any, str, Trial] | None = None
    for order, (spec, why) in enumerate(options):
        spec = spec.model_copy(update={"null_values": nulls}) if nulls else spec
        result = trial(spec, source.distinct, checker, ctx.settings.trial_values)
        if best is None or result.rate > best[0]:
            best = (result.rate, order, spec, why, result)
        if result.rate == 1.0:
            break  # options are in order of preference
    assert best is not None
    rate, _, spec, why, result = best
    what = f"pattern {target.field.pattern!r}" if target.kind == "pattern" else "email format"
    choice = Choice(spec, f"{why}; {rate:.0%} of sampled rows match the {what}")
    return _tried(choice, source, target, ctx)
