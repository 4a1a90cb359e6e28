"""How well a source field's name fits a target field, with a readable reason.

The score combines (see ``name_similarity``):
- concept overlap after abbreviation expansion and synonym merging, weighted so that
  generic words (date, name, number, code) count less than telling ones (birth,
  surname, postcode); the source name must be explained by the target and the target
  field's own name (or title) by the source, and the two coverages are combined as a
  harmonic mean;
- context: the target's parent path names whom or what a field is about. A parent the
  source does not name costs a little, an unnamed party (officer, victim) costs more;
  a parent naming the record's subject (person, detainee, suspect) costs nothing when
  the source names no party at all, since that is what a bare SURNAME means;
- a character-level term for spelling, worth 15%.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from tools.names.concepts import LITERAL, SYNONYM_DISCOUNT, Unit, analyse_name, analyse_text, name_segments
from tools.names.fuzzy import trigram_similarity, word_likeness
from tools.names.thesaurus import Thesaurus, default_thesaurus
from tools.names.tokenise import split_words

CONCEPT_SHARE = 0.85  # the rest of the score is spelling likeness
DESCRIPTION_FACTOR = 0.8  # a word found only in the target's description is weaker evidence
ROLE_PENALTY = 0.25  # target about a party (officer, victim) the source does not name
CONTEXT_PENALTY = 0.08  # any other parent segment the source does not name, per unit of importance
MAX_PENALTY = 0.5


class NameMatch(BaseModel):
    """The name evidence for mapping ``source`` onto ``target``."""

    model_config = ConfigDict(frozen=True)

    source: str
    target: str
    score: float = Field(ge=0.0, le=1.0, description="0..1; higher is a better fit")
    concept_score: float = Field(ge=0.0, le=1.0, description="Concept overlap with context, before spelling")
    spelling_score: float = Field(ge=0.0, le=1.0, description="Character likeness of the names")
    matched_concepts: list[str] = Field(description="Concepts (or words) the two names share")
    explanation: str = Field(description="For a supervisor, e.g. 'SNAME -> surname = family name (thesaurus)'")


class TargetText(NamedTuple):
    """A target field as the name matcher sees it."""

    pointer: str
    title: str | None = None
    description: str | None = None


class _Hit(NamedTuple):
    strength: float
    unit: Unit
    part: str  # where the unit was found: '' (the name), 'parent', 'title', 'description'


class _Link(NamedTuple):
    unit: Unit
    strength: float
    concept: str = ""
    hit: _Hit | None = None
    how: str = ""  # set for spelling/abbreviation likeness


@dataclass(frozen=True, slots=True)
class _Side:
    """Analysed units of one side with the evidence they offer to the other side."""

    units: tuple[Unit, ...]
    evidence: dict[str, _Hit]  # concept -> strongest unit naming it
    words: tuple[tuple[str, _Hit], ...]  # lower-case words for spelling fallbacks
    texts: tuple[str, ...]  # plain strings for the spelling term
    names_a_party: bool  # some unit names whom the field is about (officer, suspect ...)


def _collect(parts: Iterable[tuple[tuple[Unit, ...], str, float]]) -> tuple[dict[str, _Hit], tuple[tuple[str, _Hit], ...]]:
    evidence: dict[str, _Hit] = {}
    words: list[tuple[str, _Hit]] = []
    for units, part, factor in parts:
        for unit in units:
            for concept, strength in unit.concepts:
                current = evidence.get(concept)
                if current is None or strength * factor > current.strength:
                    evidence[concept] = _Hit(strength * factor, unit, part)
            if part != "description":  # descriptions are too wordy for spelling guesses
                words.extend((word, _Hit(factor, unit, part)) for word in unit.words)
    return evidence, tuple(words)


def _plain(text: str) -> str:
    return " ".join(split_words(text)).lower()


@lru_cache(maxsize=8192)
def _source_side(name: str, th: Thesaurus) -> _Side:
    units = analyse_name(name, th)
    evidence, words = _collect([(units, "", 1.0)])
    return _Side(units, evidence, words, (_plain(name),), any(unit.role for unit in units))


@dataclass(frozen=True, slots=True)
class _TargetSide(_Side):
    leaf: tuple[Unit, ...]
    context: tuple[Unit, ...]
    title: tuple[Unit, ...]


@lru_cache(maxsize=8192)
def _target_side(pointer: str, title: str | None, description: str | None, th: Thesaurus) -> _TargetSide:
    units = analyse_name(pointer, th)
    last = max((unit.segment for unit in units), default=0)
    leaf = tuple(unit for unit in units if unit.segment == last)
    context = tuple(unit for unit in units if unit.segment != last)
    title_units = analyse_text(title, th) if title else ()
    description_units = analyse_text(description, th) if description else ()
    evidence, words = _collect([
        (leaf, "", 1.0), (context, "parent", 1.0), (title_units, "title", 1.0),
        (description_units, "description", DESCRIPTION_FACTOR),
    ])
    segments = name_segments(pointer)
    leaf_text = " ".join(segments[-1]).lower() if segments else ""
    texts = (leaf_text, _plain(title)) if title else (leaf_text,)
    names_a_party = any(unit.role for unit in units)
    return _TargetSide(units, evidence, words, texts, names_a_party, leaf, context, title_units)


def _link(unit: Unit, other: _Side) -> _Link:
    """The strongest evidence ``other`` offers for ``unit``."""
    evidence = other.evidence
    best, best_concept, best_hit = 0.0, "", None
    for concept, strength in unit.concepts:
        hit = evidence.get(concept)
        if hit is not None and strength * hit.strength > best:
            best, best_concept, best_hit = strength * hit.strength, concept, hit
    if best == 0.0 and not unit.known:
        return _likeness_link(unit, other)
    return _Link(unit, best, best_concept, best_hit)


def _likeness_link(unit: Unit, other: _Side) -> _Link:
    """For a word the thesaurus does not know: a look-alike word on the other side."""
    best = _Link(unit, 0.0)
    for mine in unit.words:
        if len(mine) < 3 or not mine.isalpha():
            continue  # numbers and one- or two-letter words look like too much
        for word, hit in other.words:
            if word[0] == mine[0]:
                credit, how = word_likeness(mine, word)
                if credit * hit.strength > best.strength:
                    best = _Link(unit, credit * hit.strength, "", hit, how)
    return best


def _coverage(links: list[_Link]) -> float:
    """Importance-weighted share of one side's units the other side explains."""
    total = covered = 0.0
    for link in links:
        total += link.unit.importance
        covered += link.unit.importance * link.strength
    return covered / total if total else 0.0


