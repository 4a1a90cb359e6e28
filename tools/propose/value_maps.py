"""Value maps from a column's distinct values onto a target enum (or onto true/false).

Values are compared normalised: lower case, '&' read as 'and', punctuation and
underscores as spaces. A source value is placed, most sure first, by:

1. ``exact``: its normalised text equals an enum value's;
2. ``words``: the same after dropping stop words ('Criminal damage and arson');
3. ``synonym``: both are spellings of one code in a domain of ``code_vocab.json`` that
   the enum itself speaks ('M' and 'male' in the sex domain);
4. ``code``: a bare domain code ('1' = male in ISO/IEC 5218), only when every source
   value belongs to the domain;
5. ``shared_words``: equal after dropping words every source value carries
   ('Person search' / 'Vehicle search' -> 'person' / 'vehicle');
6. ``initials``: a short code that spells the initials of exactly one enum value of two or
   more words ('NFA' -> 'no_further_action', 'RUI' -> 'released_under_investigation');
7. ``first_word``: its first word is a one-word enum value ('Mixed/Multiple ethnic
   groups - ...' -> 'Mixed'). A guess: the proposer always sends it to review.

Values meaning 'no value' (N/A, NULL) that no enum value takes become ``null_values``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

VOCAB_PATH = Path(__file__).with_name("code_vocab.json")
STRENGTH = {"exact": 1.0, "words": 0.95, "synonym": 0.9, "code": 0.8, "shared_words": 0.85, "initials": 0.75, "first_word": 0.5}
_STOP = frozenset({"and", "or", "of", "the", "a", "an", "to", "s"})
_PUNCT = re.compile(r"[^\w]+|_")


def normalise(text: str) -> str:
    """'Anti-social behaviour' -> 'anti social behaviour'; 'person_and_vehicle' -> 'person and vehicle'."""
    return " ".join(_PUNCT.sub(" ", text.lower().replace("&", " and ")).split())


def _content(norm: str) -> str:
    return " ".join(w for w in norm.split() if w not in _STOP)


@dataclass(frozen=True)
class Domain:
    name: str
    synonyms: dict[str, str]  # normalised spelling -> canonical code
    codes: dict[str, str]  # bare code -> canonical code


@dataclass(frozen=True)
class Vocabulary:
    domains: tuple[Domain, ...]
    null_like: frozenset[str]


@lru_cache(maxsize=4)
def load_vocabulary(path: str = str(VOCAB_PATH)) -> Vocabulary:
    """The code vocabulary file, normalised for lookups."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    domains = []
    for name, body in raw["domains"].items():
        synonyms = {normalise(s): canon for canon, spellings in body["values"].items() for s in [canon, *spellings]}
        codes = {c: canon for canon, listed in body.get("codes", {}).items() for c in listed}
        domains.append(Domain(name, synonyms, codes))
    return Vocabulary(tuple(domains), frozenset(normalise(v) for v in raw["null_like"]))


@dataclass
class ValueMapResult:
    """How a column's distinct values land on the target's values."""

    mapping: dict[str, Any] = field(default_factory=dict)  # source text -> target value
    how: dict[str, str] = field(default_factory=dict)  # source text -> placement rule
    unplaced: list[str] = field(default_factory=list)  # source texts, commonest first
    null_values: list[str] = field(default_factory=list)
    rows: int = 0
    placed_rows: int = 0  # rows placed or meaning 'no value'
    domain: str | None = None

    @property
    def placed_share(self) -> float:
        return self.placed_rows / self.rows if self.rows else 0.0

    @property
    def strength(self) -> float:
        """Mean placement strength over the mapped source texts (1 when all are exact)."""
        if not self.how:
            return 0.0
        return round(sum(STRENGTH[h] for h in self.how.values()) / len(self.how), 4)

    def guessed(self) -> list[str]:
        return [text for text, how in self.how.items() if how == "first_word"]


def _domain_for(enum_norms: dict[str, Any], vocab: Vocabulary) -> Domain | None:
    """The domain the enum speaks: most enum values among its spellings, at least two."""
    best, hits = None, 1
    for domain in vocab.domains:
        found = len({_canonical(domain, n) for n in enum_norms} - {None})
        if found > hits:
            best, hits = domain, found
    return best


def _canonical(domain: Domain, norm: str) -> str | None:
    """The domain code an enum value spells: a word ('male') or a bare code ('1' in an ISO digit enum)."""
    return domain.synonyms.get(norm) or domain.codes.get(norm)


