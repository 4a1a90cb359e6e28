"""A phonetic key for names: American Soundex, from jellyfish (a maintained library).

Computed once per record into a column, so every backend compares plain strings. It
folds spellings that sound alike in English names (STEPHEN / STEVEN, SMITH / SMYTHE,
PHILLIPS / PHILIPS). Soundex was chosen over jellyfish's Metaphone and NYSIIS by
``crosswalk eval-link``: it gave the best recall at the same precision (docs/linkage.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jellyfish

_NON_LETTERS = re.compile(r"[^A-Z]")


@lru_cache(maxsize=200_000)
def phonetic_key(name: str | None) -> str | None:
    """The Soundex code of ``name``'s letters (None when it has no letters)."""
    if not name:
        return None
    letters = _NON_LETTERS.sub("", name.upper())
    return jellyfish.soundex(letters) if letters else None
