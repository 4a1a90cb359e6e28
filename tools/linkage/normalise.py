"""Normal forms of person values, so that the same value written two ways compares equal."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

NICKNAMES_FILE = Path(__file__).resolve().parent / "data" / "nicknames.json"
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


@lru_cache(maxsize=1)
def nicknames() -> dict[str, str]:
    """Short form -> canonical given name (data, not code: ``data/nicknames.json``)."""
    table = json.loads(NICKNAMES_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in table.items() if not k.startswith("_")}


@lru_cache(maxsize=500_000)
def name(value: str | None) -> str | None:
    """Upper case, accents and punctuation dropped, hyphens as spaces: "O'Brien-Smith" -> "OBRIEN SMITH"."""
    if not value:
        return None
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").upper()
    plain = re.sub(r"[-_.,]+", " ", plain)
    plain = re.sub(r"[^A-Z ]", "", plain)
    plain = " ".join(plain.split())
    return plain or None


def canonical_given(value: str | None) -> str | None:
    """The given name with a nickname replaced by its canonical form (BILL -> WILLIAM)."""
    if value is None:
        return None
    return nicknames().get(value, value)


def split_full_name(full: str) -> tuple[str | None, str | None]:
    """(given names, family name) of a one-string name: "SMITH, John Paul" or "John SMITH"."""
    if "," in full:
        family, _, given = full.partition(",")
        return given.strip() or None, family.strip() or None
    words = full.split()
    if len(words) < 2:
        return None, full.strip() or None
    upper = [w for w in words if w.isupper() and len(w) > 1]
    if upper and len(upper) < len(words):  # force style: the family name is the upper-case word(s)
        family = " ".join(upper)
        given = " ".join(w for w in words if w not in upper)
        return given or None, family
    return " ".join(words[:-1]), words[-1]


def postcode(value: str | None) -> str | None:
    """"sw1a1aa", " SW1A  1AA " -> "SW1A 1AA"; anything not shaped like a postcode -> None."""
    if not value:
        return None
    compact = re.sub(r"\s+", "", value.upper())
    found = _POSTCODE.match(compact)
    return f"{found.group(1)} {found.group(2)}" if found else None


def postcode_parts(full: str | None) -> tuple[str | None, str | None]:
    """(sector, district) of a normalised postcode: "SW1A 1AA" -> ("SW1A 1", "SW1A")."""
    if not full:
        return None, None
    outward, _, inward = full.partition(" ")
    return f"{outward} {inward[:1]}", outward


def iso_date(value: str | None) -> str | None:
    """A valid ISO calendar date (the first 10 characters of a date or date-time), else None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def identifier(column: str, value: str | None) -> str | None:
    """A strong identifier in one form: PNC years as two digits and serials as seven, others compacted."""
    if value is None:
        return None
    compact = re.sub(r"\s+", "", str(value).upper())
    if not compact:
        return None
    if column.startswith("pnc"):
        found = _PNC.match(compact)
        if found:
            return f"{found.group(1)[-2:]}/{int(found.group(2)):07d}{found.group(3)}"
    if column.startswith("nhs"):
        digits = re.sub(r"\D", "", compact)
        return digits if len(digits) == 10 else None
    return compact
