"""People: given names, family names, full names (and their order), sex codes."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from tools.detectors.model import Column, ColumnLike, Detection, as_column, make_detection
from tools.detectors.name_lexicon import FAMILY_NAMES, GIVEN_NAMES

# A name word: letters (accents included), joined by apostrophes or hyphens: O'Brien, Llŷr, Smith-Jones.
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_PARTICLES = frozenset("van von der den de da del della di du la le bin binti al el ap ferch".split())
_TITLES = frozenset("mr mrs ms miss mx dr rev sir dame lady lord".split())


def _is_upper_name(word: str) -> bool:
    """SMITH, O'BRIEN, and McDONALD / MacLEOD (upper case after the Mc/Mac prefix)."""
    if len(word) < 2:
        return False
    if word.isupper():
        return True
    for prefix in ("Mc", "Mac"):
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 2 and rest.isupper():
            return True
    return False


def _key(word: str) -> str:
    """Lexicon key: lower case, curly apostrophe straightened, accents dropped (Siân -> sian)."""
    key = word.lower().replace("’", "'")
    if key.isascii():
        return key
    return "".join(ch for ch in unicodedata.normalize("NFKD", key) if not unicodedata.combining(ch))


def _name_words(text: str) -> list[str] | None:
    """The words of a name-shaped text (titles dropped), or None if it is not name-shaped."""
    words = text.split()
    while words and _key(words[0]).rstrip(".") in _TITLES:
        words = words[1:]
    if not words or len(words) > 5:
        return None
    for word in words:
        if not _NAME_WORD.fullmatch(word):
            return None
    # Lower-case words other than particles only in an all lower-case value ("john smith").
    has_lower_word = any(w[0].islower() and _key(w) not in _PARTICLES for w in words)
    if has_lower_word and not text.islower():
        return None
    return words


