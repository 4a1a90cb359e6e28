"""Apply an accepted mapping to a whole source: valid records and a quarantine, nothing lost.

Two engines give the same output: ``python`` (the per-row reference) and ``duckdb``
(vectorised, for big CSVs). ``apply_mapping`` picks one and records why.
"""

from tools.engines.runner import apply_mapping
from tools.engines.summary import ApplySummary, TopError

__all__ = ["ApplySummary", "TopError", "apply_mapping"]
