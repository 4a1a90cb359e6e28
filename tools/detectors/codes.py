"""Policing code lists: ethnicity codes, Home Office offence codes, police.uk categories."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from tools.detectors import police_uk_vocab as vocab
from tools.detectors.model import Column, ColumnLike, Detection, as_column, make_detection

_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    """Lower case with runs of whitespace collapsed (texts arrive stripped)."""
    key = text.lower()
    return _SPACES.sub(" ", key) if ("  " in key or "\t" in key or "\n" in key) else key


def _lookup(
    column: Column, classify: Callable[[str], str | None], texts: list[str]
) -> tuple[set[str], Counter[str]]:
    """Matched texts and the weight of each form ``classify`` names (None = no match)."""
    matched: set[str] = set()
    forms: Counter[str] = Counter()
    for text in texts:
        form = classify(text)
        if form is not None:
            matched.add(text)
            forms[form] += column.counts[text]
    return matched, forms


# --- officer-defined ethnicity -------------------------------------------------------------
_IC_CODE = re.compile(r"IC ?(\d)", re.IGNORECASE)


def detect_ic_code(values: ColumnLike) -> Detection:
    """Officer-defined ethnicity IC codes IC0-IC9 (IC1 white north European ... IC6 Arab)."""
    column = as_column(values)
    texts = column.texts_where(lambda shape: len(shape) <= 4 and shape.endswith("9"))
    matched, _ = _lookup(column, lambda t: "ic" if _IC_CODE.fullmatch(t) else None, texts)
    codes = Counter()
    for text in matched:
        codes["IC" + text[-1]] += column.counts[text]
    return make_detection("ic_code", column, matched, evidence={"codes": dict(sorted(codes.items()))})


def detect_officer_defined_ethnicity(values: ColumnLike) -> Detection:
    """data.police.uk officer-defined ethnicity words: White / Black / Asian / Mixed / Other."""
    column = as_column(values)
    matched, forms = _lookup(
        column, lambda t: _norm(t) if _norm(t) in vocab.OFFICER_DEFINED_ETHNICITY else None, column.wordy_texts(6)
    )
    # One word alone ("Other", "White") is too common elsewhere to count fully.
    factor = 1.0 if len(forms) >= 2 else 0.5
    return make_detection("officer_defined_ethnicity", column, matched, factor=factor,
                          evidence={"values": dict(forms.most_common())})


# --- self-defined ethnicity ----------------------------------------------------------------
_SELF_DEFINED_CODE = re.compile(r"[WABMO][1-9]|NS")
_HEADING_SPLIT = re.compile(r"\s*(?:\s[-–]\s|:)\s*")
# First letters of every heading and whole value: a cheap test before normalising.
_SELF_DEFINED_INITIALS = frozenset("WwMmAaBbOoCcNnPp")


def _self_defined_form(text: str) -> str | None:
    if len(text) <= 2:
        return "code" if _SELF_DEFINED_CODE.fullmatch(text.upper()) else None
    if text[0] not in _SELF_DEFINED_INITIALS:
        return None
    key = _norm(text)
    if key in vocab.SELF_DEFINED_WHOLE_VALUES:
        return "text"
    parts = _HEADING_SPLIT.split(key, maxsplit=1)
    if len(parts) == 2 and parts[1]:
        heading = parts[0]
        for start in vocab.SELF_DEFINED_HEADINGS:
            # a whole word: "White - Irish" but not "Whitechapel - Station"
            if heading.startswith(start) and not heading[len(start):len(start) + 1].isalpha():
                return "text"
    return None


def detect_self_defined_ethnicity(values: ColumnLike) -> Detection:
    """Census self-defined ethnicity as text ("White - Irish") or codes (W1 A1 B1 M1 O1 NS)."""
    column = as_column(values)
    texts = column.texts_where(lambda shape: "9" not in shape or (len(shape) == 2 and shape[1] == "9"))
    matched, forms = _lookup(column, _self_defined_form, texts)
    factor = 1.0
    codes = {t.upper() for t in matched if _self_defined_form(t) == "code"}
    if codes and forms["code"] >= forms["text"]:
        # Codes like A1, B2, M3 are common elsewhere (sizes, grid cells): want the W group
        # and at least two letter groups before trusting them.
        groups = {c[0] for c in codes if c != "NS"}
        if "W" not in groups or len(groups) < 2:
            factor = 0.3
    return make_detection("self_defined_ethnicity", column, matched, factor=factor,
                          evidence={"forms": dict(forms), "distinct_codes": sorted(codes)})


# --- Home Office offence classification ------------------------------------------------------
_OFFENCE_CODE = re.compile(r"0{0,2}([1-9]\d{0,2})([A-Z]?)/(\d{1,2})")
_OFFENCE_SHAPE = re.compile(r"9{1,3}[Aa]?/9{1,2}")


def detect_offence_code(values: ColumnLike) -> Detection:
    """Home Office offence class/subclass codes: ``105/1``, ``8/1``, ``92A/1``, ``008/01``."""
    column = as_column(values)
    matched: set[str] = set()
    classes: Counter[str] = Counter()
    for text in column.texts_shaped(_OFFENCE_SHAPE):
        m = _OFFENCE_CODE.fullmatch(text.upper())
        if m is not None:
            matched.add(text)
            classes[m.group(1) + m.group(2)] += column.counts[text]
    n = column.weight(matched)
    # Offence codes repeat (a few hundred exist); near-unique a/b values are references.
    distinct_ratio = len(matched) / n if n else 0.0
    factor = 1.0 if column.total < 20 or distinct_ratio <= 0.5 else 0.6
    evidence = {"distinct_classes": len(classes), "distinct_ratio": round(distinct_ratio, 4)}
    return make_detection("offence_code", column, matched, factor=factor, evidence=evidence)


# --- data.police.uk categories -----------------------------------------------------------------
def _crime_category_form(text: str) -> str | None:
    key = _norm(text)
    if key in vocab.CRIME_CATEGORY_LABELS:  # first: "burglary" is both
        return "label"
    return "slug" if key in vocab.CRIME_CATEGORY_SLUGS else None


def detect_crime_category(values: ColumnLike) -> Detection:
    """data.police.uk crime categories, as slugs (``violent-crime``) or labels ("Vehicle crime")."""
    column = as_column(values)
    matched, forms = _lookup(column, _crime_category_form, column.wordy_texts(40))
    distinct = len({_norm(t) for t in matched})
    # "Burglary" or "Drugs" alone could be any free-text field; several categories could not.
    factor = 1.0 if distinct >= 3 or column.distinct <= 2 else 0.7
    return make_detection("crime_category", column, matched, factor=factor,
                          evidence={"forms": dict(forms), "distinct_categories": distinct})


def _outcome_form(text: str) -> str | None:
    key = _norm(text)
    if key in vocab.OUTCOME_LABELS:
        return "label"
    return "slug" if key in vocab.OUTCOME_SLUGS else None


def detect_outcome_category(values: ColumnLike) -> Detection:
    """data.police.uk outcome categories ("Unable to prosecute suspect", ``local-resolution``)."""
    column = as_column(values)
    matched, forms = _lookup(column, _outcome_form, column.wordy_texts(60))
    distinct = len({_norm(t) for t in matched})
    return make_detection("outcome_category", column, matched,
                          evidence={"forms": dict(forms), "distinct_outcomes": distinct})