def _cardinality_factor(column: Column) -> float:
    """Names vary: a column with a handful of distinct values is a code list, not names."""
    needed = min(10, max(2, column.total // 3))
    return min(1.0, column.distinct / needed) ** 2


# --- given and family names ----------------------------------------------------------------
@dataclass(slots=True)
class _SingleNames:
    matched: set[str]
    single_share: float
    given_share: float
    family_share: float
    upper_share: float


def _single_names(column: Column) -> _SingleNames:
    matched: set[str] = set()
    single = given = family = upper = 0
    counts = column.counts
    for text in column.wordy_texts(40):
        weight = counts[text]
        if "," in text:
            continue
        words = _name_words(text)
        if words is None or len(words) > 2:
            continue
        matched.add(text)
        single += weight * (len(words) == 1)
        given += weight * (_key(words[0]) in GIVEN_NAMES)
        family += weight * (_key(words[-1]) in FAMILY_NAMES)
        upper += weight * all(_is_upper_name(w) or _key(w) in _PARTICLES for w in words)
    n = column.weight(matched) or 1
    return _SingleNames(matched, single / n, given / n, family / n, upper / n)


def _name_weights(column: Column) -> tuple[_SingleNames, float, float]:
    names = column.cached("single_names", lambda: _single_names(column))
    g, f = names.given_share, names.family_share
    if g + f < 0.05:
        given_w = family_w = 0.25  # name-shaped words, but nothing says they are names
    else:
        # Full weight once a typical share of values is found in the lexicon
        # (top names cover ~50% of forenames, ~25% of surnames), split by which list wins.
        given_w = 0.3 + 0.7 * min(1.0, g / 0.3) * g / (g + f)
        family_w = 0.3 + 0.7 * min(1.0, f / 0.2) * f / (g + f)
    if names.upper_share >= 0.8:
        family_w = min(1.0, family_w + 0.1)  # family names are the ones exported in capitals
    cardinality = _cardinality_factor(column)
    single = 1.0 if names.single_share >= 0.5 else 0.5
    return names, given_w * cardinality * single, family_w * cardinality * single


def _name_evidence(names: _SingleNames) -> dict[str, float]:
    return {
        "given_lexicon_share": round(names.given_share, 4),
        "family_lexicon_share": round(names.family_share, 4),
        "upper_share": round(names.upper_share, 4),
        "single_word_share": round(names.single_share, 4),
    }


def detect_given_name(values: ColumnLike) -> Detection:
    """Forenames: one or two name words per value; common forenames raise the score."""
    column = as_column(values)
    names, given_w, _ = _name_weights(column)
    return make_detection("given_name", column, names.matched, factor=given_w, evidence=_name_evidence(names))


def detect_family_name(values: ColumnLike) -> Detection:
    """Surnames: one or two name words per value; common surnames and capitals raise the score."""
    column = as_column(values)
    names, _, family_w = _name_weights(column)
    return make_detection("family_name", column, names.matched, factor=family_w, evidence=_name_evidence(names))


# --- full names ------------------------------------------------------------------------------
def _order(text: str) -> tuple[str, str] | None:
    """(order, signal) for a full name, or None when the text is not one."""
    if "," in text:
        family, _, given = text.partition(",")
        family_words, given_words = _name_words(family.strip()), _name_words(given.strip())
        if family_words and given_words and len(family_words) <= 3 and len(given_words) <= 3:
            return "surname_first", "comma"
        return None
    words = _name_words(text)
    if words is None or len(words) < 2:
        return None
    first, last = _key(words[0]), _key(words[-1])
    uppers = [_is_upper_name(w) for w in words]
    if not all(uppers):
        # A capitalised word marks the surname; two letters ("West LA", "NG") need a known
        # forename at the other end.
        if uppers[0] and (len(words[0]) > 2 or last in GIVEN_NAMES):
            return "surname_first", "upper_case"
        if uppers[-1] and (len(words[-1]) > 2 or first in GIVEN_NAMES):
            return "forename_first", "upper_case"
    if first in GIVEN_NAMES and not (last in GIVEN_NAMES and first in FAMILY_NAMES):
        return "forename_first", "lexicon"
    if last in GIVEN_NAMES and first in FAMILY_NAMES:
        return "surname_first", "lexicon"
    # Known surnames alone are weak (West, Green, King are words too); a forename is not.
    if any(_key(w) in GIVEN_NAMES for w in words):
        return "unknown", "lexicon"
    return None


def detect_full_name(values: ColumnLike) -> Detection:
    """Whole names in one value, and which comes first: ``SMITH, John`` / ``SMITH John`` / ``John SMITH``.

    A value counts only with some sign of being a name (a comma, a capitalised surname or
    a common forename/surname), so two-word labels such as "Vehicle crime" do not.
    """
    column = as_column(values)
    orders: Counter[str] = Counter()
    signals: Counter[str] = Counter()
    matched: set[str] = set()
    for text in column.wordy_texts(64):
        weight = column.counts[text]
        found = _order(text)
        if found is None:
            continue
        matched.add(text)
        orders[found[0]] += weight
        signals[found[1]] += weight
    n = column.weight(matched)
    shares = {k: round(orders[k] / n, 4) if n else 0.0 for k in ("surname_first", "forename_first", "unknown")}
    decided = orders["surname_first"] + orders["forename_first"]
    order = "unknown"
    if decided:
        leader = max(("surname_first", "forename_first"), key=lambda k: orders[k])
        order = leader if orders[leader] >= 0.8 * decided else "mixed"
    evidence = {"order": order, "order_shares": shares, "signals": dict(signals)}
    return make_detection("full_name", column, matched, factor=_cardinality_factor(column), evidence=evidence)


# --- sex ---------------------------------------------------------------------------------------
_SEX_LETTERS = {"m": "male", "f": "female", "u": "unknown", "x": "unspecified"}
_SEX_WORDS = {
    "male": "male", "female": "female", "unknown": "unknown", "not known": "unknown",
    "not specified": "unspecified", "not stated": "unspecified", "indeterminate": "unspecified",
    "other": "unspecified",
}
_ISO_5218 = {"0": "unknown", "1": "male", "2": "female", "9": "unspecified"}
_DIGITS_FACTOR = 0.75  # 1/2 codes are also plain small-integer codes ("Part 1-2")


def detect_sex(values: ColumnLike) -> Detection:
    """Sex as letters (M/F/U/X), words (Male/Female/Unknown ...) or ISO/IEC 5218 digits.

    Digits count only when the column's distinct values are a subset of {0, 1, 2, 9}
    holding both 1 and 2.
    """
    column = as_column(values)
    forms: Counter[str] = Counter()
    meanings: Counter[str] = Counter()
    matched: set[str] = set()
    digit_set = set(column.digit_texts())
    digits_ok = digit_set <= set(_ISO_5218) and {"1", "2"} <= digit_set
    for text in column.texts_where(lambda shape: len(shape) <= 13 and ("9" not in shape or shape == "9")):
        weight = column.counts[text]
        key = text.lower()
        for form, table in (("letters", _SEX_LETTERS), ("words", _SEX_WORDS), ("iso5218", _ISO_5218)):
            if key in table and (form != "iso5218" or digits_ok):
                matched.add(text)
                forms[form] += weight
                meanings[table[key]] += weight
                break
    factor = 1.0
    evidence: dict[str, object] = {"forms": dict(forms), "meanings": dict(meanings)}
    if not (meanings["male"] or meanings["female"]):
        factor = 0.3  # only "unknown"-like values: not evidence of a sex column
    elif not (meanings["male"] and meanings["female"]):
        factor = 0.6  # one sex only: F alone is as likely a T/F false
    elif forms and forms.most_common(1)[0][0] == "iso5218":
        factor = _DIGITS_FACTOR
        evidence["ambiguous_with"] = "code_list"
    return make_detection("sex", column, matched, factor=factor, evidence=evidence)
