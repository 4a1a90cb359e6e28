"""Character-level likeness of names and words: typos and unseen abbreviations.

A minor signal beside the thesaurus: it catches 'SURNMAE' for surname and 'ETHNCTY'
for ethnicity, which no vocabulary lists. Everything is cached, since a proposal
compares the same few hundred words over and over.
"""

from __future__ import annotations

from difflib import SequenceMatcher, get_close_matches
from functools import lru_cache

TYPO_MIN_RATIO = 0.8  # below this two words are different words, not one misspelt
SURE_TYPO_RATIO = 0.85  # from here a misspelling even when the lengths differ by two
TYPO_CREDIT = 0.8  # a misspelling is good evidence, but less than the word itself
ABBREVIATION_CREDIT = 0.5  # 'crm' inside 'crime' is a guess


@lru_cache(maxsize=65536)
def _trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def trigram_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character trigrams of two strings (0..1)."""
    if not a or not b:
        return 0.0
    left, right = _trigrams(a), _trigrams(b)
    return 2.0 * len(left & right) / (len(left) + len(right))


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(char in letters for char in short)


@lru_cache(maxsize=262144)
def word_likeness(a: str, b: str) -> tuple[float, str]:
    """Credit for two lower-case words that look alike, and how: (0.0, '') when they don't.

    Only words starting with the same letter are compared: both typos and abbreviations
    almost always keep the first letter, and the check keeps this cheap.
    """
    if a == b or not a or not b or a[0] != b[0] or not (a.isalpha() and b.isalpha()):
        return 0.0, ""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and len(long) - len(short) <= 2:
        ratio = SequenceMatcher(None, a, b).ratio()
        if ratio >= TYPO_MIN_RATIO:
            return TYPO_CREDIT * ratio, f"spelling {ratio:.2f}"
    if 3 <= len(short) <= 5 and len(long) >= len(short) + 2 and _is_subsequence(short, long):
        return ABBREVIATION_CREDIT, "looks like an abbreviation"
    return 0.0, ""


def closest_word(word: str, candidates: tuple[str, ...]) -> tuple[str, float] | None:
    """The candidate ``word`` is most likely a misspelling of, with the likeness ratio.

    Only words of five letters or more are corrected, to a word of about the same length:
    shorter ones are too often abbreviations or different words. A borderline ratio is
    accepted only between words of nearly equal length ('gendre' for gender, not
    'linked' for line).
    """
    if len(word) < 5:
        return None
    near = tuple(c for c in candidates if abs(len(c) - len(word)) <= 2)
    for found in get_close_matches(word, near, n=3, cutoff=TYPO_MIN_RATIO):
        ratio = SequenceMatcher(None, word, found).ratio()
        if ratio >= SURE_TYPO_RATIO or abs(len(found) - len(word)) <= 1:
            return found, ratio
    return None
