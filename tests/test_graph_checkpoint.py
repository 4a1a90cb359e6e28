"""Checkpoints: a crashed propose run resumes where it stopped; checkpoints load with strict msgpack."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ormsgpack
import pytest
from langgraph.checkpoint.serde.jsonplus import EXT_CONSTRUCTOR_SINGLE_ARG, JsonPlusSerializer
from sqlmodel import select
from typer.testing import CliRunner, Result

from agent.audit import list_events, verify_chain
from agent.cli import app
from agent.graph import build_graph, open_checkpointer, thread_config
from agent.graph.checkpoints import checkpoint_path
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.settings import Settings
from agent.store import Run, dispose_engines, open_session
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tests.test_propose_end_to_end import EXPECTED_SOURCES

WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}


class Tripwire:
    """Built only if a checkpoint can make the loader import and call something it names."""

    built: list[Any] = []

    def __init__(self, arg: Any) -> None:
        Tripwire.built.append(arg)


class SimulatedCrash(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"CROSSWALK_{name.upper()}", raising=False)
    Tripwire.built.clear()
    yield
    dispose_engines()


@pytest.fixture()
def work(tmp_path: Path) -> tuple[Settings, Path, Path]:
    source = write_csv(tmp_path / "export.csv", custody_rows())
    schema = write_schema(tmp_path / "target.schema.json", custody_schema())
    return Settings(data_dir=tmp_path / "data", user="tester"), source, schema


def crash_at(node: str, entered: Counter[str]) -> Any:
    def hook(name: str) -> None:
        entered[name] += 1
        if name == node:
            raise SimulatedCrash(f"simulated crash in {name}")
    return hook


def crashed_run(settings: Settings, source: Path, schema: Path, node: str = "validate") -> tuple[str, Counter[str]]:
    entered: Counter[str] = Counter()
    request = ProposeRequest(out_path=source.parent / "proposal.json", source_path=source, target_schema_path=schema, offline=True)
    with pytest.raises(SimulatedCrash):
        run_propose_job(settings, request, fault=crash_at(node, entered))
    with open_session(settings) as session:
        (run,) = session.exec(select(Run)).all()
    return run.id, entered


def resume(settings: Settings, run_id: str, out: Path, *extra: str) -> Result:
    args = ["--data-dir", str(settings.data_dir), "propose", *extra, "--resume", run_id, "--out", str(out)]
    return CliRunner().invoke(app, args, env=WIDE)


def test_a_crashed_run_resumes_from_its_last_checkpoint(work: tuple[Settings, Path, Path]) -> None:
    settings, source, schema = work
    run_id, entered = crashed_run(settings, source, schema)
    assert entered == Counter({"read": 1, "profile": 1, "retrieve": 1, "propose": 1, "rerank": 1, "validate": 1})
    with open_session(settings) as session:
        run = session.get(Run, run_id)
        assert run is not None and run.status == "failed" and "simulated crash in validate" in (run.error or "")
    with open_checkpointer(settings.data_dir) as saver:
        assert build_graph(saver).get_state(thread_config(run_id)).next == ("validate",)

    out = source.parent / "resumed.json"
    result = resume(settings, run_id, out)
    assert result.exit_code == 0, result.output
    assert f"run: {run_id} (resumed from its checkpoint)" in result.stdout
    with open_session(settings) as session:
        actions = [e.action for e in list_events(session, run_id=run_id)]
        assert verify_chain(session) == []
        run = session.get(Run, run_id)
        # the resumed run finished proposing and now waits at the review node for people
        assert run is not None and run.status == "review" and run.error is None
        assert run.summary is not None and run.summary["fields"] == len(EXPECTED_SOURCES)
    # read, profile and propose ran once, before the crash; the resumed run started at validate
    assert actions == ["run_started", "graph_read", "graph_profile", "graph_retrieve", "graph_propose", "graph_rerank", "propose_failed",
                       "run_resumed", "graph_validate", "graph_route", "review_queued", "proposal_written", "run_waiting_for_review"]
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {f["target"]: f["sources"] for f in document["fields"]} == EXPECTED_SOURCES
    assert document["run_id"] == run_id


def test_a_run_can_be_resumed_after_a_crash_in_any_later_node(work: tuple[Settings, Path, Path]) -> None:
    settings, source, schema = work
    run_id, _ = crashed_run(settings, source, schema, node="route")
    entered: Counter[str] = Counter()
    request = ProposeRequest(out_path=source.parent / "p.json", resume_run_id=run_id)
    outcome = run_propose_job(settings, request, fault=lambda name: entered.update([name]))
    assert entered == Counter({"route": 1, "review": 1}) and outcome.resumed and outcome.review_items > 0
    assert outcome.document.unmapped_sources == ["ROWVER", "LAST_UPDATED_BY", "EXTRACT_DT"]


def test_resume_refuses_unknown_finished_and_changed_runs(work: tuple[Settings, Path, Path]) -> None:
    settings, source, schema = work
    out = source.parent / "p.json"
    unknown = resume(settings, "no-such-run", out)
    assert unknown.exit_code == 2
    assert unknown.stderr == f"crosswalk: error: no propose run no-such-run in {settings.data_dir}\n"

    run_id, _ = crashed_run(settings, source, schema)
    other = resume(settings, run_id, out, str(schema))
    assert other.exit_code == 2 and other.stderr == f"crosswalk: error: run {run_id} proposes for {source}, not {schema}\n"
    onto = resume(settings, run_id, out, "--target-schema", str(source))
    assert onto.exit_code == 2 and onto.stderr == f"crosswalk: error: run {run_id} proposes onto {schema}, not {source}\n"

    original = source.read_bytes()
    source.write_bytes(original.replace(b"SMITH", b"SMYTH"))
    changed = resume(settings, run_id, out)
    assert changed.exit_code == 2
    assert changed.stderr == f"crosswalk: error: {source} changed since run {run_id} started; start a new run\n"

    source.write_bytes(original)
    assert resume(settings, run_id, out).exit_code == 0
    finished = resume(settings, run_id, out)
    # the resumed run paused for review: only deciding its last item resumes it now
    assert finished.exit_code == 2 and finished.stderr == (f"crosswalk: error: run {run_id} is waiting for review; it resumes when "
                                                           f"its last item is decided (crosswalk review list --run {run_id})\n")


def _malicious(arg: Any) -> bytes:
    """A msgpack value asking the loader to call tests.test_graph_checkpoint.Tripwire(arg)."""
    return ormsgpack.packb(ormsgpack.Ext(EXT_CONSTRUCTOR_SINGLE_ARG, ormsgpack.packb([__name__, "Tripwire", arg])))


def test_the_checkpoint_serializer_is_strict(tmp_path: Path) -> None:
    assert os.environ["LANGGRAPH_STRICT_MSGPACK"] == "true"  # set by agent.cli before langgraph loads
    with open_checkpointer(tmp_path) as saver:
        compiled = build_graph(saver)
        for serde in (saver.serde, compiled.checkpointer.serde):
            assert serde.loads_typed(("msgpack", _malicious("inert"))) == "inert"
        assert saver.serde._allowed_msgpack_modules is None  # langgraph's safe types only
        # compiling adds only langgraph's own message types: the state is plain data, nothing of ours
        allowed = compiled.checkpointer.serde._allowed_msgpack_modules or set()
        assert all(module.startswith("langchain_core.messages.") for module, _ in allowed)
    assert Tripwire.built == []
    # the same bytes through a permissive serializer do build the object: the check has teeth
    JsonPlusSerializer(allowed_msgpack_modules=True).loads_typed(("msgpack", _malicious("built")))
    assert Tripwire.built == ["built"]


def test_a_tampered_checkpoint_file_cannot_run_code_on_resume(work: tuple[Settings, Path, Path]) -> None:
    settings, source, schema = work
    run_id, _ = crashed_run(settings, source, schema)
    conn = sqlite3.connect(checkpoint_path(settings.data_dir))
    with conn:
        checkpoint_id, blob = conn.execute(
            "SELECT checkpoint_id, checkpoint FROM checkpoints WHERE thread_id = ? ORDER BY checkpoint_id DESC LIMIT 1",
            (run_id,)).fetchone()
        checkpoint = ormsgpack.unpackb(blob, ext_hook=lambda code, data: ormsgpack.Ext(code, data))
        assert checkpoint["channel_values"]["timezone"] == "Europe/London"
        checkpoint["channel_values"]["timezone"] = ormsgpack.Ext(
            EXT_CONSTRUCTOR_SINGLE_ARG, ormsgpack.packb([__name__, "Tripwire", "Europe/London"]))
        conn.execute("UPDATE checkpoints SET checkpoint = ? WHERE thread_id = ? AND checkpoint_id = ?",
                     (ormsgpack.packb(checkpoint), run_id, checkpoint_id))
    conn.close()
    result = resume(settings, run_id, source.parent / "p.json")
    assert result.exit_code == 0, result.output
    assert Tripwire.built == []  # the named class was never imported and called


def test_a_run_started_with_relative_paths_resumes_from_another_directory(
        work: tuple[Settings, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    settings, source, schema = work
    monkeypatch.chdir(source.parent)
    run_id, _ = crashed_run(settings, Path(source.name), Path(schema.name))
    elsewhere = source.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = resume(settings, run_id, elsewhere / "p.json")
    assert result.exit_code == 0, result.output
    document = json.loads((elsewhere / "p.json").read_text(encoding="utf-8"))
    assert document["source"]["path"] == str(source) and document["target_schema"]["path"] == str(schema)
