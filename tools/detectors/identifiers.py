"""Person and object identifiers: PNC ID, CRO number, NHS number, NI number, VRM, references."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

from tools.uk_identifiers import NI_NUMBER, ni_prefix_issued, nhs_check_digit
from tools.detectors.model import ColumnLike, Detection, as_column, make_detection, shape_of

_SPACES = re.compile(r"\s+")
# PNC and CRO check characters: (2-digit year + zero-padded serial) mod 23 indexes this.
_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def _check_letter(year2: str, serial: str, width: int) -> str:
    return _CHECK_LETTERS[int(year2 + serial.zfill(width)) % 23]


def _check_factor(valid: int, matched: int) -> float:
    # The shape alone is distinctive; a failing check letter (common in test and synthetic
    # data) lowers the score a little instead of rejecting the value.
    return 0.85 + 0.15 * (valid / matched) if matched else 1.0


# --- PNC ID: 2004/0123456L, 04/123456L -------------------------------------------------
_PNC_SHAPE = re.compile(r"99(?:99)?/?9{1,7}[Aa]")
_PNC = re.compile(
    r"(?:(?P<century>19|20)(?P<long_year>\d{2})(?:/(?P<long_serial>\d{1,7})|(?P<unslashed>\d{7}))"
    r"|(?P<short_year>\d{2})/(?P<short_serial>\d{1,7}))(?P<check>[A-Z])"
)


def detect_pnc_id(values: ColumnLike) -> Detection:
    """Police National Computer IDs, four- or two-digit year form."""
    column = as_column(values)
    matched: set[str] = set()
    forms: Counter[str] = Counter()
    valid = 0
    for text in column.texts_shaped(_PNC_SHAPE):
        m = _PNC.fullmatch(text.upper())
        if m is None:
            continue
        long_form = m["long_year"] is not None
        if long_form:
            year2, serial = m["long_year"], m["long_serial"] or m["unslashed"]
        else:
            year2, serial = m["short_year"], m["short_serial"]
        weight = column.counts[text]
        matched.add(text)
        forms["four_digit_year" if long_form else "two_digit_year"] += weight
        valid += weight * (_check_letter(year2, serial, 7) == m["check"])
    n = column.weight(matched)
    evidence = {"forms": dict(forms), "check_letter_valid": valid}
    return make_detection("pnc_id", column, matched, factor=_check_factor(valid, n), evidence=evidence)


# --- CRO number: 123456/04X, SF04/123456X ------------------------------------------------
_CRO_SHAPE = re.compile(r"9{1,6}/99[Aa]|[Aa]{2}99/9{1,6}[Aa]")
_CRO = re.compile(r"(\d{1,6})/(\d{2})([A-Z])|SF(\d{2})/(\d{1,6})([A-Z])")


def detect_cro_number(values: ColumnLike) -> Detection:
    """Criminal Records Office numbers: serial/two-digit year + check letter (or SF form)."""
    column = as_column(values)
    matched: set[str] = set()
    forms: Counter[str] = Counter()
    valid = 0
    for text in column.texts_shaped(_CRO_SHAPE):
        m = _CRO.fullmatch(text.upper())
        if m is None:
            continue
        standard = m.group(1) is not None
        if standard:
            serial, year2, letter = m.group(1), m.group(2), m.group(3)
        else:
            serial, year2, letter = m.group(5), m.group(4), m.group(6)
        weight = column.counts[text]
        matched.add(text)
        forms["standard" if standard else "sf"] += weight
        valid += weight * (_check_letter(year2, serial, 6) == letter)
    n = column.weight(matched)
    evidence = {"forms": dict(forms), "check_letter_valid": valid}
    return make_detection("cro_number", column, matched, factor=_check_factor(valid, n), evidence=evidence)


# --- NHS number: 10 digits, modulus 11 -------------------------------------------------
_NHS_SHAPES = {"9999999999": "plain", "999 999 9999": "spaced", "999-999-9999": "hyphenated"}


def nhs_check_digit_ok(digits: str) -> bool:
    """The tenth digit is the modulus-11 check of the first nine; all-same digits are filler."""
    return nhs_check_digit(digits[:9]) == int(digits[9]) and len(set(digits)) > 1


def detect_nhs_number(values: ColumnLike) -> Detection:
    """NHS numbers whose check digit passes; plain, 3-3-4 spaced or hyphenated."""
    column = as_column(values)
    matched: set[str] = set()
    formats: Counter[str] = Counter()
    failures = 0
    for shape, texts in column.shape_groups().items():
        form = _NHS_SHAPES.get(shape)
        if form is None:
            continue
        for text in texts:
            weight = column.counts[text]
            if nhs_check_digit_ok(text.replace(" ", "").replace("-", "")):
                matched.add(text)
                formats[form] += weight
            else:
                failures += weight
    n = column.weight(matched)
    # Random 10-digit numbers pass about 1 time in 11; many failures mean "not NHS numbers".
    factor = 1.0 if failures <= 0.2 * (n + failures) else 0.5
    evidence = {"formats": dict(formats), "check_digit_failures": failures}
    return make_detection("nhs_number", column, matched, factor=factor, evidence=evidence)


# --- National Insurance number -----------------------------------------------------------
_NINO_SHAPE = re.compile(r"AA9{6}A")
# HMRC's published example prefix; never issued, but it is what test and demo data use.
_NINO_EXAMPLE_PREFIX = "QQ"


def detect_ni_number(values: ColumnLike) -> Detection:
    """National Insurance numbers (spaces allowed); never-issued prefixes do not match."""
    column = as_column(values)
    matched: set[str] = set()
    example_prefix = 0
    for text in column.texts_shaped(_NINO_SHAPE, compact=True):
        compact = _SPACES.sub("", text).upper()
        prefix = compact[:2]
        if prefix == _NINO_EXAMPLE_PREFIX and compact[8] in "ABCD":
            example_prefix += column.counts[text]
            matched.add(text)
        elif NI_NUMBER.fullmatch(compact) and ni_prefix_issued(prefix):
            matched.add(text)
    evidence = {"example_prefix_qq": example_prefix,
                "spaced": column.weight(t for t in matched if " " in t)}
    return make_detection("ni_number", column, matched, evidence=evidence)


# --- Vehicle registration marks ----------------------------------------------------------
_VRM_SHAPE = re.compile(r"AA99AAA|A9{1,3}AAA|AAA9{1,3}A|AAA9{1,4}")
_VRM_STYLES: dict[str, re.Pattern[str]] = {
    # Since 2001: memory tag (no I Q Z), age identifier 02-39 / 51-89, three letters (no I Q).
    "current": re.compile(r"[A-HJ-PR-Y]{2}(?:0[2-9]|[1-3]\d|5[1-9]|[6-8]\d)[A-HJ-PR-Z]{3}"),
    # 1983-2001: age letter (no I O Q U Z), 1-999, three letters.
    "prefix": re.compile(r"[A-HJ-NPR-TV-Y][1-9]\d{0,2}[A-HJ-PR-Z]{3}"),
    # 1963-1983: three letters, 1-999, age letter (no I O Q U Z).
    "suffix": re.compile(r"[A-HJ-PR-Z]{3}[1-9]\d{0,2}[A-HJ-NPR-TV-Y]"),
    # Northern Ireland: a letter and a two-letter code holding I or Z, then 1-9999.
    "northern_ireland": re.compile(r"[A-Z](?:[A-Z][IZ]|I[A-Z])[1-9]\d{0,3}"),
}


def detect_vrm(values: ColumnLike) -> Detection:
    """UK vehicle registration marks (current, prefix, suffix, NI styles), spaced or not."""
    column = as_column(values)
    matched: set[str] = set()
    styles: Counter[str] = Counter()
    for text in column.texts_shaped(_VRM_SHAPE, compact=True):
        compact = _SPACES.sub("", text).upper()
        for style, pattern in _VRM_STYLES.items():
            if pattern.fullmatch(compact):
                matched.add(text)
                styles[style] += column.counts[text]
                break
    evidence = {"styles": dict(styles), "with_space": column.weight(t for t in matched if " " in t)}
    return make_detection("vrm", column, matched, evidence=evidence)


# --- Reference numbers: 4623/23, CU/2023/004512, ASB-2024-00012 ----------------------------
# Judged on shapes (letters A/a, digits 9): every text of a shape gets the same answer.
_REFERENCE_SHAPE = re.compile(r"[Aa9][Aa9/_.:#-]{2,63}")
_PLAIN_DECIMAL_SHAPE = re.compile(r"-?9*\.9+")
_SHAPE_SAMPLE = 500  # distinct values whose shapes are tallied for the evidence


def _is_reference_shape(shape: str) -> bool:
    if "9" not in shape or not _REFERENCE_SHAPE.fullmatch(shape) or _PLAIN_DECIMAL_SHAPE.fullmatch(shape):
        return False
    return len(shape) >= 4 or not shape.isdigit()  # row numbers 1..300 are ids, not references


def detect_reference_number(values: ColumnLike) -> Detection:
    """High-uniqueness structured codes: crime, incident, custody and case references."""
    column = as_column(values)
    found = column.texts_where(_is_reference_shape)  # a list: keeps the evidence deterministic
    matched = set(found)
    if not matched:
        return make_detection("reference_number", column, matched)
    n = column.weight(matched)
    distinct_ratio = len(matched) / n
    lengths = Counter(len(t) for t in matched)
    modal = lengths.most_common(1)[0][0]
    consistent = sum(c for length, c in lengths.items() if abs(length - modal) <= 2) / len(matched)
    shapes = Counter(shape_of(t) for t in islice(found, _SHAPE_SAMPLE))
    factor = min(1.0, distinct_ratio / 0.8) ** 2 * (0.5 + 0.5 * consistent)
    evidence = {
        "distinct_ratio": round(distinct_ratio, 4),
        "length_consistency": round(consistent, 4),
        "dominant_shapes": {s: round(c / shapes.total(), 4) for s, c in shapes.most_common(3)},
    }
    return make_detection("reference_number", column, matched, factor=factor, evidence=evidence)
