"""The bundled demo: generated file, mapping, and the jobs make demo runs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.audit import list_events, verify_chain
from agent.jobs.apply_job import ApplyOutcome, ApplyRequest, run_apply_job
from agent.jobs.profile_job import run_profile_job
from agent.settings import Settings
from agent.store import Dataset, dispose_engines, open_session
from evals.demo.make_demo_data import BAD_ROWS, ENCODING, HEADER, ROW_COUNT, render
from tools.mapping import load_mapping

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "evals" / "demo"
CSV_PATH = DEMO / "custody_export.csv"
MAPPING_PATH = DEMO / "custody_export.mapping.json"
SEX = {"M": "male", "F": "female", "U": "unknown"}


def source_rows() -> list[list[str]]:
    """The data rows as Python's csv module reads them (after the title lines and header)."""
    text = CSV_PATH.read_bytes().decode(ENCODING)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert tuple(rows[2]) == HEADER
    return rows[3:]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApplyOutcome, Path, Settings]]:
    work = tmp_path_factory.mktemp("demo")
    settings = Settings(data_dir=work / ".crosswalk", user="demo-test")
    request = ApplyRequest(mapping_path=MAPPING_PATH, source_path=CSV_PATH,
                           out_path=work / "records.jsonl", rejects_path=work / "rejects.jsonl")
    outcome = run_apply_job(settings, request)
    yield outcome, work, settings
    dispose_engines()


def test_checked_in_file_is_what_the_generator_makes() -> None:
    assert CSV_PATH.read_bytes() == render(), "regenerate: .venv/bin/python -m evals.demo.make_demo_data"


def test_file_has_the_promised_mess() -> None:
    raw = CSV_PATH.read_bytes()
    assert raw.count(b"\r\n") == ROW_COUNT + 3
    text = raw.decode(ENCODING)
    for name in ("Siân", "Zoë", "O'BRIEN", "McDonald", "O'Brien", "MCDONALD"):
        assert name in text
    rows = source_rows()
    assert len(rows) == ROW_COUNT
    postcodes = [r[6] for r in rows if len(r) > 6]
    assert any(p and p == p.lower() for p in postcodes)
    assert any(p and " " not in p for p in postcodes)
    assert any("  " in p for p in postcodes)
    times = [r[8] for r in rows if len(r) > 8]
    assert any(len(t) == 3 for t in times) and any(":" in t for t in times)


def test_mapping_is_approved_and_leaves_bookkeeping_unmapped() -> None:
    doc = load_mapping(MAPPING_PATH)
    assert {f.status for f in doc.fields} == {"approved"}
    assert doc.unmapped_sources == ["ROWVER", "EXTRACT_DT"]
    assert set(doc.unmapped_reasons) == {"ROWVER", "EXTRACT_DT"}
    mapped = {s for f in doc.fields for s in f.sources}
    assert mapped | set(doc.unmapped_sources) == set(HEADER)


def test_every_row_is_accounted_for_once(applied: tuple[ApplyOutcome, Path, Settings]) -> None:
    outcome, work, _ = applied
    s = outcome.summary
    assert (s.rows_read, s.rows_valid, s.rows_quarantined) == (ROW_COUNT, ROW_COUNT - len(BAD_ROWS), len(BAD_ROWS))
    rows = [r["row"] for r in read_jsonl(work / "records.jsonl")] + [r["row"] for r in read_jsonl(work / "rejects.jsonl")]
    assert sorted(rows) == list(range(ROW_COUNT)) == list(range(len(source_rows())))


def test_the_deliberate_bad_rows_are_quarantined_for_their_field(applied: tuple[ApplyOutcome, Path, Settings]) -> None:
    _, work, _ = applied
    rejects = {r["row"]: r for r in read_jsonl(work / "rejects.jsonl")}
    assert set(rejects) == set(BAD_ROWS)
    for row, (_, field) in BAD_ROWS.items():
        assert [e["field"] for e in rejects[row]["errors"]] == [field], row
    assert rejects[137]["errors"][0]["value"] == "31/02/1990"
    assert rejects[512]["errors"][0]["value"] == "Q"
    assert rejects[1500]["errors"][0]["stage"] == "read"


def test_valid_records_carry_the_cleaned_values(applied: tuple[ApplyOutcome, Path, Settings]) -> None:
    _, work, _ = applied
    rows = source_rows()
    for line in read_jsonl(work / "records.jsonl"):
        src, person = rows[line["row"]], line["record"]["person"]
        assert person["family_name"] == src[1]
        assert person["sex"] == SEX[src[4].upper()]
        day, month, year = src[3].split("/")
        assert person["date_of_birth"] == f"{year}-{month}-{day}"
        clock = src[8].zfill(4)
        assert line["record"]["custody"]["arrested_at"][11:16] == f"{clock[:2]}:{clock[2:]}"
        if src[6].strip():
            compact = src[6].replace(" ", "").upper()
            assert person["address"]["postcode"] == f"{compact[:-3]} {compact[-3:]}"
        else:
            assert "address" not in person
        if src[12]:
            assert person["nhs_number"] == src[12].replace(" ", "")


def test_runs_and_audit_events_are_stored(applied: tuple[ApplyOutcome, Path, Settings]) -> None:
    outcome, _, settings = applied
    profiled = run_profile_job(settings, CSV_PATH)
    assert profiled.dataset_id == outcome.dataset_id  # same bytes, same path: one dataset
    with open_session(settings) as session:
        assert verify_chain(session) == []
        actions = [(e.action, e.actor) for e in list_events(session)]
        dataset = session.get(Dataset, outcome.dataset_id)
        assert dataset is not None and dataset.profile is not None
        assert [f["name"] for f in dataset.profile["fields"]] == list(HEADER)
    assert [a for a, _ in actions] == ["run_started", "dataset_read", "mapping_version_used", "apply_finished",
                                       "run_started", "dataset_read", "profile_computed"]
    assert {actor for _, actor in actions} == {"demo-test"}