def _describe(link: _Link) -> str:
    unit, hit = link.unit, link.hit
    assert hit is not None
    left = unit.surface + (f" -> {unit.reading}" if unit.reading else "")
    where = f" ({hit.part})" if hit.part else ""
    if link.how:
        return f"{left} ~ {hit.unit.surface}{where} ({link.how})"
    concept = link.concept
    if concept.startswith(LITERAL):
        expanded = (unit.reading and not unit.respelt) or (hit.unit.reading and not hit.unit.respelt)
        how = "abbreviation" if expanded else "same word"
    elif concept in unit.broader or concept in hit.unit.broader:
        how = f"broader: {concept}"
    else:
        said = f"{left} {hit.unit.surface} {hit.unit.reading}".lower().replace("_", " ")
        how = "thesaurus" + ("" if concept.replace("_", " ") in said else f": {concept}")
        how += ", weak" if link.strength < 0.8 else ""
    return f"{left} = {hit.unit.surface}{where} ({how})"


def _matched_concept(link: _Link) -> str:
    if link.concept and not link.concept.startswith(LITERAL):
        return link.concept
    return link.unit.label


class _Measure(NamedTuple):
    """Numbers of one comparison, with what is needed to explain them."""

    score: float
    concept_score: float
    spelling: float
    source_links: list[_Link]
    target_links: list[_Link]
    context: list[tuple[Unit, bool]]  # parent units: (unit, taken as the subject) / (unit, not named)


