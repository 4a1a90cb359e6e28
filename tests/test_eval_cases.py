"""The eval cases in evals/cases and evals/heldout: well-formed, reproducible, and scored right by the harness."""

from __future__ import annotations

import filecmp
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from evals.case_loader import count_source_rows, find_cases, load_case, source_fields
from evals.metrics import score_fields, score_values
from tools.target_schema import load_target_schema

REPO = Path(__file__).resolve().parents[1]
SPLITS = ("cases", "heldout")
CASE_DIRS = [folder for split in SPLITS for folder in find_cases(REPO / "evals" / split)]
CASE_IDS = [f"{d.parent.name}/{d.name}" for d in CASE_DIRS]


def _apply_mapping() -> Any:
    """tools.engines.apply_mapping, or a skip saying why it cannot be used yet."""
    try:
        return importlib.import_module("tools.engines").apply_mapping
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"tools.engines.apply_mapping is not importable yet ({exc}); the reproduction check needs the real apply")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _leaf_pointers(record: Any, prefix: str = "") -> list[str]:
    if not isinstance(record, dict):
        return [prefix]
    return [p for key, value in record.items() for p in _leaf_pointers(value, f"{prefix}/{key}")]


def test_enough_cases_of_enough_kinds() -> None:
    dev = find_cases(REPO / "evals" / "cases")
    held = find_cases(REPO / "evals" / "heldout")
    assert len(dev) >= 14 and len(held) >= 5
    formats = {load_case(d).source_format for d in dev + held}
    assert formats == {"csv", "xlsx", "json", "jsonl"}
    assert not {d.name for d in dev} & {d.name for d in held}, "a held-out case must not also be a development case"
    assert any(d.name.startswith("realdata_") for d in dev) and any(d.name.startswith("realdata_") for d in held)


@pytest.mark.parametrize("folder", CASE_DIRS, ids=CASE_IDS)
def test_case_is_well_formed(folder: Path) -> None:
    case = load_case(folder)
    for name in ("target.schema.json", "truth.json", "expected.jsonl", "truth.mapping.json", "README.md"):
        assert (folder / name).is_file(), f"{name} missing"
    raw_schema = json.loads(case.schema_path.read_text(encoding="utf-8"))
    assert raw_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    schema = load_target_schema(case.schema_path)
    leaves = {f.pointer for f in schema.fields}
    assert 8 <= len(leaves) <= 25, f"{len(leaves)} leaves"
    assert all(f.title and f.description for f in schema.fields), "every leaf has a title and a description"

    targets = [m.target for m in case.truth.mappings]
    assert len(targets) == len(set(targets)), "a target appears twice in the truth"
    assert set(targets) <= leaves, f"truth targets not in the schema: {sorted(set(targets) - leaves)}"
    assert leaves - set(targets), "some target fields should stay unfilled"

    fields = source_fields(case.source_path)
    mapped = {s for m in case.truth.mappings for s in m.sources}
    assert mapped <= set(fields), f"truth sources not in the source: {sorted(mapped - set(fields))}"
    assert set(case.truth.unmapped) <= set(fields), f"unmapped fields not in the source: {sorted(set(case.truth.unmapped) - set(fields))}"
    assert not mapped & set(case.truth.unmapped), "a field is both mapped and unmapped"
    assert mapped | set(case.truth.unmapped) == set(fields), f"fields neither mapped nor unmapped: {sorted(set(fields) - mapped - set(case.truth.unmapped))}"

    rows = count_source_rows(case.source_path)
    assert 50 <= rows <= 400
    expected = _jsonl(case.expected_path)  # type: ignore[arg-type]
    assert len(expected) == rows, "expected.jsonl needs one line per source row"
    filled = set(targets)
    validator = Draft202012Validator(raw_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for index, record in enumerate(expected):
        assert set(_leaf_pointers(record)) <= filled, f"row {index} fills a target the truth does not map"
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, f"row {index}: the expected record is not valid against the target: {errors[:3]}"


@pytest.mark.parametrize("folder", CASE_DIRS, ids=CASE_IDS)
def test_truth_mapping_scores_f1_one(folder: Path) -> None:
    case = load_case(folder)
    doc = json.loads(case.truth_mapping_path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert all(f["status"] == "approved" for f in doc["fields"])
    assert sorted(doc["unmapped_sources"]) == sorted(case.truth.unmapped)
    scores = score_fields(doc, case.truth)
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0), scores.wrong + scores.missed


@pytest.mark.parametrize("engine", ["auto", "python"])
@pytest.mark.parametrize("folder", CASE_DIRS, ids=CASE_IDS)
def test_truth_mapping_reproduces_expected(folder: Path, engine: str, tmp_path: Path) -> None:
    apply_mapping = _apply_mapping()
    from tools.mapping import load_mapping

    case = load_case(folder)
    doc = load_mapping(case.truth_mapping_path)  # type: ignore[arg-type]
    schema = load_target_schema(case.schema_path)
    out, rejects = tmp_path / "records.jsonl", tmp_path / "rejects.jsonl"
    apply_mapping(doc, case.source_path, schema, out, rejects, include_pending=True, engine=engine)
    values = score_values(case.expected_path, out, rejects, count_source_rows(case.source_path))  # type: ignore[arg-type]
    assert values.rows_accounted, values.problems
    assert values.accuracy == 1.0, values.problems
    expected = _jsonl(case.expected_path)  # type: ignore[arg-type]
    for line in _jsonl(out):  # valid records hold nothing the expected record leaves out
        extra = set(_leaf_pointers(line["record"])) - set(_leaf_pointers(expected[line["row"]]))
        assert not extra, f"row {line['row']}: the truth mapping writes {sorted(extra)}, which expected.jsonl leaves out"


def test_case_builders_are_reproducible(tmp_path: Path) -> None:
    from evals.case_builders import build_all

    written = build_all(tmp_path)
    assert written, "the builders wrote nothing"
    if (tmp_path / "CASES.md").exists():
        assert (tmp_path / "CASES.md").read_text(encoding="utf-8") == (REPO / "evals" / "CASES.md").read_text(encoding="utf-8")
    for folder in written:
        committed = REPO / "evals" / folder.relative_to(tmp_path)
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(p.name for p in committed.iterdir()), folder.name
        _, mismatch, errors = filecmp.cmpfiles(folder, committed, names, shallow=False)
        assert not mismatch and not errors, f"{folder.name}: rebuilt files differ: {mismatch + errors}"


# --- the harness on a tiny case, metrics worked out by hand ---------------------------

TINY_SOURCE = "SURNAME,DOB,NOISE\nSmith,01/02/1980,x\nJones,15/03/1975,y\nKhan,not known,z\nPatel,,w\n"
TINY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "family_name": {"type": "string", "title": "Family name", "description": "Surname."},
        "date_of_birth": {"type": "string", "format": "date", "title": "Date of birth", "description": "DOB."},
        "sex": {"type": "string", "enum": ["M", "F"], "title": "Sex", "description": "M or F."},
    },
}
TINY_TRUTH = {"mappings": [{"target": "/family_name", "sources": ["SURNAME"]},
                           {"target": "/date_of_birth", "sources": ["DOB"]}], "unmapped": ["NOISE"]}
