"""Contact details: telephone numbers and email addresses."""

from __future__ import annotations

import re
from collections import Counter

import phonenumbers

from tools.detectors.model import ColumnLike, Detection, as_column, make_detection

# phonenumbers costs ~50 microseconds a value; validate this many distinct values at most,
# and stop after the first batch when most of it is invalid (the score will be low anyway).
PHONE_SAMPLE_SIZE = 200
_FIRST_BATCH = 50
_FEW_CANDIDATES_SAMPLE = 20
_TYPED_SAMPLE = 50  # number type and region (evidence only) cost as much again: fewer of them
# Dialable characters only, and a national (0...) or international (+..., 00...) prefix:
# bare digit runs are left to NHS numbers, epochs and ids.
_PHONE_TEXT = re.compile(r"\(?(?:\+|0)[\d\s().\-]{8,20}")
_PHONE_NOISE = re.compile(r"[\s().\-]")


def _phone_candidates(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        if _PHONE_TEXT.fullmatch(text):
            digits = _PHONE_NOISE.sub("", text).lstrip("+")
            if 9 <= len(digits) <= 15 and digits.isdigit():
                found.append(text)
    return found


def detect_phone(values: ColumnLike) -> Detection:
    """Telephone numbers valid per libphonenumber (UK default region), national or +44 form.

    Validation runs on a sample of distinct candidates; ``matched`` is the candidates'
    weight times the valid share in that sample. Number types and regions in the
    evidence are tallied over the first 50 sampled values only.
    """
    column = as_column(values)
    candidates = _phone_candidates([t for t in column.counts if len(t) <= 24])
    candidate_weight = column.weight(candidates)
    # When few values even look like phone numbers the score is low whatever the sample says.
    size = PHONE_SAMPLE_SIZE if candidate_weight * 2 >= column.total else _FEW_CANDIDATES_SAMPLE
    sample = candidates[:size]
    invalid: set[str] = set()
    types: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    sample_weight = valid_weight = 0
    for i, text in enumerate(sample):
        if i == _FIRST_BATCH and len(invalid) * 2 > i:
            sample = sample[:i]
            break
        weight = column.counts[text]
        sample_weight += weight
        try:
            number = phonenumbers.parse(text, "GB")
        except phonenumbers.NumberParseException:
            invalid.add(text)
            continue
        if not phonenumbers.is_valid_number(number):
            invalid.add(text)
            continue
        valid_weight += weight
        if i >= _TYPED_SAMPLE:
            continue
        number_type = phonenumbers.number_type(number)
        types["mobile" if number_type == phonenumbers.PhoneNumberType.MOBILE else "other"] += weight
        regions[phonenumbers.region_code_for_number(number) or "unknown"] += weight
    matched = set(candidates) - invalid
    estimate = round(candidate_weight * valid_weight / sample_weight) if sample_weight else 0
    evidence = {
        "sampled": len(sample),
        "valid_in_sample": len(sample) - len(invalid),
        "types": dict(types),
        "regions": dict(regions),
        "international_format": column.weight(t for t in matched if t.startswith(("+", "00"))),
    }
    return make_detection("phone", column, matched, matched_count=estimate, evidence=evidence)


_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}")


def detect_email(values: ColumnLike) -> Detection:
    """Email addresses (a dotted domain with an alphabetic top-level part is required)."""
    column = as_column(values)
    matched = {t for t in column.counts if "@" in t and len(t) <= 254 and _EMAIL.fullmatch(t)}
    domains = {t.rsplit("@", 1)[1].lower() for t in matched}
    return make_detection("email", column, matched, evidence={"distinct_domains": len(domains)})