def _context(source: _Side, target: _TargetSide) -> tuple[float, list[tuple[Unit, bool]]]:
    """Penalty for parent segments the source does not name, and the units to mention."""
    penalty, notes = 0.0, []
    for unit in target.context:
        if unit.role == "subject" and not source.names_a_party:
            notes.append((unit, True))
            continue
        link = _link(unit, source)
        # A synonym names a parent as well as the word itself does.
        missing = 1.0 - min(1.0, link.strength / SYNONYM_DISCOUNT**2)
        penalty += missing * (ROLE_PENALTY if unit.role else CONTEXT_PENALTY * unit.importance)
        if missing > 0.3:
            notes.append((unit, False))
    return min(MAX_PENALTY, penalty), notes


def _measure(source: _Side, target: _TargetSide) -> _Measure:
    source_links = [_link(unit, target) for unit in source.units]
    source_cover = _coverage(source_links)
    # The target field's own name must be explained by the source; its title may do instead.
    target_links = [_link(unit, source) for unit in target.leaf]
    target_cover = _coverage(target_links)
    if target.title and target_cover < 1.0:
        title_links = [_link(unit, source) for unit in target.title]
        title_cover = _coverage(title_links)
        if title_cover > target_cover:
            target_links, target_cover = title_links, title_cover
    total = source_cover + target_cover
    overlap = 2 * source_cover * target_cover / total if total else 0.0
    penalty, context = _context(source, target)
    concept_score = min(1.0, overlap * (1.0 - penalty))
    spelling = max(trigram_similarity(source.texts[0], text) for text in target.texts)
    score = min(1.0, CONCEPT_SHARE * concept_score + (1.0 - CONCEPT_SHARE) * spelling)
    return _Measure(score, concept_score, spelling, source_links, target_links, context)


def _explain(source_name: str, target_pointer: str, measure: _Measure) -> NameMatch:
    matched = [link for link in measure.source_links if link.strength > 0.0]
    notes = [_describe(link) for link in matched]
    unmatched = [link.unit.surface for link in measure.source_links if link.strength == 0.0]
    if unmatched:
        notes.append("not in target: " + ", ".join(unmatched))
    missing = [link.unit.surface for link in measure.target_links if link.strength == 0.0]
    if missing:
        notes.append("not in source: " + ", ".join(missing))
    for unit, subject in measure.context:
        notes.append(f"'{unit.surface}' " + ("taken as the record's subject" if subject else "not named in source"))
    header = f"concepts {measure.concept_score:.2f}, spelling {measure.spelling:.2f}"
    return NameMatch(
        source=source_name, target=target_pointer, score=measure.score,
        concept_score=measure.concept_score, spelling_score=measure.spelling,
        matched_concepts=list(dict.fromkeys(_matched_concept(link) for link in matched)),
        explanation=header + (": " + "; ".join(notes) if notes else ""),
    )


def name_similarity(
    source_name: str,
    target_pointer: str,
    target_title: str | None = None,
    target_description: str | None = None,
    *,
    thesaurus: Thesaurus | None = None,
) -> NameMatch:
    """Score how well ``source_name`` (a column name or a JSON Pointer) names ``target_pointer``.

    Scores are for ranking candidates of one source against each other and for
    thresholds calibrated by the evals; they are not probabilities.
    """
    th = thesaurus or default_thesaurus()
    source = _source_side(source_name, th)
    target = _target_side(target_pointer, target_title or None, target_description or None, th)
    return _explain(source_name, target_pointer, _measure(source, target))


def rank_targets(
    source_name: str,
    targets: Iterable[TargetText | str],
    *,
    thesaurus: Thesaurus | None = None,
    top: int | None = None,
) -> list[NameMatch]:
    """All targets scored for one source, best first (ties by pointer, for stable output).

    With ``top``, only the best ``top`` are explained, which keeps ranking a whole schema cheap.
    """
    th = thesaurus or default_thesaurus()
    source = _source_side(source_name, th)
    measured = []
    for target in targets:
        text = TargetText(target) if isinstance(target, str) else target
        side = _target_side(text.pointer, text.title or None, text.description or None, th)
        measured.append((text.pointer, _measure(source, side)))
    measured.sort(key=lambda item: (-item[1].score, item[0]))
    chosen = measured[:top] if top is not None else measured
    return [_explain(source_name, pointer, measure) for pointer, measure in chosen]
