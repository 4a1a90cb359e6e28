"""The oracle: a case's own truth.mapping.json, every field auto-accepted (an upper bound for checking the harness)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.case_loader import TRUTH_MAPPING_FILE


def propose(source_path: Path, schema_path: Path) -> dict[str, Any]:
    """The truth mapping next to the source, statuses set to auto_accepted."""
    doc = json.loads((Path(source_path).parent / TRUTH_MAPPING_FILE).read_text(encoding="utf-8"))
    for field in doc.get("fields", []):
        field["status"] = "auto_accepted"
    return doc
