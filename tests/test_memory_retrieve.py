"""The retrieve node, the past-approval term of the score, and ``crosswalk memory``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.audit import list_events, verify_chain
from agent.cli import app
from agent.jobs.eval_job import graph_proposer
from agent.settings import Settings
from agent.store import open_session
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tests.test_graph import ListSink, run_graph
from tools.mapping import MappingDocument
from tools.memory.store import MappingMemory
from tools.profile import SourceProfile
from tools.propose import ProposeSettings
from tools.propose.candidates import combine
from tools.propose.past import PastApproval, backed, best_past, explain, parse_past

WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}


pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


@pytest.fixture(scope="module")
def custody(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("custody")
    return write_csv(folder / "export.csv", custody_rows()), write_schema(folder / "target.schema.json", custody_schema())


def test_no_past_term_leaves_the_score_exactly_as_it_was() -> None:
    settings = ProposeSettings()
    assert combine(0.3, 0.5, 0.2, settings) == combine(0.3, 0.5, 0.2, settings, 0.0) == 0.559
    # 1 - 0.7 * 0.7 * 0.9 * (1 - 0.8 * 0.95)
    assert combine(0.3, 0.5, 0.2, settings, 0.95) == 0.8942


def test_the_best_past_approval_of_the_target_above_the_floor_counts() -> None:
    approvals = [PastApproval(target="/a", similarity=0.95, dataset="x"), PastApproval(target="/b", similarity=0.97, dataset="y"),
                 PastApproval(target="/a", similarity=0.92, dataset="z")]
    assert best_past(approvals, "/a", 0.9) == approvals[0]
    assert best_past(approvals, "/a", 0.96) is None
    assert best_past(approvals, "/c", 0.0) is None
    assert backed(0.6, 0.0, 0.5) and backed(0.0, 0.5, 0.5) and not backed(0.49, 0.49, 0.5)
    assert explain(PastApproval(target="/a", similarity=0.934, dataset="force_a", system="Niche", source_field="SEX",
                                approved_by="alice")) == "approved before in dataset force_a (Niche) from field SEX by alice (similarity 0.93)"
    assert parse_past({"SEX": [{"target": "/a", "similarity": 0.9}]}) == {"SEX": [PastApproval(target="/a", similarity=0.9)]}


def test_retrieve_with_no_memory_or_an_empty_one_changes_nothing(custody: tuple[Path, Path], tmp_path: Path) -> None:
    without, with_empty = ListSink(), ListSink()
    plain, _ = run_graph(*custody, without)
    empty, _ = run_graph(*custody, with_empty, memory=MappingMemory.open(tmp_path / "memory"))
    assert plain["past_matches"] == empty["past_matches"] == {}
    assert plain["document"] == empty["document"]
    (event,) = with_empty.named("graph_retrieve")
    assert event[2]["memory"] == "configured" and event[3] == {"fields_with_matches": 0, "best": {}}


class BrokenMemory:
    def recall_many(self, profiles: list[Any], top_k: int = 5, *, schema: str | None = None) -> dict[str, list[Any]]:
        raise ConnectionError("chroma server unreachable")


def test_a_memory_that_fails_is_logged_and_treated_as_empty(custody: tuple[Path, Path]) -> None:
    sink = ListSink()
    plain, _ = run_graph(*custody, ListSink())
    broken, _ = run_graph(*custody, sink, run_id="run-3", memory=BrokenMemory())
    assert broken["past_matches"] == {} and broken["document"]["fields"] == plain["document"]["fields"]
    (event,) = sink.named("graph_retrieve")
    assert event[3] == {"fields_with_matches": 0, "best": {}, "error": "ConnectionError: chroma server unreachable"}


def test_retrieve_puts_past_approvals_in_the_state_and_propose_explains_them(custody: tuple[Path, Path], tmp_path: Path) -> None:
    source, schema = custody
    memory = MappingMemory.open(tmp_path / "memory")
    first, _ = run_graph(source, schema, ListSink())
    document = MappingDocument.model_validate(first["document"])
    approved = document.model_copy(update={"fields": [f.model_copy(update={"status": "approved"}) for f in document.fields]})
    memory.remember_mapping(approved, SourceProfile.model_validate(first["source_profile"]), "force_a", "Niche", "alice")
    sink = ListSink()
    second, _ = run_graph(source, schema, sink, run_id="run-2", memory=memory, memory_top_k=2)
    assert all(len(items) <= 2 for items in second["past_matches"].values())
    surname = second["past_matches"]["SNAME"][0]
    assert (surname["target"], surname["dataset"], surname["approved_by"]) == ("/detainee/family_name", "force_a", "alice")
    assert surname["similarity"] == pytest.approx(1.0, abs=1e-3)  # the same field of the same file
    evidence: dict[str, Any] = second["document"]["evidence"]["/detainee/family_name"]
    assert evidence["past_explanation"].startswith("approved before in dataset force_a (Niche) from field SNAME by alice")
    (event,) = sink.named("graph_retrieve")
    assert event[3]["best"]["SNAME"]["target"] == "/detainee/family_name"
    assert json.loads(json.dumps(second["past_matches"])) == second["past_matches"]  # checkpoint-safe


def test_memory_add_and_stats_through_the_cli(custody: tuple[Path, Path], tmp_path: Path) -> None:
    source, schema = custody
    data = tmp_path / "data"
    out = tmp_path / "proposal.json"
    runner = CliRunner()
    empty = runner.invoke(app, ["--data-dir", str(data), "memory", "stats"], env=WIDE)
    assert empty.exit_code == 0 and empty.stdout.startswith("0 approved field mapping(s) from 0 dataset(s)")
    proposed = runner.invoke(app, ["--data-dir", str(data), "propose", str(source), "--target-schema", str(schema),
                                   "--out", str(out), "--offline"], env=WIDE)
    assert proposed.exit_code == 0, proposed.output
    auto = [f["target"] for f in json.loads(out.read_text())["fields"] if f["status"] == "auto_accepted"]
    added = runner.invoke(app, ["--data-dir", str(data), "memory", "add", str(out), str(source), "--system", "Niche",
                                "--approved-by", "alice", "--dataset", "force_a", "--target-schema", str(schema)], env=WIDE)
    assert added.exit_code == 0, added.output
    assert f"remembered {len(auto)} field(s) of mapping version" in added.stdout
    stats = runner.invoke(app, ["--data-dir", str(data), "memory", "stats", "--json"], env=WIDE)
    found = json.loads(stats.stdout)
    assert found["mappings"] == len(auto) and found["datasets"] == 1 and found["systems"] == ["Niche"]
    assert found["approvers"] == ["alice"] and found["target_fields"] > 0
    settings = Settings(data_dir=data)
    with open_session(settings) as session:
        (event,) = [e for e in list_events(session) if e.action == "memory_remembered"]
        assert verify_chain(session) == []
    assert sorted(event.outputs["stored"]) == sorted(auto)
    assert event.inputs["approved_by"] == "alice" and event.inputs["system"] == "Niche"


def test_an_eval_never_uses_a_configured_team_memory(custody: tuple[Path, Path], tmp_path: Path) -> None:
    source, schema = custody
    # nothing listens on port 9: were the memory opened, the propose would fail
    with graph_proposer(Settings(data_dir=tmp_path, memory_url="http://127.0.0.1:9"), offline=True) as propose_fn:
        proposal = propose_fn(source, schema)
    assert proposal["fields"] and all(not ev["past_explanation"] for ev in proposal["evidence"].values())
