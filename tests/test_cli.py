"""The crosswalk CLI: help texts, one-line user errors, exit codes, the apply summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from agent.cli import app
from agent.settings import Settings
from agent.store import open_session
from tools.mapping import mapping_json_schema

ROOT = Path(__file__).resolve().parent.parent
WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}

SOURCE = "SURNAME,DOB,SEX\nSMITH,03/04/1980,M\nO'BRIEN,31/02/1990,F\nJONES,15/12/2001,Q\nEVANS,01/01/1970,F\n"
MAPPING = {
    "fields": [
        {"target": "/person/family_name", "sources": ["SURNAME"], "transform": {"op": "text"}, "status": "approved"},
        {"target": "/person/date_of_birth", "sources": ["DOB"], "transform": {"op": "parse_date", "format": "%d/%m/%Y"},
         "status": "approved"},
        {"target": "/person/sex", "sources": ["SEX"],
         "transform": {"op": "value_map", "mapping": {"M": "male", "F": "female"}}, "status": "approved"},
    ],
}


pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    (tmp_path / "people.csv").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "mapping.json").write_text(json.dumps(MAPPING), encoding="utf-8")
    return tmp_path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def apply_args(work: Path, mapping: str = "mapping.json", *extra: str) -> list[str | Path]:
    return ["--data-dir", work / "data", "apply", work / mapping, work / "people.csv",
            "--out", work / "out" / "records.jsonl", "--rejects", work / "out" / "rejects.jsonl", *extra]


@pytest.mark.parametrize(
    ("command", "phrase"),
    [
        ([], "Bring a police or partner data export"),
        (["profile"], "Profile a source file"),
        (["apply"], "Apply a mapping to a whole source"),
        (["schema"], "Inspect target schemas"),
        (["schema", "fields"], "List the target fields of a schema"),
        (["schema", "mapping-doc"], "Print the JSON Schema of the mapping"),
        (["audit"], "Verify and read the hash-chained audit log"),
        (["audit", "verify"], "Recompute the audit log's hash chain"),
        (["audit", "log"], "Print audit events in order"),
    ],
)
def test_every_command_has_help(command: list[str], phrase: str) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: crosswalk" in result.stdout
    assert phrase in result.stdout


def test_apply_help_names_its_options() -> None:
    out = run("apply", "--help").stdout
    for option in ("--out", "--rejects", "--target-schema", "--include-pending", "--engine"):
        assert option in out


def assert_one_line_error(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == f"crosswalk: error: {message}\n"
    assert "Traceback" not in result.output


def test_missing_source_file(work: Path) -> None:
    result = run("--data-dir", work / "data", "profile", work / "nope.csv")
    assert_one_line_error(result, f"{work / 'nope.csv'}: file not found")


def test_missing_source_file_for_apply(work: Path) -> None:
    args = apply_args(work)
    args[4] = work / "nope.csv"
    assert_one_line_error(run(*args), f"{work / 'nope.csv'}: file not found")


def test_missing_mapping_file(work: Path) -> None:
    assert_one_line_error(run(*apply_args(work, "nope.json")), f"{work / 'nope.json'}: file not found")


def test_mapping_that_is_not_json(work: Path) -> None:
    (work / "broken.json").write_text("{not json", encoding="utf-8")
    result = run(*apply_args(work, "broken.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"crosswalk: error: {work / 'broken.json'}: not valid JSON (")
    assert result.stderr.count("\n") == 1


def test_mapping_with_an_unknown_transform(work: Path) -> None:
    bad = {"fields": [{"target": "/person/family_name", "sources": ["SURNAME"], "transform": {"op": "shout"}}]}
    (work / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    result = run(*apply_args(work, "bad.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"crosswalk: error: {work / 'bad.json'}, field /person/family_name: fields/0/transform:")
    assert result.stderr.count("\n") == 1
    assert not (work / "data" / "crosswalk.db").exists()  # nothing stored for a rejected request


def test_schema_with_a_remote_ref_is_refused(work: Path) -> None:
    schema = {"type": "object", "properties": {"person": {"$ref": "https://example.org/person.schema.json"}}}
    (work / "remote.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    expected = (f"{work / 'remote.schema.json'}: remote $ref 'https://example.org/person.schema.json' at "
                "/properties/person refused: crosswalk never fetches schemas; copy the definition under $defs "
                "and refer to it as '#/$defs/...'")
    assert_one_line_error(run(*apply_args(work, "mapping.json", "--target-schema", str(work / "remote.schema.json"))), expected)
    assert_one_line_error(run("schema", "fields", work / "remote.schema.json"), expected)


def test_bad_setting_is_a_one_line_error(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSWALK_SAMPLE_SIZE", "lots")
    result = run("audit", "verify")
    assert result.exit_code == 2
    assert result.stderr.startswith("crosswalk: error: setting CROSSWALK_SAMPLE_SIZE: ")


def test_unusable_data_dir(work: Path) -> None:
    (work / "blocker").write_text("a file", encoding="utf-8")
    result = run("--data-dir", work / "blocker" / "data", "audit", "verify")
    assert_one_line_error(result, f"cannot create data directory {work / 'blocker' / 'data'}: Not a directory")


def test_apply_prints_a_summary(work: Path) -> None:
    result = run(*apply_args(work, "mapping.json", "--engine", "python"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "4 rows read: 2 valid, 2 quarantined"
    assert lines[1] == f"records: {work / 'out' / 'records.jsonl'}"
    assert lines[2] == f"rejects: {work / 'out' / 'rejects.jsonl'}"
    assert lines[3].startswith("engine: python; ") and lines[3].endswith(" rows/s")
    assert "(the bundled police standard)" in lines[4]
    assert "Top errors" in result.stdout
    assert "/person/date_of_birth" in result.stdout and "'31/02/1990' is not a valid date" in result.stdout
    assert "/person/sex" in result.stdout and "'Q' is not in the value map" in result.stdout
    records = [json.loads(x) for x in (work / "out" / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    rejects = [json.loads(x) for x in (work / "out" / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in records] == [0, 3]
    assert [r["row"] for r in rejects] == [1, 2]
    assert records[0]["record"] == {"person": {"family_name": "SMITH", "date_of_birth": "1980-04-03", "sex": "male"}}


def test_apply_exits_1_when_no_row_is_valid(work: Path) -> None:
    strict = json.loads(json.dumps(MAPPING))
    strict["fields"][2]["transform"]["mapping"] = {"X": "not_applicable"}
    (work / "strict.json").write_text(json.dumps(strict), encoding="utf-8")
    result = run(*apply_args(work, "strict.json"))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "4 rows read: 0 valid, 4 quarantined"
    assert result.stderr == "crosswalk: no row was valid; see the rejects file\n"


def test_apply_writes_the_audit_trail(work: Path) -> None:
    assert run(*apply_args(work)).exit_code == 0
    log = run("--data-dir", work / "data", "audit", "log", "--json")
    events = [json.loads(line) for line in log.stdout.splitlines()]
    assert [e["action"] for e in events] == ["run_started", "dataset_read", "mapping_version_used", "apply_finished"]
    assert len({e["run_id"] for e in events}) == 1
    assert events[1]["outputs"]["sha256"] == __import__("hashlib").sha256(SOURCE.encode()).hexdigest()
    finished = events[3]["outputs"]
    assert (finished["summary"]["rows_read"], finished["summary"]["rows_valid"]) == (4, 2)
    assert finished["records"]["path"] == str(work / "out" / "records.jsonl")
    by_run = run("--data-dir", work / "data", "audit", "log", "--run", events[0]["run_id"])
    assert by_run.exit_code == 0 and "4 audit event(s)" in by_run.stdout
    verify = run("--data-dir", work / "data", "audit", "verify")
    assert verify.exit_code == 0
    assert verify.stdout.startswith(f"audit chain intact: 4 event(s); last hash {events[3]['hash']}")


def test_audit_verify_reports_tampering(work: Path) -> None:
    assert run(*apply_args(work)).exit_code == 0
    with open_session(Settings(data_dir=work / "data")) as session:
        session.exec(text("DROP TRIGGER audit_event_no_update"))  # type: ignore[call-overload]
        session.exec(text("UPDATE audit_event SET actor = :a WHERE seq = 2"), params={"a": "mallory"})  # type: ignore[call-overload]
        session.commit()
    result = run("--data-dir", work / "data", "audit", "verify")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "audit: event 2: content does not match its hash (altered after it was written)"
    assert lines[1].startswith("audit:   hash recomputed from the content ") and ", hash stored with the event " in lines[1] and len(lines) == 2
    assert result.stderr == "audit chain BROKEN: 1 problem(s) in 4 event(s)\n"


def test_profile_table_and_json(work: Path) -> None:
    table = run("--data-dir", work / "data", "profile", work / "people.csv")
    assert table.exit_code == 0, table.output
    assert "profiled the whole file (4 rows, 0 broken)" in table.stdout
    assert "SURNAME" in table.stdout and "AAAAA x3, A'AAAAA x1" in table.stdout and "day first" in table.stdout
    as_json = run("--data-dir", work / "data", "profile", work / "people.csv", "--json", "--sample", "2")
    profile = json.loads(as_json.stdout)
    assert profile["rows_sampled"] == 2 and [f["name"] for f in profile["fields"]] == ["SURNAME", "DOB", "SEX"]
    actions = [json.loads(x)["action"] for x in run("--data-dir", work / "data", "audit", "log", "--json").stdout.splitlines()]
    assert actions == ["run_started", "dataset_read", "profile_computed"] * 2


def test_schema_fields_lists_the_bundled_standard() -> None:
    result = run("schema", "fields")
    assert result.exit_code == 0
    assert result.stdout.startswith("Crosswalk canonical police record: ")
    fields = json.loads(run("schema", "fields", "--json").stdout)
    by_pointer = {f["pointer"]: f for f in fields}
    assert by_pointer["/person/date_of_birth"]["format"] == "date"
    assert by_pointer["/person/sex"]["enum"] == ["male", "female", "unknown", "not_applicable"]
    assert by_pointer["/stop_search/type"]["required"] == "in section"


def test_mapping_doc_schema_is_checked_in() -> None:
    result = run("schema", "mapping-doc")
    assert json.loads(result.stdout) == mapping_json_schema()
    checked_in = (ROOT / "docs" / "mapping.schema.json").read_text(encoding="utf-8")
    assert checked_in == result.stdout, "regenerate: crosswalk schema mapping-doc > docs/mapping.schema.json"


def test_schema_named_by_the_mapping_is_used(work: Path) -> None:
    schema = {"type": "object", "properties": {"person": {"type": "object", "properties": {
        "family_name": {"type": "string"}, "date_of_birth": {"type": "string", "format": "date"},
        "sex": {"type": "string"}}}}}
    (work / "mine.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    named = dict(MAPPING, target_schema={"path": "mine.schema.json"})
    (work / "named.json").write_text(json.dumps(named), encoding="utf-8")
    result = run(*apply_args(work, "named.json"))
    assert f"schema: {work / 'mine.schema.json'} (the mapping's target_schema.path)" in result.stdout
