"""split_name: the family or given part of a full name held in one column.

Case is never changed (McDONALD, O'BRIEN, Siân, ap Gruffydd stay as written); only white
space is tidied. Upper case is the usual marker of the family name in police exports
('John Paul SMITH', 'Maria DE LA CRUZ'), so a run of upper-case words decides where the
family name starts or ends whenever the name also has mixed-case words.
"""

from __future__ import annotations

from typing import Any

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.source_values import wrong_kind
from tools.transforms.spec import SplitName
from tools.transforms.text_ops import collapse_spaces

# Lower-case particles that belong to the family name in a forename-first name written
# in mixed case ('Maria de la Cruz', 'Dafydd ap Gruffydd', 'Ludwig van Beethoven').
FAMILY_PARTICLES = frozenset({"ab", "ap", "da", "de", "del", "della", "den", "der", "di", "du", "la", "le", "van", "von"})


def split_name(spec: SplitName, value: Any) -> str | None:
    """The requested part, or None when the name has no such part (one-word names)."""
    if not isinstance(value, str):
        raise TransformValueError(wrong_kind(value, "a name"))
    name = collapse_spaces(value)
    if not any(ch.isalpha() for ch in name):
        raise TransformValueError(reasons.NOT_A_NAME.format(value=reasons.show(value)))
    family, given = name_parts(name, spec.order)
    return family if spec.part == "family" else given


def name_parts(name: str, order: str) -> tuple[str | None, str | None]:
    """(family, given) of a white-space-collapsed name; either may be None."""
    if "," in name:
        family, _, rest = name.partition(",")
        # Further commas ('SMITH, John, Paul') only separate given names.
        given = collapse_spaces(rest.replace(",", " "))
        return (family.strip() or None, given or None)
    words = name.split(" ")
    if len(words) == 1:
        return (words[0], None)
    if order == "surname_first":
        cut = _leading_upper_run(words) or 1
        return (" ".join(words[:cut]), " ".join(words[cut:]))
    start = _trailing_upper_run(words)
    if start is None:
        start = len(words) - 1
        while start > 1 and words[start - 1] in FAMILY_PARTICLES:
            start -= 1
    return (" ".join(words[start:]), " ".join(words[:start]))


def is_upper_word(word: str) -> bool:
    """An upper-case word of two or more letters; a lone initial ('A', 'P.') does not count."""
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and word == word.upper() and word != word.lower()


def _leading_upper_run(words: list[str]) -> int | None:
    """Length of the upper-case run that starts the name, if mixed-case words follow it."""
    count = 0
    while count < len(words) and is_upper_word(words[count]):
        count += 1
    if count == 0 or count == len(words):
        return None
    return count


def _trailing_upper_run(words: list[str]) -> int | None:
    """Start of the upper-case run that ends the name, if it comes after a mixed-case word."""
    start = len(words)
    while start > 0 and is_upper_word(words[start - 1]):
        start -= 1
    if start == len(words) or start == 0:
        return None
    # Only a mixed-case word before the run proves case marks the family name; 'J SMITH'
    # (an initial, then upper case) falls back to the last-word rule.
    if not any(_is_mixed_word(w) for w in words[:start]):
        return None
    return start


def _is_mixed_word(word: str) -> bool:
    return any(ch.islower() for ch in word)
