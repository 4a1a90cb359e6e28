"""Target standards bundled with crosswalk (JSON Schema draft 2020-12 files)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def bundled_standard_path() -> Path:
    """Path of the bundled canonical police record standard (POLE-based JSON Schema)."""
    return _HERE / "police_standard.schema.json"
