"""Run every value-pattern detector over one column and rank what they found."""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.detectors import clock, codes, contact, generic, geography, identifiers, people, temporal
from tools.detectors.model import Column, ColumnLike, Detection, as_column

Detector = Callable[[Column], Detection]

# Every single-column detector by the kind it reports, most specific first (that order
# also breaks exact score ties).
DETECTORS: dict[str, Detector] = {
    "postcode": geography.detect_postcode,
    "lsoa_code": geography.detect_lsoa_code,
    "msoa_code": geography.detect_msoa_code,
    "ward_code": geography.detect_ward_code,
    "lsoa_name": geography.detect_lsoa_name,
    "pnc_id": identifiers.detect_pnc_id,
    "cro_number": identifiers.detect_cro_number,
    "nhs_number": identifiers.detect_nhs_number,
    "ni_number": identifiers.detect_ni_number,
    "vrm": identifiers.detect_vrm,
    "phone": contact.detect_phone,
    "email": contact.detect_email,
    "ic_code": codes.detect_ic_code,
    "officer_defined_ethnicity": codes.detect_officer_defined_ethnicity,
    "self_defined_ethnicity": codes.detect_self_defined_ethnicity,
    "offence_code": codes.detect_offence_code,
    "crime_category": codes.detect_crime_category,
    "outcome_category": codes.detect_outcome_category,
    "sex": people.detect_sex,
    "datetime": temporal.detect_datetime,
    "date": temporal.detect_date,
    "year_month": temporal.detect_year_month,
    "time": clock.detect_time,
    "epoch_time": clock.detect_epoch,
    "excel_serial_date": clock.detect_excel_serial,
    "latitude": geography.detect_latitude,
    "longitude": geography.detect_longitude,
    "bng_easting": geography.detect_bng_easting,
    "bng_northing": geography.detect_bng_northing,
    "full_name": people.detect_full_name,
    "given_name": people.detect_given_name,
    "family_name": people.detect_family_name,
    "boolean": generic.detect_boolean,
    "reference_number": identifiers.detect_reference_number,
    "code_list": generic.detect_code_list,
    "integer": generic.detect_integer,
    "decimal": generic.detect_decimal,
    "free_text": generic.detect_free_text,
}

# Kinds that describe a type or structure rather than a meaning.
GENERIC_KINDS = frozenset({"reference_number", "code_list", "integer", "decimal", "free_text"})
# Fallbacks: "a unique structured code" / "narrative text" only matter when nothing more
# specific explains the column (dates and VRMs are unique structured codes too).
FALLBACK_KINDS = frozenset({"reference_number", "free_text"})

# A matching field name lifts a detection by at most this much when ranking, so it only
# reorders detections that scored within this margin (1432: time or number?).
HINT_MARGIN = 0.1
NAME_HINTS: dict[str, tuple[str, ...]] = {
    "postcode": ("postcode", "post", "zip"),
    "lsoa_code": ("lsoa",), "msoa_code": ("msoa",), "ward_code": ("ward",), "lsoa_name": ("lsoa",),
    "pnc_id": ("pnc",), "cro_number": ("cro",), "nhs_number": ("nhs",), "ni_number": ("nino", "ni", "insurance"),
    "vrm": ("vrm", "reg", "registration", "plate", "vehicle"),
    "phone": ("phone", "tel", "mobile", "telephone"), "email": ("email", "mail"),
    "ic_code": ("ic", "ethnic", "ethnicity"), "officer_defined_ethnicity": ("officer", "ethnic", "ethnicity"),
    "self_defined_ethnicity": ("self", "ethnic", "ethnicity"), "offence_code": ("offence", "hoc", "crime"),
    "crime_category": ("crime", "category", "type"), "outcome_category": ("outcome", "result"),
    "sex": ("sex", "gender"),
    "datetime": ("datetime", "timestamp", "date", "time"), "date": ("date", "dob", "dt", "day"),
    "year_month": ("month",), "time": ("time", "hhmm", "tm", "hour"),
    "epoch_time": ("epoch", "timestamp", "unix", "ts", "time"), "excel_serial_date": ("date", "dob", "dt"),
    "latitude": ("lat", "latitude"), "longitude": ("lon", "lng", "long", "longitude"),
    "bng_easting": ("east", "easting", "x"), "bng_northing": ("north", "northing", "y"),
    "full_name": ("name", "fullname"), "given_name": ("forename", "first", "given", "christian"),
    "family_name": ("surname", "last", "family"), "boolean": ("flag", "is", "has", "yn"),
    "reference_number": ("ref", "reference", "id", "urn", "number", "no"),
    "code_list": ("code", "type", "category", "status"),
    "integer": ("count", "number", "num", "no", "qty", "age", "total"),
    "decimal": ("amount", "value", "rate"), "free_text": ("notes", "narrative", "description", "text", "comment"),
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def _name_tokens(field_name: str) -> set[str]:
    """``TIME OCC`` -> {time, occ}; ``dateOfBirth`` -> {date, of, birth}."""
    spaced = _CAMEL.sub(" ", field_name)
    return {t.lower() for t in _NON_ALNUM.split(spaced) if t}


def hint_matches(kind: str, field_name: str | None) -> bool:
    """Whether a field name suggests a kind: a short hint must be a whole word, a long one a word's prefix."""
    if not field_name:
        return False
    tokens = _name_tokens(field_name)
    for hint in NAME_HINTS.get(kind, ()):
        if len(hint) <= 3 and hint in tokens:
            return True
        # "latitude" matches latitudeWgs84 and the abbreviation "latitud", not "lat" (a short hint itself)
        if len(hint) > 3 and any(t.startswith(hint) or (len(t) >= 5 and hint.startswith(t)) for t in tokens):
            return True
    return False


def _discount_fallbacks(detections: list[Detection]) -> list[Detection]:
    specific = [d for d in detections if d.kind not in GENERIC_KINDS and d.kind != "boolean"]
    best = max(specific, key=lambda d: d.score, default=None)
    if best is None or best.score <= 0:
        return detections
    out = []
    for d in detections:
        if d.kind in FALLBACK_KINDS and d.score > 0:
            evidence = {**d.evidence, "discounted_by": best.kind}
            d = d.model_copy(update={"score": round(d.score * (1 - best.score), 4), "evidence": evidence})
        out.append(d)
    return out


def detect_all(values: ColumnLike, field_name: str | None = None) -> list[Detection]:
    """Every detection with a score above 0, best first.

    ``field_name`` never changes a score; it only reorders detections that scored
    within ``HINT_MARGIN`` of each other.
    """
    column = as_column(values)
    if column.total == 0:
        return []
    found = _discount_fallbacks([detect(column) for detect in DETECTORS.values()])
    order = {kind: i for i, kind in enumerate(DETECTORS)}

    def rank(d: Detection) -> tuple[float, int, int]:
        bonus = HINT_MARGIN if hint_matches(d.kind, field_name) else 0.0
        return (-(d.score + bonus), d.kind in GENERIC_KINDS, order[d.kind])

    return sorted((d for d in found if d.score > 0), key=rank)
