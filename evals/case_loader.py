"""Reading eval case folders (shared/eval-cases.md): source, target schema, truth, expected records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evals.metrics import Truth
from tools.readers import open_source

SOURCE_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")
SCHEMA_FILE = "target.schema.json"
TRUTH_FILE = "truth.json"
EXPECTED_FILE = "expected.jsonl"
TRUTH_MAPPING_FILE = "truth.mapping.json"


class CaseFormatError(ValueError):
    """A case folder does not follow the eval case format."""


@dataclass(frozen=True)
class EvalCase:
    """One eval case: where its files are and its truth."""

    name: str
    path: Path
    source_path: Path
    schema_path: Path
    truth: Truth
    expected_path: Path | None
    truth_mapping_path: Path | None

    @property
    def source_format(self) -> str:
        return self.source_path.suffix.lstrip(".")


def find_source(folder: Path) -> Path:
    """The one ``source.<csv|xlsx|json|jsonl>`` file of a case folder."""
    found = [folder / f"source{suffix}" for suffix in SOURCE_SUFFIXES if (folder / f"source{suffix}").is_file()]
    if len(found) != 1:
        what = "no source.<csv|xlsx|json|jsonl>" if not found else f"several source files ({', '.join(p.name for p in found)})"
        raise CaseFormatError(f"{folder}: {what}")
    return found[0]


def load_case(folder: str | Path) -> EvalCase:
    """Read a case folder; raises CaseFormatError naming what is missing or malformed."""
    path = Path(folder)
    if not path.is_dir():
        raise CaseFormatError(f"{path}: not a folder")
    schema_path = path / SCHEMA_FILE
    truth_path = path / TRUTH_FILE
    for needed in (schema_path, truth_path):
        if not needed.is_file():
            raise CaseFormatError(f"{path}: {needed.name} is missing")
    try:
        truth = Truth.model_validate(json.loads(truth_path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValueError) as exc:
        raise CaseFormatError(f"{truth_path}: not a valid truth file ({exc})") from None
    expected = path / EXPECTED_FILE
    mapping = path / TRUTH_MAPPING_FILE
    return EvalCase(
        name=path.name, path=path, source_path=find_source(path), schema_path=schema_path, truth=truth,
        expected_path=expected if expected.is_file() else None,
        truth_mapping_path=mapping if mapping.is_file() else None,
    )


def find_cases(cases_dir: str | Path) -> list[Path]:
    """Case folders directly under ``cases_dir`` (those holding a target schema), sorted by name."""
    root = Path(cases_dir)
    if (root / SCHEMA_FILE).is_file():
        return [root]  # a single case folder given directly
    if not root.is_dir():
        raise CaseFormatError(f"{root}: not a folder")
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / SCHEMA_FILE).is_file())


def count_source_rows(source_path: Path) -> int:
    """Data rows in the source, as crosswalk's reader sees them (sniffed read options)."""
    with open_source(source_path) as reader:
        return sum(1 for _ in reader.rows())


def source_fields(source_path: Path) -> list[str]:
    """Field names of the source (JSON Pointers for nested JSON)."""
    with open_source(source_path) as reader:
        return list(reader.info.fields)


__all__ = ["CaseFormatError", "EvalCase", "count_source_rows", "find_cases", "find_source", "load_case", "source_fields"]
