"""Type-level detectors: booleans, code lists, integers, decimals, free text."""

from __future__ import annotations

import re
from collections import Counter

from tools.detectors.model import ColumnLike, Detection, as_column, make_detection
from tools.detectors.numeric import numeric_view

# --- booleans -----------------------------------------------------------------------------
_TRUE = {"y": "y/n", "yes": "yes/no", "true": "true/false", "t": "t/f", "1": "1/0"}
_FALSE = {"n": "y/n", "no": "yes/no", "false": "true/false", "f": "t/f", "0": "1/0"}


def detect_boolean(values: ColumnLike) -> Detection:
    """Y/N, Yes/No, True/False, T/F; 1/0 only when the column holds no other digits.

    T/F count only when a T is present, so an M/F sex column is not read as booleans.
    """
    column = as_column(values)
    keys = {t: t.lower() for t in column.texts_where(lambda shape: len(shape) <= 5)}
    present = set(keys.values())
    digits = set(column.digit_texts())
    allow = {"y/n", "yes/no", "true/false"}
    if "t" in present:
        allow.add("t/f")
    if digits and digits <= {"0", "1"}:
        allow.add("1/0")
    matched: set[str] = set()
    forms: Counter[str] = Counter()
    polarity: Counter[str] = Counter()
    for text, key in keys.items():
        for truth, table in (("true", _TRUE), ("false", _FALSE)):
            form = table.get(key)
            if form in allow:
                matched.add(text)
                forms[form] += column.counts[text]
                polarity[truth] += column.counts[text]
    factor = 1.0
    if forms and set(forms) == {"1/0"}:
        # 1/0 alone is also a count or a code; all-ones is a count of one.
        factor = 0.9 if len(polarity) == 2 else 0.5
    evidence = {"forms": dict(forms), "true": polarity["true"], "false": polarity["false"]}
    return make_detection("boolean", column, matched, factor=factor, evidence=evidence)


# --- code lists ---------------------------------------------------------------------------------
MAX_CODE_LIST_SIZE = 50
_LISTED_VALUES = 20


def detect_code_list(values: ColumnLike) -> Detection:
    """A low-cardinality column: at most 50 distinct values, counting values that repeat."""
    column = as_column(values)
    if column.distinct > MAX_CODE_LIST_SIZE or column.distinct * 2 > column.total:
        return make_detection("code_list", column, (), evidence={"distinct": column.distinct})
    matched = {t for t, c in column.counts.items() if c >= 2}
    evidence: dict[str, object] = {"distinct": column.distinct}
    if column.distinct <= _LISTED_VALUES:
        evidence["values"] = dict(Counter(column.counts).most_common())
    return make_detection("code_list", column, matched, evidence=evidence)


# --- numbers --------------------------------------------------------------------------------------
_INTEGER_SHAPE = re.compile(r"[+-]?(?:9+|9{1,3}(?:,999)+)")
_LEADING_ZERO_INTEGER = re.compile(r"[+-]?0\d+")


def detect_integer(values: ColumnLike) -> Detection:
    """Whole numbers (thousands separators allowed); leading zeros mean a code, not a number."""
    column = as_column(values)
    view = numeric_view(column)
    matched = set()
    leading_zero = 0
    for text in column.texts_shaped(_INTEGER_SHAPE):
        if text not in view.values:
            continue  # "1,234" when the column uses decimal commas
        if _LEADING_ZERO_INTEGER.fullmatch(text):
            leading_zero += column.counts[text]
        else:
            matched.add(text)
    evidence: dict[str, object] = {"leading_zero": leading_zero}
    if matched:
        numbers = [view.values[t] for t in matched]
        evidence.update(min=int(min(numbers)), max=int(max(numbers)),
                        negative=column.weight(t for t in matched if view.values[t] < 0),
                        thousands_separated=view.thousands_separated)
    return make_detection("integer", column, matched, evidence=evidence)


def detect_decimal(values: ColumnLike) -> Detection:
    """Numbers with a fractional part (whole numbers in the same column count too)."""
    column = as_column(values)
    view = numeric_view(column)
    matched = {t for t in view.values if not _LEADING_ZERO_INTEGER.fullmatch(t)}
    fractional = [t for t in matched if view.decimals[t] > 0]
    if not fractional:
        return make_detection("decimal", column, (), evidence={"fractional": 0})
    numbers = [view.values[t] for t in matched]
    evidence = {
        "fractional": column.weight(fractional),
        "max_decimals": max(view.decimals[t] for t in fractional),
        "min": min(numbers),
        "max": max(numbers),
        "decimal_comma": view.decimal_comma,
    }
    return make_detection("decimal", column, matched, evidence=evidence)


# --- free text ------------------------------------------------------------------------------------
_MIN_WORDS, _MIN_LENGTH = 3, 15


def detect_free_text(values: ColumnLike) -> Detection:
    """Narrative text: several words per value and mostly distinct values."""
    column = as_column(values)
    # Spaces + 1 as the word count: str.count runs in C, split() would build lists.
    matched = {t for t in column.counts if len(t) >= _MIN_LENGTH and t.count(" ") >= _MIN_WORDS - 1}
    if not matched:
        return make_detection("free_text", column, matched)
    n = column.weight(matched)
    distinct_ratio = len(matched) / n
    words = sum((t.count(" ") + 1) * column.counts[t] for t in matched) / n
    # Repeated multi-word values ("Unable to prosecute suspect") are labels, not text.
    factor = min(1.0, distinct_ratio / 0.5)
    evidence = {"distinct_ratio": round(distinct_ratio, 4), "mean_words": round(words, 1),
                "mean_length": round(sum(len(t) * column.counts[t] for t in matched) / n, 1)}
    return make_detection("free_text", column, matched, factor=factor, evidence=evidence)
