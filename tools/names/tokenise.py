"""Split field names and JSON Pointers into word tokens.

Source column names come in every convention a records system can produce
(``ARREST_DTTM``, ``arrestDateTime``, ``Date of Birth``, ``FORENAME(S)``,
``OIC COLLAR NO``); target fields are JSON Pointers (``/person/family_name``).
Both are reduced to the same thing: a sequence of lower-case words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from tools.json_pointer import parse_pointer

# "(S)" / "(ES)" after a word is a plural marker, not a word: FORENAME(S), ADDRESS(ES).
_PLURAL_MARK = re.compile(r"\((?:e?s)\)", re.IGNORECASE)
# A possessive adds nothing to the meaning: "Officer's number" is "Officer number".
_POSSESSIVE = re.compile(r"['\u2019]s\b", re.IGNORECASE)
# Runs of letters or digits. "#" is kept as a word of its own: "Case #" means case number.
_CHUNK = re.compile(r"#|[^\W_]+")


def _is_boundary(chunk: str, i: int) -> bool:
    """Whether a new word starts at ``chunk[i]`` (camelCase, PascalCase, digits)."""
    prev, cur = chunk[i - 1], chunk[i]
    if prev.isdigit() != cur.isdigit():
        return True  # ADDRESS_LINE1 -> LINE | 1
    if prev.islower() and cur.isupper():
        return True  # arrestDate -> arrest | Date
    if prev.isupper() and cur.isupper() and i + 1 < len(chunk) and chunk[i + 1].islower():
        # NHSNumber -> NHS | Number, but a plural acronym stays whole: IDs, URLs.
        return not (chunk[i + 1] == "s" and i + 2 == len(chunk))
    return False


def _split_chunk(chunk: str) -> list[str]:
    words: list[str] = []
    start = 0
    for i in range(1, len(chunk)):
        if _is_boundary(chunk, i):
            words.append(chunk[start:i])
            start = i
    words.append(chunk[start:])
    return words


@lru_cache(maxsize=65536)
def split_words(name: str) -> tuple[str, ...]:
    """The words of ``name`` with their case as written: 'ArrestDTTM' -> ('Arrest', 'DTTM')."""
    text = unicodedata.normalize("NFKC", name)
    text = _POSSESSIVE.sub("", _PLURAL_MARK.sub("", text))
    words: list[str] = []
    for chunk in _CHUNK.findall(text):
        words.extend(_split_chunk(chunk))
    return tuple(words)


def tokenise(name: str) -> list[str]:
    """Lower-case word tokens of a column name or pointer segment.

    >>> tokenise("ARREST_DTTM"), tokenise("ETHNICITY (IC)"), tokenise("ADDRESS_LINE1")
    (['arrest', 'dttm'], ['ethnicity', 'ic'], ['address', 'line', '1'])
    """
    return [word.lower() for word in split_words(name)]


@lru_cache(maxsize=65536)
def pointer_words(pointer: str) -> tuple[tuple[str, ...], ...]:
    """The words of each segment of a JSON Pointer, case kept.

    Segments without words (array markers such as ``*`` or ``-``) are dropped:
    they say nothing about what the field means.
    """
    segments = (split_words(part) for part in parse_pointer(pointer))
    return tuple(words for words in segments if words)


def tokenise_pointer(pointer: str) -> list[list[str]]:
    """Tokens per path segment: '/person/family_name' -> [['person'], ['family', 'name']]."""
    return [[word.lower() for word in words] for words in pointer_words(pointer)]
