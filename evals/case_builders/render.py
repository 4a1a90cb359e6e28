"""Canonical values rendered the way real exports write them (the mess)."""

from __future__ import annotations

import datetime as dt
import random

from evals.case_builders.fakes import Person

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def surname_first(p: Person, *, upper: bool = True) -> str:
    """'O'BRIEN, Seán Paul' (the custody-system habit)."""
    family = p.family.upper() if upper else p.family
    return f"{family}, {p.given}"


def forename_first(p: Person, *, upper: bool = True) -> str:
    """'Seán Paul O'BRIEN'."""
    family = p.family.upper() if upper else p.family
    return f"{p.given} {family}"


def oracle_date(day: dt.date, *, four_digit_year: bool = False) -> str:
    """'05-APR-23' (or '05-APR-2023'), month names in English capitals."""
    year = f"{day.year:04d}" if four_digit_year else f"{day.year % 100:02d}"
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{year}"


def uk_date(day: dt.date, sep: str = "/") -> str:
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year:04d}"


def us_date(day: dt.date, *, pad: bool = True) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}" if pad else f"{day.month}/{day.day}/{day.year:04d}"


def compact_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def hhmm(moment: dt.datetime | dt.time, *, colon: bool = True, drop_zeros: bool = False) -> str:
    """'14:32', '1432', or '932' when a spreadsheet dropped the leading zero."""
    text = f"{moment.hour:02d}:{moment.minute:02d}" if colon else f"{moment.hour:02d}{moment.minute:02d}"
    if drop_zeros and not colon:
        text = str(int(text))
    return text


def messy_postcode(rng: random.Random, canonical: str) -> str:
    """Lower case, missing or doubled spaces, stray padding: what force exports contain."""
    outward, inward = canonical.split(" ")
    style = rng.random()
    if style < 0.45:
        return canonical
    if style < 0.6:
        return canonical.lower()
    if style < 0.75:
        return outward + inward
    if style < 0.85:
        return f"{outward}  {inward}"
    if style < 0.93:
        return (outward + inward).lower()
    return f" {canonical} "


def messy_vrm(rng: random.Random, canonical: str) -> str:
    style = rng.random()
    if style < 0.45:
        return canonical
    if style < 0.8:
        return canonical.replace(" ", "")
    return canonical.lower() if style < 0.9 else canonical.replace(" ", "").lower()


def national_phone(e164: str) -> str:
    """'+447911123456' -> '07911 123456'; '+441132456789' -> '0113 245 6789'; London '020 7946 0123'."""
    national = "0" + e164[3:]
    if national.startswith("07"):
        return f"{national[:5]} {national[5:]}"
    if national.startswith("02"):
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return f"{national[:4]} {national[4:7]} {national[7:]}"


def spaced_nhs(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