TINY_EXPECTED = [{"family_name": "Smith", "date_of_birth": "1980-02-01"}, {"family_name": "Jones", "date_of_birth": "1975-03-15"},
                 {"family_name": "Khan"}, {"family_name": "Patel"}]
TINY_PROPOSAL = {
    "fields": [
        {"target": "/family_name", "sources": ["SURNAME"], "transform": {"op": "text"}, "status": "auto_accepted", "confidence": 0.99},
        # right field, wrong day/month order: pending, applied with include_pending
        {"target": "/date_of_birth", "sources": ["DOB"], "transform": {"op": "parse_date", "format": "%m/%d/%Y"},
         "status": "needs_review", "confidence": 0.6},
        {"target": "/sex", "sources": ["NOISE"], "transform": {"op": "value_map", "mapping": {"x": "M"}, "on_unmapped": "null"},
         "status": "auto_accepted", "confidence": 0.9},
        {"target": "/sex", "sources": ["DOB"], "transform": {"op": "copy"}, "status": "rejected", "confidence": 0.1},
    ],
    "unmapped_sources": [],
}


def write_tiny_case(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "source.csv").write_text(TINY_SOURCE, encoding="utf-8")
    (folder / "target.schema.json").write_text(json.dumps(TINY_SCHEMA), encoding="utf-8")
    (folder / "truth.json").write_text(json.dumps(TINY_TRUTH), encoding="utf-8")
    (folder / "expected.jsonl").write_text("".join(json.dumps(r) + "\n" for r in TINY_EXPECTED), encoding="utf-8")
    return folder


def test_harness_on_a_tiny_case_gives_the_hand_computed_metrics(tmp_path: Path) -> None:
    _apply_mapping()
    from evals.harness import run_case

    case = load_case(write_tiny_case(tmp_path / "tiny"))
    seen: list[tuple[Path, Path]] = []

    def fake_propose(source: Path, schema: Path) -> dict[str, Any]:
        seen.append((source, schema))
        return json.loads(json.dumps(TINY_PROPOSAL))

    result = run_case(case, fake_propose, workdir=tmp_path / "work")
    assert seen == [(case.source_path, case.schema_path)]
    assert result.error is None
    # 3 active proposals (the rejected one does not count), 2 of them right; 2 true fields.
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == 1.0
    assert result.f1 == pytest.approx(0.8)
    # auto-accepted: family_name (right) and sex (wrong).
    assert result.auto_precision == 0.5
    assert result.automation == 0.5
    # 6 expected cells; the month-first DOB format gets row 0 wrong (1980-01-02) and fails
    # on rows 1 and 2 (those rows are quarantined, their family names kept): 4 of 6 match.
    assert result.value_accuracy == pytest.approx(4 / 6)
    assert result.rows_accounted is True
    assert result.rows == 4 and result.rows_quarantined == 2
