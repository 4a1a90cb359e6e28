"""A light English stemmer for field-name words.

Only used to compare words, never shown: 'arrested', 'arresting' and 'arrest' must
meet, as must 'offences' and 'offence' or 'dated' and 'date'. It is deliberately
small and predictable; stems need only agree with each other, not be real words.
"""

from __future__ import annotations

from functools import lru_cache

_VOWELS = frozenset("aeiouy")
# Plural "-es" is removed whole only after these endings (addresses, boxes, matches).
_ES_AFTER = ("ss", "sh", "ch", "x", "z")
# A final "s" that is not a plural: address, status, analysis, alias.
_NOT_PLURAL = ("ss", "us", "is", "ias")


def _strip_plural(word: str) -> str:
    if len(word) <= 3:
        # ids -> id, nos -> no; but bus, yes, sex stay.
        if len(word) == 3 and word.endswith("s") and word[1] not in _VOWELS and word[1] != "s":
            return word[:-1]
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(_ES_AFTER):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_NOT_PLURAL):
        return word[:-1]
    return word


def _strip_verb_ending(word: str) -> str:
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWELS.intersection(base):
            # committed -> commit, occurred -> occur; but called, dressed keep their pair.
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The comparison key of a lower-case word; digits and short words are kept as they are."""
    if not word.isalpha():
        return word
    result = _strip_verb_ending(_strip_plural(word))
    # Drop a final "e" so that date/dated and code/codes/coded share a stem.
    if len(result) >= 4 and result.endswith("e"):
        result = result[:-1]
    return result
