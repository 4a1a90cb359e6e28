"""Value-pattern detectors: what a sampled column's values look like (postcode, NHS number, date ...).

``detect_all(values, field_name=None)`` runs every detector on one column;
``detect_bng_pair(eastings, northings)`` checks two columns together.
"""

from tools.detectors.geography import detect_bng_pair
from tools.detectors.model import Column, Detection, as_column, shape_of
from tools.detectors.registry import DETECTORS, GENERIC_KINDS, detect_all, hint_matches

__all__ = [
    "DETECTORS",
    "GENERIC_KINDS",
    "Column",
    "Detection",
    "as_column",
    "detect_all",
    "detect_bng_pair",
    "hint_matches",
    "shape_of",
]
