"""The domain thesaurus, loaded from data and compiled into lookup tables.

``thesaurus.json`` beside this module holds general UK police vocabulary. A force adds
its own words with extension files of the same shape (see ``ThesaurusFile``):
``load_thesaurus("force_words.json")``. Extensions add stopwords, importance and
groups, and replace abbreviations of the same spelling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import ValidationError

from tools.errors import CrosswalkError
from tools.names.stem import stem
from tools.names.thesaurus_file import ThesaurusFile
from tools.names.tokenise import tokenise

DEFAULT_PATH = Path(__file__).with_name("thesaurus.json")


class ThesaurusError(CrosswalkError):
    """A thesaurus file cannot be read or does not fit ``ThesaurusFile``."""

    def __init__(self, path: str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True, slots=True)
class Expansion:
    """What an abbreviation may stand for."""

    readings: tuple[tuple[str, ...], ...]  # lower-case words of each reading, stopwords removed
    texts: tuple[str, ...]  # each reading as written in the file, for explanations
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class Entry:
    """The concepts a word or phrase (by its stems) names."""

    concepts: Mapping[str, float]  # concept id -> weight, broader concepts folded in
    primary: str  # the concept it most surely names
    broader: frozenset[str]  # concepts present only because they are broader


@dataclass(frozen=True, eq=False)
class Thesaurus:
    """Compiled lookup tables. Hashed by identity, so analyses can be cached per thesaurus."""

    stopwords: frozenset[str]
    abbreviations: Mapping[str, Expansion]
    entries: Mapping[tuple[str, ...], Entry]
    max_phrase: int
    kinds: Mapping[str, str]
    importance: Mapping[str, float]
    ambiguous_weight: float
    digit_importance: float
    vocabulary: Mapping[str, tuple[str, ...]]  # first letter -> words the thesaurus uses, for typos
    known_stems: frozenset[str]  # stems of every word the thesaurus uses or finds alone
    file: ThesaurusFile = field(repr=False)

    def lookup(self, key: tuple[str, ...]) -> Entry | None:
        """The entry for a stem sequence, or None."""
        return self.entries.get(key)

    def importance_of(self, literal: str, concept: str | None) -> float:
        """IDF-like weight of a unit: generic words (date, name, code) count less."""
        if literal.isdigit():
            return self.digit_importance
        weight = self.importance.get(literal)
        if weight is None and concept is not None:
            weight = self.importance.get(concept)
        return 1.0 if weight is None else weight

    def size(self) -> dict[str, int]:
        """Counts for reports: abbreviations, groups, concepts, terms, lookup keys."""
        return {
            "abbreviations": len(self.file.abbreviations),
            "groups": len(self.file.groups),
            "concepts": len({group.concept for group in self.file.groups}),
            "terms": sum(len(group.terms) for group in self.file.groups),
            "keys": len(self.entries),
        }


def _expand(words: list[str], abbreviations: Mapping[str, Expansion]) -> list[str]:
    """Replace abbreviations with one reading by their words, as a source name gets."""
    out: list[str] = []
    for word in words:
        expansion = abbreviations.get(word)
        if expansion is not None and len(expansion.readings) == 1:
            out.extend(expansion.readings[0])
        else:
            out.append(word)
    return out


def _term_keys(term: str, stopwords: frozenset[str], abbreviations: Mapping[str, Expansion]) -> list[tuple[str, ...]]:
    """Stem keys a term is found under: its words, and its words run together.

    'date of birth' is also found as 'dateofbirth' and 'datebirth', 'reg no' as 'regno':
    systems often drop the separators.
    """
    written = tokenise(term)
    content = [word for word in written if word not in stopwords]
    keys = [tuple(stem(word) for word in _expand(content, abbreviations))]
    if len(content) > 1:
        keys.append((stem("".join(content)),))
        if len(written) > len(content):
            keys.append((stem("".join(written)),))
    return keys


def compile_thesaurus(source: ThesaurusFile) -> Thesaurus:
    """Build the lookup tables from a validated file."""
    stopwords = frozenset(source.stopwords)
    abbreviations: dict[str, Expansion] = {}
    for item in source.abbreviations:
        readings = tuple(tuple(w for w in tokenise(text) if w not in stopwords) for text in item.expansions)
        abbreviations[item.abbr] = Expansion(readings, tuple(item.expansions), item.ambiguous)

    direct: dict[tuple[str, ...], dict[str, float]] = {}
    broader_of: dict[str, set[str]] = {}
    for group in source.groups:
        broader_of.setdefault(group.concept, set()).update(group.broader)
        for term in group.terms:
            for key in _term_keys(term, stopwords, abbreviations):
                concepts = direct.setdefault(key, {})
                concepts[group.concept] = max(concepts.get(group.concept, 0.0), group.weight)

    entries: dict[tuple[str, ...], Entry] = {}
    for key, concepts in direct.items():
        merged = dict(concepts)
        extra: set[str] = set()
        for concept, weight in concepts.items():
            for parent in broader_of.get(concept, ()):
                if parent not in concepts:
                    merged[parent] = max(merged.get(parent, 0.0), weight * source.broader_weight)
                    extra.add(parent)
        # Strongest direct concept first; on ties the one defined first (dicts keep order).
        primary = max(concepts, key=lambda c: concepts[c])
        entries[key] = Entry(MappingProxyType(merged), primary, frozenset(extra))

    words = {w for g in source.groups for t in g.terms for w in tokenise(t)}
    words |= {w for e in abbreviations.values() for reading in e.readings for w in reading}
    words = {w for w in words - stopwords if w.isalpha()}
    by_letter: dict[str, list[str]] = {}
    for word in sorted(words):
        by_letter.setdefault(word[0], []).append(word)

    kinds = {group.concept: group.kind for group in source.groups if group.kind is not None}
    importance: dict[str, float] = {}
    for word, weight in source.importance.items():
        importance[word] = weight
        importance.setdefault(stem(word), weight)
    return Thesaurus(
        stopwords=stopwords,
        abbreviations=MappingProxyType(abbreviations),
        entries=MappingProxyType(entries),
        max_phrase=max((len(key) for key in entries), default=1),
        kinds=MappingProxyType(kinds),
        importance=MappingProxyType(importance),
        ambiguous_weight=source.ambiguous_weight,
        digit_importance=source.digit_importance,
        vocabulary=MappingProxyType({k: tuple(v) for k, v in by_letter.items()}),
        known_stems=frozenset({stem(w) for w in words} | {key[0] for key in entries if len(key) == 1}),
        file=source,
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ThesaurusError(str(path), f"cannot read thesaurus: {exc}") from exc
    if not isinstance(data, dict):
        raise ThesaurusError(str(path), "a thesaurus file is a JSON object")
    return data


def merge_thesaurus_data(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Lay an extension file's content over a base file's (both raw JSON objects)."""
    merged = dict(base)
    for key, value in extra.items():
        if key == "stopwords":
            merged[key] = list(dict.fromkeys([*base.get(key, []), *value]))
        elif key == "importance":
            merged[key] = {**base.get(key, {}), **value}
        elif key == "abbreviations":
            replaced = {item.get("abbr") for item in value if isinstance(item, dict)}
            kept = [item for item in base.get(key, []) if item.get("abbr") not in replaced]
            merged[key] = [*kept, *value]
        elif key == "groups":
            merged[key] = [*base.get(key, []), *value]
        else:
            merged[key] = value
    return merged


def load_thesaurus(*extensions: str | Path, base: str | Path | None = DEFAULT_PATH) -> Thesaurus:
    """Load the base thesaurus (None: start empty) with extension files merged on, in order."""
    paths = [Path(p) for p in ([base] if base is not None else []) + list(extensions)]
    data: dict[str, Any] = {}
    for path in paths:
        data = merge_thesaurus_data(data, _read_json(path))
    try:
        source = ThesaurusFile.model_validate(data)
    except ValidationError as exc:
        where = ", ".join(str(p) for p in paths) or "<empty>"
        raise ThesaurusError(where, f"invalid thesaurus: {exc}") from exc
    return compile_thesaurus(source)


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The shipped thesaurus, loaded once."""
    return load_thesaurus()
