"""Name evidence from a schema that names a source column: as a property name, or in its text.

Standards often say where a field comes from: "data.police.uk 'Falls within'", "In
data.police.uk files this is 'Reported by'". When a target's title or description
quotes the source field's name, or contains a name of two or more words as a phrase,
that is name evidence the word-by-word matcher misses (it also wants the target's own
name explained). It is capped below auto-accept strength: descriptions quote example
values too ('Charged'), so a mention alone must not decide a field.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tools.names import NameMatch

QUOTED_SCORE = 0.7
PHRASE_SCORE = 0.6
LEAF_SCORE = 0.9  # the source name is the target's own property name, word for word
_QUOTED = re.compile(r"'([^']{1,60})'|\"([^\"]{1,60})\"|‘([^’]{1,60})’|“([^”]{1,60})”")
_WORDS = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _norm(text: str) -> str:
    return " ".join(w.lower() for w in _WORDS.findall(_CAMEL.sub(" ", text)))


@lru_cache(maxsize=4096)
def _quoted(text: str) -> frozenset[str]:
    return frozenset(_norm(next(g for g in m.groups() if g is not None)) for m in _QUOTED.finditer(text))


def mention_score(source_name: str, title: str | None, description: str | None) -> float:
    """QUOTED_SCORE when the text quotes the name, PHRASE_SCORE for a multi-word phrase, else 0."""
    name = _norm(source_name.rsplit("/", 1)[-1])
    if not name:
        return 0.0
    text = " ".join(t for t in (title, description) if t)
    if not text:
        return 0.0
    if name in _quoted(text):
        return QUOTED_SCORE
    if " " in name and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", _norm(text)):
        return PHRASE_SCORE
    return 0.0


def leaf_score(source_name: str, pointer: str) -> float:
    """LEAF_SCORE when the source's name, word for word, is the target's property name ('SUITE', /custody/suite)."""
    name = _norm(source_name.rsplit("/", 1)[-1])
    return LEAF_SCORE if name and name == _norm(pointer.rsplit("/", 1)[-1]) else 0.0


def with_mention(match: NameMatch, title: str | None, description: str | None) -> NameMatch:
    """The match, raised when the target's property name is the source's, or its text names the source."""
    found = max(leaf_score(match.source, match.target), mention_score(match.source, title, description))
    if found <= match.score:
        return match
    how = {LEAF_SCORE: "has the same property name as", QUOTED_SCORE: "description quotes"}.get(found, "description mentions")
    note = f"the target {how} {match.source!r}"
    return match.model_copy(update={"score": found, "explanation": f"{note}; {match.explanation}"})
