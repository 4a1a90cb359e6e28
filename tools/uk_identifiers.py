"""Grammars of UK identifiers, shared by the value detectors and the transforms so that
what a detector recognises and what a transform accepts can never drift apart."""

from __future__ import annotations

import re

# The Royal Mail grammar on a compact (no space, upper case) postcode: outward code
# shapes A9, A99, A9A, AA9, AA99, AA9A with the letters each position may hold, then the
# inward code 9AA (never C I K M O V); plus the special GIR 0AA.
POSTCODE_COMPACT = re.compile(
    r"GIR0AA|"
    r"[A-PR-UWYZ](?:[0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9]{1,2}|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[0-9][ABD-HJLNP-UW-Z]{2}",
    re.ASCII,
)

NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 with weights 10..2: 11 - (sum % 11), where 11 means 0 and 10 means never issued."""
    total = sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


# Two letters, six digits, suffix A-D (compact, upper case).
NI_NUMBER = re.compile(r"(?P<prefix>[A-Z]{2})(?P<digits>[0-9]{6})(?P<suffix>[A-D])", re.ASCII)
# First letter never D F I Q U V; second never D F I O Q U V; and these pairs never issued.
_NI_ISSUED_LETTERS = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]", re.ASCII)
NI_NEVER_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def ni_prefix_issued(prefix: str) -> bool:
    """Whether HMRC issues National Insurance numbers with this two-letter prefix."""
    return prefix not in NI_NEVER_ISSUED and _NI_ISSUED_LETTERS.fullmatch(prefix) is not None

# The same grammar anchored, for engines whose regex match is a search (DuckDB's regexp_matches).
POSTCODE_ANCHORED = re.compile(rf"^(?:{POSTCODE_COMPACT.pattern})$", re.ASCII)
