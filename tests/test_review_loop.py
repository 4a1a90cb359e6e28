"""The review loop across processes: propose pauses the run, people decide, the last decision resumes it.

``crosswalk propose`` runs in one subprocess and ends at the review interrupt; the test
process decides all but one item; the last decision runs in another subprocess, which
resumes the graph from the durable checkpoint (thread id = run id) and stores the
reviewed mapping as a new version that ``crosswalk apply --mapping-version`` applies.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from agent.audit import list_events, verify_chain
from agent.cli import app
from agent.jobs.memory_job import memory_stats
from agent.settings import Settings
from agent.store import MappingVersion, Run, open_session
from agent.store.review import items_of_run
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")
CLI = [sys.executable, "-c", "from agent.cli import main; main()"]
ROOT = Path(__file__).resolve().parent.parent


def crosswalk(data_dir: Path, user: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The console script in a process of its own."""
    env = {**os.environ, "CROSSWALK_DATA_DIR": str(data_dir), "CROSSWALK_USER": user, "COLUMNS": "250"}
    return subprocess.run([*CLI, *(str(a) for a in args)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def in_process(data_dir: Path, *args: str | Path) -> Result:
    return CliRunner().invoke(app, ["--data-dir", str(data_dir), *(str(a) for a in args)])


def review_list(data_dir: Path, run_id: str) -> list[dict[str, Any]]:
    result = in_process(data_dir, "review", "list", "--run", run_id, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_propose_review_in_other_processes_resume_and_apply_the_approved_version(tmp_path: Path) -> None:
    write_csv(tmp_path / "export.csv", custody_rows())
    write_schema(tmp_path / "target.schema.json", custody_schema())
    data = tmp_path / "data"
    proposed = crosswalk(data, "alice", "propose", tmp_path / "export.csv", "--target-schema", tmp_path / "target.schema.json",
                         "--out", tmp_path / "proposal.json", "--offline")
    assert proposed.returncode == 0, proposed.stderr
    found = re.search(r"^(\d+) item\(s\) waiting for review, run ([0-9a-f]{32})$", proposed.stdout, re.M)
    assert found is not None, proposed.stdout
    run_id = found.group(2)
    items = {i["target"]: i for i in review_list(data, run_id)}
    assert set(items) == {"/detainee/birth_date", "/detainee/ic_code", "/arrest/arrested_at", "/arrest/intoxicated"}
    assert int(found.group(1)) == 4 and items["/arrest/arrested_at"]["kind"] == "field_merge"

    # the starter may not decide; others approve, reject and edit (the editor may not approve their own edit)
    refused = in_process(data, "review", "decide", items["/detainee/ic_code"]["id"], "--approve", "--reason", "r", "--as", "alice")
    assert refused.exit_code == 2 and "alice started run" in refused.stderr
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"transform": {"op": "parse_date", "format": "%d/%m/%Y", "century_pivot": 50}}), encoding="utf-8")
    steps = [(items["/detainee/ic_code"]["id"], ["--approve"], "bob"), (items["/arrest/intoxicated"]["id"], ["--reject"], "bob"),
             (items["/detainee/birth_date"]["id"], ["--edit-json", str(edit)], "bob")]
    for item_id, decision, user in steps:
        result = in_process(data, "review", "decide", item_id, *decision, "--reason", "checked the samples", "--as", user)
        assert result.exit_code == 0, result.output
    # the edit was previewed on the sample: every birth date still parses
    assert "edited by bob (version 2)" in result.stdout and "validation: 120 of 120 sampled rows valid" in result.stdout
    assert result.stdout.endswith(f"2 item(s) of run {run_id} still waiting for review\n")
    own = in_process(data, "review", "decide", items["/detainee/birth_date"]["id"], "--approve", "--reason", "r", "--as", "bob")
    assert own.exit_code == 2 and "bob proposed or edited" in own.stderr
    assert in_process(data, "review", "decide", items["/detainee/birth_date"]["id"], "--approve", "--reason", "pivot ok",
                      "--as", "carol").exit_code == 0
    assert [i["target"] for i in review_list(data, run_id)] == ["/arrest/arrested_at"]

    last = crosswalk(data, "carol", "review", "decide", items["/arrest/arrested_at"]["id"], "--approve", "--reason", "merge right")
    assert last.returncode == 0, last.stderr
    assert f"run {run_id} resumed: 3 approved, 1 rejected" in last.stdout
    version_id = re.search(r"^mapping version: ([0-9a-f]{64}) \(parent ([0-9a-f]{64})\)$", last.stdout, re.M)
    assert version_id is not None, last.stdout

    settings = Settings(data_dir=data)
    with open_session(settings) as session:
        run = session.get(Run, run_id)
        version = session.get(MappingVersion, version_id.group(1))
        assert run is not None and version is not None
        assert (run.status, run.mapping_version_id, run.summary["proposal_version"]) == ("succeeded", version.id, version.parent_version)
        assert version.parent_version == version_id.group(2) and version.created_by == "carol"
        assert {i.state for i in items_of_run(session, run_id)} == {"approved", "rejected"}
        document, reviewed_id = version.document, version.id  # verify_chain expires what the session holds
        assert verify_chain(session) == []
        actions = [e.action for e in list_events(session, run_id=run_id)]
    fields = {f["target"]: f for f in document["fields"]}
    assert {t: fields[t]["status"] for t in items} == {"/detainee/birth_date": "approved", "/detainee/ic_code": "approved",
                                                       "/arrest/arrested_at": "approved", "/arrest/intoxicated": "rejected"}
    birth = fields["/detainee/birth_date"]
    assert birth["transform"]["century_pivot"] == 50
    assert {k: birth["review"][k] for k in ("proposed_by", "decided_by", "edited")} == {"proposed_by": "bob", "decided_by": "carol",
                                                                                       "edited": True}
    assert fields["/arrest/intoxicated"]["review"]["decided_by"] == "bob"
    assert actions[-9:] == ["run_waiting_for_review", "review_approved", "review_rejected", "review_edited", "review_approved",
                            "review_approved", "run_resumed", "graph_review", "mapping_approved"]
    # the approved fields went to the retrieval memory, in carol's name
    stats = memory_stats(settings)
    assert stats["approvers"] == ["carol"] and stats["mappings"] == len(
        [f for f in fields.values() if f["status"] in ("approved", "auto_accepted") and len(f["sources"]) == 1])
    assert f"remembered {stats['mappings']} approved field(s)" in last.stdout

    applied = in_process(data, "apply", "--mapping-version", reviewed_id[:12], tmp_path / "export.csv",
                         "--out", tmp_path / "records.jsonl", "--rejects", tmp_path / "rejects.jsonl")
    assert applied.exit_code == 0, applied.output
    lines = [json.loads(x) for p in ("records.jsonl", "rejects.jsonl") for x in (tmp_path / p).read_text().splitlines()]
    assert sorted(x["row"] for x in lines) == list(range(120))
    assert all("intoxicated" not in x["record"].get("arrest", {}) for x in lines)  # rejected: left unmapped
    assert all("arrested_at" in x["record"].get("arrest", {}) for x in lines if "errors" not in x)

    # the same version by the dataset's name: the latest approved, or numbered from the audit log
    listed = in_process(data, "review", "versions", "export.csv")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.startswith(f"export.csv@1  {reviewed_id[:16]}  approved ") and " by carol  run " + run_id in listed.stdout
    for ref in ("export.csv", "export.csv@1"):
        by_name = in_process(data, "apply", "--mapping-version", ref, tmp_path / "export.csv",
                             "--out", tmp_path / "by_name.jsonl", "--rejects", tmp_path / "by_name_rejects.jsonl")
        assert by_name.exit_code == 0, by_name.output
        assert (tmp_path / "by_name.jsonl").read_text() == (tmp_path / "records.jsonl").read_text()
    beyond = in_process(data, "apply", "--mapping-version", "export.csv@2", tmp_path / "export.csv",
                        "--out", tmp_path / "o.jsonl", "--rejects", tmp_path / "r.jsonl")
    assert beyond.exit_code == 2 and "export.csv has approved mapping versions 1 to 1" in beyond.stderr


def test_apply_needs_exactly_one_mapping(tmp_path: Path) -> None:
    both = in_process(tmp_path / "data", "apply", "--mapping-version", "abc", "m.json", "s.csv", "--out", "o", "--rejects", "r")
    assert both.exit_code == 2 and "with --mapping-version give only the SOURCE file" in both.stderr
    neither = in_process(tmp_path / "data", "apply", "s.csv", "--out", "o", "--rejects", "r")
    assert neither.exit_code == 2 and "give a mapping file and a SOURCE file" in neither.stderr
    write_csv(tmp_path / "s.csv", custody_rows(5))
    unknown = in_process(tmp_path / "data", "apply", "--mapping-version", "deadbeefdeadbeef", tmp_path / "s.csv",
                         "--out", tmp_path / "o", "--rejects", tmp_path / "r")
    assert unknown.exit_code == 2 and "mapping version deadbeefdeadbeef is not stored" in unknown.stderr
