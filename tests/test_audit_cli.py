"""``crosswalk audit``: verify (text and JSON), checkpoint, show, search, export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from agent.audit import event_hash, record_event
from agent.cli import app
from agent.settings import Settings
from agent.store import open_session

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")

KEY = "an audit key for the cli tests"
SOURCE = "SURNAME,SEX\nSMITH,M\nJONES,F\n"
MAPPING = {"fields": [
    {"target": "/person/family_name", "sources": ["SURNAME"], "transform": {"op": "text"}, "status": "approved"},
    {"target": "/person/sex", "sources": ["SEX"], "transform": {"op": "value_map", "mapping": {"M": "male", "F": "female"}},
     "status": "approved"},
]}
INJECTIONS = ('=HYPERLINK("http://x")', "+cmd|' /C calc'!A0")


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    (tmp_path / "people.csv").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "mapping.json").write_text(json.dumps(MAPPING), encoding="utf-8")
    result = run("--data-dir", tmp_path / "data", "apply", tmp_path / "mapping.json", tmp_path / "people.csv",
                 "--out", tmp_path / "out.jsonl", "--rejects", tmp_path / "rejects.jsonl")
    assert result.exit_code == 0, result.output
    return tmp_path


def audit(work: Path, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    return run("--data-dir", work / "data", "audit", *args, env=env)


def events(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("command", ["verify", "log", "show", "search", "export", "checkpoint", "replay"])
def test_every_audit_command_has_help(command: str) -> None:
    result = run("audit", command, "--help")
    assert result.exit_code == 0 and "Usage" in result.stdout


def test_verify_json_and_exit_codes(work: Path) -> None:
    ok = audit(work, "verify", "--json")
    assert ok.exit_code == 0
    report = json.loads(ok.stdout)
    assert report["intact"] is True and report["events"] == 4 and report["problem_count"] == 0
    db = sqlite3.connect(work / "data" / "crosswalk.db", isolation_level=None)
    db.execute("DROP TRIGGER audit_event_no_delete")
    db.execute("DELETE FROM audit_event WHERE seq = 2")
    broken = audit(work, "verify", "--json")
    assert broken.exit_code == 1
    first = json.loads(broken.stdout)["first_problem"]
    assert (first["seq"], first["kind"], first["expected"], first["found"]) == (3, "sequence_gap", "2", "3")
    text = audit(work, "verify")
    assert text.stdout.splitlines()[:2] == ["audit: event 3: expected sequence number 2 (events missing or reordered)",
                                            "audit:   expected sequence number 2, found 3"]
    assert text.stderr == "audit chain BROKEN: 2 problem(s) in 3 event(s)\n"


def test_checkpoint_needs_a_key_or_unsigned_and_catches_truncation(work: Path) -> None:
    refused = audit(work, "checkpoint", "--out", work / "cp.json")
    assert refused.exit_code == 2 and "no audit key to sign the checkpoint" in refused.stderr
    assert not (work / "cp.json").exists()
    signed = audit(work, "checkpoint", "--out", work / "cp.json", env={"CROSSWALK_AUDIT_HMAC_KEY": KEY})
    assert signed.exit_code == 0 and "checkpoint of event 4" in signed.stdout and "signed with key" in signed.stdout
    document = json.loads((work / "cp.json").read_text(encoding="utf-8"))
    assert (document["seq"], document["count"], len(document["signature"])) == (4, 4, 64)
    log = events(audit(work, "log", "--json"))
    assert log[-1]["action"] == "audit_checkpoint" and log[-1]["outputs"]["hash"] == document["hash"]
    matched = audit(work, "verify", "--checkpoint", work / "cp.json", env={"CROSSWALK_AUDIT_HMAC_KEY": KEY})
    assert matched.exit_code == 0 and "1 checkpoint(s) matched" in matched.stdout
    db = sqlite3.connect(work / "data" / "crosswalk.db", isolation_level=None)
    db.execute("DROP TRIGGER audit_event_no_delete")
    db.execute("DELETE FROM audit_event WHERE seq >= 4")
    assert audit(work, "verify").exit_code == 0  # a shorter chain is still a chain
    truncated = audit(work, "verify", "--checkpoint", work / "cp.json")
    assert truncated.exit_code == 1
    assert truncated.stdout.startswith("audit: checkpoint cp.json: the log ends at event 3 but the checkpoint names event 4")
    unsigned = audit(work, "checkpoint", "--unsigned")
    assert unsigned.exit_code == 0 and json.loads(unsigned.stdout)["signature"] is None


def test_show_a_run_timeline(work: Path) -> None:
    run_id = str(events(audit(work, "log", "--json"))[0]["run_id"])
    for ref in (run_id, run_id[:8], "latest"):
        shown = audit(work, "show", ref)
        assert shown.exit_code == 0, shown.output
        assert shown.stdout.startswith(f"run {run_id} (apply, succeeded) by ")
        assert "dataset_read" in shown.stdout and "people.csv" in shown.stdout and "rows_read=2" not in shown.stdout
    document = json.loads(audit(work, "show", run_id, "--json").stdout)
    assert document["run"]["id"] == run_id and [e["action"] for e in document["events"]] == [
        "run_started", "dataset_read", "mapping_version_used", "apply_finished"]
    missing = audit(work, "show", "nope")
    assert missing.exit_code == 2 and "no run 'nope'" in missing.stderr


def test_search_by_dataset_field_action_actor_and_dates(work: Path) -> None:
    with open_session(Settings(data_dir=work / "data")) as session:
        record_event(session, "carol", "review_approved", "review_item:1", {"target": "/person/sex_at_birth"}, {}, None)
    assert len(events(audit(work, "search", "--dataset", "people.csv", "--json"))) == 4
    assert events(audit(work, "search", "--dataset", "other.csv", "--json")) == []
    by_field = events(audit(work, "search", "--field", "/person/sex", "--json"))
    actions = [e["action"] for e in by_field]
    assert "mapping_version_used" in actions and "review_approved" not in actions  # not /person/sex_at_birth
    assert [e["actor"] for e in events(audit(work, "search", "--actor", "carol", "--json"))] == ["carol"]
    assert len(events(audit(work, "search", "--action", "dataset_read", "--json"))) == 1
    assert len(events(audit(work, "search", "--since", "2000-01-01", "--until", "2999-12-31", "--json"))) == 5
    assert events(audit(work, "search", "--until", "2000-01-01", "--json")) == []
    assert events(audit(work, "search", "--since", "2999-01-01T00:00:00+01:00", "--json")) == []
    assert len(events(audit(work, "search", "--field", "person/sex%", "--json"))) == 0  # LIKE wildcards are literal
    bad = audit(work, "search", "--since", "yesterday")
    assert bad.exit_code == 2 and "'yesterday' is not a date" in bad.stderr
    table = audit(work, "search", "--action", "dataset_read")
    assert table.exit_code == 0 and "1 audit event(s)" in table.stdout


def test_jsonl_export_can_be_reverified_by_another_tool(work: Path) -> None:
    exported = audit(work, "export", "--format", "jsonl", "--out", work / "audit.jsonl", env={"CROSSWALK_AUDIT_HMAC_KEY": KEY})
    assert exported.exit_code == 0 and "exported 4 event(s)" in exported.stderr
    rows = [json.loads(line) for line in (work / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    prev = "0" * 64
    for row in rows:
        body = {k: row[k] for k in ("seq", "time", "actor", "action", "subject", "inputs", "outputs", "run_id")}
        assert row["prev_hash"] == prev and event_hash(**body, prev_hash=prev) == row["hash"]  # type: ignore[arg-type]
        prev = row["hash"]
    assert set(rows[0]) >= {"hash", "prev_hash", "hmac"}


def test_csv_export_neutralises_formulas(work: Path) -> None:
    with open_session(Settings(data_dir=work / "data")) as session:
        record_event(session, INJECTIONS[1], "review_rejected", INJECTIONS[0], {"reason": INJECTIONS[0]}, {}, None)
    result = audit(work, "export", "--format", "csv", "--actor", INJECTIONS[1])
    assert result.exit_code == 0, result.output
    header, row = list(csv.reader(io.StringIO(result.stdout)))
    cells = dict(zip(header, row))
    assert cells["subject"] == "'" + INJECTIONS[0] and cells["actor"] == "'" + INJECTIONS[1]
    assert json.loads(cells["inputs"]) == {"reason": INJECTIONS[0]}  # JSON text starts with '{': safe as it is
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    (work / "out").mkdir()
    to_file = audit(work, "export", "--format", "csv", "--out", work / "out" / "audit.csv")
    assert to_file.exit_code == 0
    assert (work / "out" / "audit.csv").read_bytes().count(b"\r\n") == 6  # header + 5 events