def build_value_map(distinct: Sequence[tuple[str, int]], enum: Sequence[Any], vocab: Vocabulary | None = None) -> ValueMapResult:
    """Place each distinct source text (with its row count) on one of ``enum``'s values."""
    vocab = vocab or load_vocabulary()
    enum_norms: dict[str, Any] = {}
    for value in enum:
        enum_norms.setdefault(normalise(str(value).lower() if isinstance(value, bool) else str(value)), value)
    enum_content = {_content(n): v for n, v in enum_norms.items()}
    domain = _domain_for(enum_norms, vocab)
    by_canon: dict[str, Any] = {}
    if domain is not None:
        for norm, value in enum_norms.items():
            by_canon.setdefault(_canonical(domain, norm) or "", value)
        by_canon.pop("", None)
    texts = [t for t, _ in distinct]
    norms = {t: normalise(t) for t in texts}
    codes_ok = domain is not None and all(norms[t] in domain.synonyms or t.strip().lower() in domain.codes for t in texts)
    shared = _shared_words([norms[t] for t in texts])
    result = ValueMapResult(domain=domain.name if domain else None)
    for text, count in distinct:
        result.rows += count
        found = _place(text, norms[text], enum_norms, enum_content, domain, by_canon, codes_ok, shared)
        if found is not None:
            result.mapping[text], result.how[text] = found
            result.placed_rows += count
        elif norms[text] in vocab.null_like or text.strip().lower() in vocab.null_like:
            result.null_values.append(text)
            result.placed_rows += count
        else:
            result.unplaced.append(text)
    return result


def _place(text: str, norm: str, enum_norms: dict[str, Any], enum_content: dict[str, Any], domain: Domain | None,
           by_canon: dict[str, Any], codes_ok: bool, shared: frozenset[str]) -> tuple[Any, str] | None:
    if norm in enum_norms:
        return enum_norms[norm], "exact"
    if _content(norm) and _content(norm) in enum_content:
        return enum_content[_content(norm)], "words"
    if domain is not None:
        canon = domain.synonyms.get(norm)
        if canon in by_canon:
            return by_canon[canon], "synonym"
        canon = domain.codes.get(text.strip().lower()) if codes_ok else None
        if canon in by_canon:
            return by_canon[canon], "code"
    if shared:
        rest = _content(" ".join(w for w in norm.split() if w not in shared))
        if rest and rest in enum_content:
            return enum_content[rest], "shared_words"
    words = norm.split()
    if len(words) == 1 and 2 <= len(norm) <= 5 and norm.isalpha():
        spelt = [v for n, v in enum_norms.items() if len(n.split()) > 1 and "".join(w[0] for w in n.split()) == norm]
        if len(spelt) == 1:
            return spelt[0], "initials"
    if len(words) > 1 and words[0] in enum_norms:
        return enum_norms[words[0]], "first_word"
    return None


def _shared_words(norms: list[str]) -> frozenset[str]:
    """Words every value carries ('search' in 'Person search', 'Vehicle search'), from two values up."""
    if len(norms) < 2:
        return frozenset()
    common = set(norms[0].split())
    for norm in norms[1:]:
        common &= set(norm.split())
    return frozenset(common - _STOP)


@dataclass
class BooleanMap:
    true_values: list[str] = field(default_factory=list)
    false_values: list[str] = field(default_factory=list)
    null_values: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    rows: int = 0
    placed_rows: int = 0

    @property
    def placed_share(self) -> float:
        return self.placed_rows / self.rows if self.rows else 0.0


def build_boolean_map(distinct: Sequence[tuple[str, int]], vocab: Vocabulary | None = None) -> BooleanMap:
    """Read each distinct text as true or false (yes/no words; 1/0 only in a column of 1/0)."""
    vocab = vocab or load_vocabulary()
    domain = next(d for d in vocab.domains if d.name == "yes_no")
    texts = [t for t, _ in distinct]
    codes_ok = all(normalise(t) in domain.synonyms or t.strip().lower() in domain.codes for t in texts)
    result = BooleanMap()
    for text, count in distinct:
        result.rows += count
        key = text.strip().lower()
        canon = domain.synonyms.get(normalise(text)) or (domain.codes.get(key) if codes_ok else None)
        if canon == "true":
            result.true_values += [key] if key not in result.true_values else []
        elif canon == "false":
            result.false_values += [key] if key not in result.false_values else []
        elif normalise(text) in vocab.null_like:
            result.null_values.append(text)
        else:
            result.unplaced.append(text)
            continue
        result.placed_rows += count
    return result
