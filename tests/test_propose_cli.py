"""``crosswalk propose``: the table, the document, the run record, and propose -> apply end to end."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from agent.cli import app
from agent.console.propose_view import reason_text, transform_text
from agent.settings import Settings
from agent.store import Dataset, Run, dispose_engines, open_session
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tests.test_propose_end_to_end import EXPECTED_SOURCES, expected_record
from tools.json_pointer import parse_pointer
from tools.mapping import FieldMapping
from tools.standards import bundled_standard_path

WIDE = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}
NOISE = ["ROWVER", "LAST_UPDATED_BY", "EXTRACT_DT"]


pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def at(record: dict[str, Any], pointer: str) -> Any:
    value: Any = record
    for token in parse_pointer(pointer):
        if not isinstance(value, dict) or token not in value:
            return None
        value = value[token]
    return value


@pytest.fixture(scope="module")
def proposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result, list[dict[str, str]]]]:
    work = tmp_path_factory.mktemp("propose")
    generated = custody_rows()
    write_csv(work / "export.csv", generated)
    write_schema(work / "target.schema.json", custody_schema())
    result = run("--data-dir", work / "data", "propose", work / "export.csv", "--target-schema", work / "target.schema.json",
                 "--out", work / "proposal.json", "--offline")
    yield work, result, generated
    dispose_engines()


def test_propose_writes_the_contract_document(proposed: tuple[Path, Result, list[dict[str, str]]]) -> None:
    work, result, _ = proposed
    assert result.exit_code == 0, result.output
    doc = json.loads((work / "proposal.json").read_text(encoding="utf-8"))
    assert {f["target"]: f["sources"] for f in doc["fields"]} == EXPECTED_SOURCES
    for field in doc["fields"]:
        assert {"target", "sources", "transform", "confidence", "status", "rationale"} <= set(field)
        assert field["status"] in ("auto_accepted", "needs_review") and 0.0 <= field["confidence"] <= 1.0
    assert doc["unmapped_sources"] == NOISE
    assert doc["source"]["sha256"] == hashlib.sha256((work / "export.csv").read_bytes()).hexdigest()
    assert doc["source"]["path"] == str(work / "export.csv") and doc["source"]["delimiter"] == ","
    assert doc["target_schema"]["path"] == str(work / "target.schema.json")
    assert doc["target_schema"]["sha256"] == hashlib.sha256((work / "target.schema.json").read_bytes()).hexdigest()


def test_the_table_shows_routing_and_reasons(proposed: tuple[Path, Result, list[dict[str, str]]]) -> None:
    _, result, _ = proposed
    out = result.stdout
    assert "mode: offline (deterministic proposer, no LLM, no network)" in out
    assert "12 proposed fields" in out
    header = next(line for line in out.splitlines() if "target" in line and "confidence" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == ["target", "sources", "transform", "confidence", "status", "reason"]
    merged = next(line for line in out.splitlines() if "/arrest/arrested_at" in line)
    assert "ARREST DATE + ARREST TIME" in merged and "needs_review" in merged
    assert "merge: date 'ARREST DATE' and time 'ARREST TIME' combined" in merged
    postcode = next(line for line in out.splitlines() if "/detainee/home_postcode" in line)
    assert "HOME_PCODE" in postcode and "auto_accepted" in postcode and "confident and validated; 100% of 120" in postcode
    assert "3 unmapped source fields" in out
    rowver = next(line for line in out.splitlines() if "ROWVER" in line)
    assert "audit/system column" in rowver


def test_the_run_dataset_and_audit_events_are_stored(proposed: tuple[Path, Result, list[dict[str, str]]]) -> None:
    work, _, _ = proposed
    settings = Settings(data_dir=work / "data")
    with open_session(settings) as session:
        (run_row,) = session.exec(select(Run)).all()
        (dataset,) = session.exec(select(Dataset)).all()
    # fields left needs_review are queued for people: the run waits at the review node
    assert (run_row.kind, run_row.status, run_row.dataset_id) == ("propose", "review", dataset.id)
    doc = json.loads((work / "proposal.json").read_text(encoding="utf-8"))
    auto = sum(1 for f in doc["fields"] if f["status"] == "auto_accepted")
    assert run_row.summary == {"fields": 12, "auto_accepted": auto, "needs_review": 12 - auto, "unmapped_sources": 3,
                               "review_items": 12 - auto}
    assert run_row.mapping_version_id is not None
    log = run("--data-dir", work / "data", "audit", "log", "--run", run_row.id, "--json")
    actions = [json.loads(line)["action"] for line in log.stdout.splitlines()]
    assert actions == ["run_started", "graph_read", "graph_profile", "graph_retrieve", "graph_propose", "graph_rerank",
                       "graph_validate", "graph_route", "review_queued", "proposal_written", "run_waiting_for_review"]


def test_propose_then_apply_end_to_end(proposed: tuple[Path, Result, list[dict[str, str]]]) -> None:
    work, _, generated = proposed
    doc = json.loads((work / "proposal.json").read_text(encoding="utf-8"))
    auto = [f["target"] for f in doc["fields"] if f["status"] == "auto_accepted"]
    assert len(auto) >= 7
    result = run("--data-dir", work / "data", "apply", work / "proposal.json", work / "export.csv",
                 "--out", work / "records.jsonl", "--rejects", work / "rejects.jsonl")
    assert result.exit_code == 0, result.output
    records, rejects = read_jsonl(work / "records.jsonl"), read_jsonl(work / "rejects.jsonl")
    assert sorted(r["row"] for r in records + rejects) == list(range(len(generated)))  # every row exactly once
    assert rejects == []
    for line in records:
        expected = expected_record(generated[line["row"]])
        assert {target: at(line["record"], target) for target in auto} == {target: expected[target] for target in auto}
        assert at(line["record"], "/arrest/arrested_at") is None  # needs review: not applied
    first = records[0]["record"]
    assert first["detainee"]["family_name"] == generated[0]["SNAME"]
    compact = generated[0]["HOME_PCODE"].replace(" ", "").upper()
    assert first["detainee"]["home_postcode"] == f"{compact[:-3]} {compact[-3:]}"


def test_without_a_target_schema_the_bundled_standard_is_used(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "export.csv", custody_rows(n=40))
    result = run("--data-dir", tmp_path / "data", "propose", source, "--out", tmp_path / "p.json")
    assert result.exit_code == 0, result.output
    assert "mode: LLM not configured; used the deterministic proposer (as with --offline)" in result.stdout
    assert f"target schema: {bundled_standard_path()} (the bundled police standard;" in result.stdout
    doc = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert doc["target_schema"]["path"] == str(bundled_standard_path())
    assert doc["proposed_by"]["mode"] == "deterministic"
    sources = {f["target"]: f["sources"] for f in doc["fields"]}
    assert sources["/person/family_name"] == ["SNAME"] and sources["/person/nhs_number"] == ["NHS_NO"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["propose", "--out", "p.json"], "give a SOURCE file (or --resume RUN_ID to continue a crashed run)"),
        (["propose", "missing.csv", "--out", "p.json"], "missing.csv: file not found"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("--data-dir", tmp_path / "data", *args)
    assert result.exit_code == 2
    assert result.stderr == f"crosswalk: error: {message}\n"


def test_a_broken_target_schema_is_one_line(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "export.csv", custody_rows(n=5))
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    result = run("--data-dir", tmp_path / "data", "propose", source, "--target-schema", tmp_path / "bad.json", "--out", tmp_path / "p.json")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"crosswalk: error: {tmp_path / 'bad.json'}") and result.stderr.count("\n") == 1
    assert not (tmp_path / "data").exists()  # checked before anything was stored


def test_transform_and_reason_texts() -> None:
    cases = {
        '{"op": "parse_date", "format": "%d/%m/%Y"}': "parse_date %d/%m/%Y",
        '{"op": "value_map", "mapping": {"M": "male", "F": "female"}}': "value_map (2 values)",
        '{"op": "to_boolean", "true_values": ["Y"], "false_values": ["N"]}': "to_boolean (true Y; false N)",
        '{"op": "postcode", "space": false, "null_values": ["N/A"]}': "postcode space=False (nulls: N/A)",
        '{"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M"}': "combine_date_time %d/%m/%Y %H:%M",
    }
    for spec, text in cases.items():
        field = FieldMapping(target="/x", sources=["A"], transform=json.loads(spec))
        assert transform_text(field.transform) == text
    review = FieldMapping(target="/x", sources=["A"], transform={"op": "text"}, status="needs_review",
                          review_reasons=["merge: two sources", "low_confidence: 0.5"])
    assert reason_text(review) == "merge: two sources\nlow_confidence: 0.5"
    accepted = FieldMapping.model_validate({"target": "/x", "sources": ["A"], "transform": {"op": "text"}, "status": "auto_accepted",
                                            "validation": {"rows_checked": 1200, "pass_rate": 1.0}})
    assert reason_text(accepted) == "confident and validated; 100% of 1,200 sampled rows valid"


def test_propose_help_names_its_options() -> None:
    result = run("propose", "--help")
    assert result.exit_code == 0 and "Propose a mapping of SOURCE onto the target schema" in result.stdout
    for option in ("--out", "--target-schema", "--offline", "--sheet", "--encoding", "--delimiter", "--resume"):
        assert option in result.stdout
