"""A phonetic key for names (after Lawrence Philips' original Metaphone, 1990).

Computed once per record into a column, so every backend compares plain strings. It
folds the spellings that sound alike in English names: CATHERINE / KATHRYN, STEPHEN /
STEVEN, SMITH / SMYTHE, THOMPSON / TOMSON, PHILIP / FILIP.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VOWELS = frozenset("AEIOU")
_INITIAL = (("AE", "E"), ("GN", "N"), ("KN", "N"), ("PN", "N"), ("WR", "R"), ("WH", "W"), ("X", "S"))
_REWRITES = (  # applied in order, after the initial-letter rules
    ("TCH", "CH"), ("SCH", "SK"), ("CHR", "KR"), ("PH", "F"), ("CK", "K"), ("SH", "X"), ("CIA", "XA"), ("CH", "X"),
    ("TIA", "XA"), ("TIO", "XO"), ("TH", "0"), ("DGE", "JE"), ("DGI", "JI"), ("DGY", "JY"),
    ("GH", "H"), ("GN", "N"), ("Q", "K"), ("V", "F"), ("Z", "S"),
)


@lru_cache(maxsize=200_000)
def metaphone(name: str | None) -> str | None:
    """The phonetic key of ``name`` (letters only; None for no letters)."""
    if not name:
        return None
    word = re.sub(r"[^A-Z]", "", name.upper())
    if not word:
        return None
    for prefix, replacement in _INITIAL:
        if word.startswith(prefix):
            word = replacement + word[len(prefix):]
            break
    initial_vowel = word[0] in _VOWELS
    for old, new in _REWRITES:
        word = word.replace(old, new)
    word = re.sub(r"C(?=[EIY])", "S", word).replace("C", "K")
    word = re.sub(r"G(?=[EIY])", "J", word)
    word = re.sub(r"(?<=[^AEIOU])H|H(?=[^AEIOU]|$)", "", word)  # H sounds only between vowels
    word = re.sub(r"W(?=[^AEIOU]|$)", "", word)
    word = re.sub(r"Y(?=[^AEIOU]|$)", "", word)
    if not word:
        return None
    # Vowels count only at the start, and any initial vowel sounds alike enough for names.
    first = "A" if initial_vowel else word[0]
    rest = re.sub(r"[AEIOUY]", "", word[1:])
    key = first + rest
    return re.sub(r"(.)\1+", r"\1", key)[:6]
