"""``crosswalk audit replay``: a run re-run from its audit log, compared with its recorded mapping version.

Offline runs here (the LLM replays are in ``test_audit_replay_llm``): a run with human
approve / reject / edit decisions and its resume is reproduced exactly and the replay
writes nothing but its own audit event; a matcher changed in the replaying process is
detected field by field; a changed source file is refused; ``--live`` notes what today's
settings and memory would change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from agent.audit import list_events, verify_chain
from agent.cli import app
from agent.graph.checkpoints import checkpoint_path
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.jobs.replay_job import replay_run
from agent.jobs.review_job import decide_item
from agent.replay.recorded_inputs import InputChangedError, ReplayError
from agent.settings import Settings
from agent.store import MappingVersion, ReviewItem, Run, open_session
from agent.store.review import items_of_run
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tools.propose import value_maps

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


def as_user(settings: Settings, user: str) -> Settings:
    return settings.model_copy(update={"user": user})


def propose(tmp_path: Path, **settings: Any) -> tuple[Settings, str]:
    """An offline proposal of the custody export by alice; returns her settings and the run id."""
    write_csv(tmp_path / "export.csv", custody_rows())
    write_schema(tmp_path / "target.schema.json", custody_schema())
    alice = Settings(data_dir=tmp_path / "data", user="alice", **settings)
    outcome = run_propose_job(alice, ProposeRequest(out_path=tmp_path / "proposal.json", source_path=tmp_path / "export.csv",
                                                    target_schema_path=tmp_path / "target.schema.json", offline=True))
    return alice, outcome.run_id


def items(settings: Settings, run_id: str) -> dict[str, str]:
    with open_session(settings) as session:
        return {i.target: i.id for i in items_of_run(session, run_id)}


def review(alice: Settings, run_id: str) -> str:
    """Approve, reject, edit-then-approve and approve the last (which resumes the run); the reviewed version id."""
    queued = items(alice, run_id)
    bob, carol = as_user(alice, "bob"), as_user(alice, "carol")
    decide_item(bob, queued["/detainee/ic_code"], "approve", "codes checked")
    decide_item(bob, queued["/arrest/intoxicated"], "reject", "flag unreliable")
    decide_item(bob, queued["/detainee/birth_date"], "edit", "pivot at 50",
                edit={"transform": {"op": "parse_date", "format": "%d/%m/%Y", "century_pivot": 50}})
    decide_item(carol, queued["/detainee/birth_date"], "approve", "pivot ok")
    last = decide_item(carol, queued["/arrest/arrested_at"], "approve", "merge right")
    assert last.resumed is not None
    return last.resumed.mapping_version_id


def stores(settings: Settings) -> dict[str, Any]:
    """What a replay must leave alone: rows of every store, the checkpoint file, the memory, the LLM cache."""
    with open_session(settings) as session:
        counted = {model.__name__: session.exec(select(func.count()).select_from(model)).one()
                   for model in (MappingVersion, ReviewItem, Run)}
        counted["runs"] = sorted((r.id, r.status, r.mapping_version_id) for r in session.exec(select(Run)).all())
        counted["items"] = sorted((i.id, i.state, i.version) for i in session.exec(select(ReviewItem)).all())
    checkpoints = checkpoint_path(settings.data_dir)
    counted["checkpoints"] = checkpoints.read_bytes() if checkpoints.exists() else None
    memory = settings.memory_dir()
    counted["memory"] = sorted((str(p), p.stat().st_size) for p in memory.rglob("*") if p.is_file()) if memory.exists() else []
    counted["llm_cache"] = (settings.data_dir / "llm_cache.sqlite3").exists()
    return counted


def test_a_reviewed_run_is_reproduced_exactly_and_the_replay_writes_only_its_event(tmp_path: Path) -> None:
    alice, run_id = propose(tmp_path)
    reviewed = review(alice, run_id)
    before = stores(alice)
    with open_session(alice) as session:
        events_before = len(list_events(session))
    auditor = as_user(alice, "dora")
    report = replay_run(auditor, run_id)
    assert report.reproduced and report.identical, report.model_dump_json(indent=1)
    assert report.recorded_version == reviewed == report.replayed_version
    assert report.diff.identical and report.decisions_reapplied == 5
    assert (report.llm_answers_replayed, report.llm_requests_missing, report.notes) == (0, 0, [])
    assert stores(alice) == before
    with open_session(alice) as session:
        events = list_events(session)
        assert len(events) == events_before + 1 and verify_chain(session) == []
    replayed = events[-1]
    assert (replayed.action, replayed.actor, replayed.run_id, replayed.subject) == ("run_replayed", "dora", run_id, f"run:{run_id}")
    assert replayed.outputs["reproduced"] is True and replayed.outputs["replayed_version"] == reviewed


def test_a_run_waiting_for_review_replays_to_its_proposal(tmp_path: Path) -> None:
    alice, run_id = propose(tmp_path)
    queued = items(alice, run_id)
    decide_item(as_user(alice, "bob"), queued["/detainee/ic_code"], "approve", "codes checked")  # one of four decided
    with open_session(alice) as session:
        proposal_version = session.get(Run, run_id).mapping_version_id  # type: ignore[union-attr]
    report = replay_run(alice, run_id)
    assert report.reproduced and report.recorded_version == proposal_version == report.replayed_version
    assert report.decisions_reapplied == 1  # applied, but three items are still open: the run stays paused


def test_the_cli_prints_reproduced_and_the_json_report(tmp_path: Path) -> None:
    alice, run_id = propose(tmp_path)
    review(alice, run_id)
    runner = CliRunner()
    text = runner.invoke(app, ["--data-dir", str(alice.data_dir), "audit", "replay", run_id], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert f"run {run_id}: reproduced" in text.stdout and "decisions re-applied: 5" in text.stdout
    data = runner.invoke(app, ["--data-dir", str(alice.data_dir), "audit", "replay", run_id, "--json"])
    assert data.exit_code == 0, data.output
    assert json.loads(data.stdout)["reproduced"] is True


def without_female_f(vocabulary_path: Path) -> Path:
    """The code vocabulary with the spelling 'f' taken out of 'female' (a matcher change)."""
    vocab = json.loads(value_maps.VOCAB_PATH.read_text(encoding="utf-8"))
    spellings = vocab["domains"]["sex"]["values"]["female"]
    vocab["domains"]["sex"]["values"]["female"] = [s for s in spellings if s != "f"]
    vocabulary_path.write_text(json.dumps(vocab), encoding="utf-8")
    return vocabulary_path


def test_a_changed_matcher_is_detected_and_the_diff_names_the_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, run_id = propose(tmp_path)
    reviewed = review(alice, run_id)
    changed = value_maps.load_vocabulary(str(without_female_f(tmp_path / "vocab.json")))
    monkeypatch.setattr(value_maps, "load_vocabulary", lambda path=None: changed)
    report = replay_run(alice, run_id)
    assert not report.reproduced and report.recorded_version == reviewed != report.replayed_version
    assert "/detainee/gender" in report.changed_targets()
    (sex,) = [c for c in report.diff.fields if c.target == "/detainee/gender"]
    # 'F' no longer places: the value map is vetoed, the field drops out and SEX is left unmapped
    assert sex.kind == "removed" and sex.before is not None and sex.before["transform"]["mapping"]["F"] == "female"
    assert report.diff.unmapped_added == ["SEX"]
    runner = CliRunner()
    shown = runner.invoke(app, ["--data-dir", str(alice.data_dir), "audit", "replay", run_id], env={"COLUMNS": "200"})
    assert shown.exit_code == 1 and "NOT reproduced" in shown.stdout and "/detainee/gender" in shown.stdout
    with open_session(alice) as session:
        logged = list_events(session, run_id=run_id)[-1]
    assert logged.action == "run_replayed" and logged.outputs["reproduced"] is False and "/detainee/gender" in logged.outputs["changed"]


def test_a_changed_or_missing_source_file_is_refused(tmp_path: Path) -> None:
    alice, run_id = propose(tmp_path)
    source = tmp_path / "export.csv"
    with open_session(alice) as session:
        recorded = next(e for e in list_events(session, run_id=run_id) if e.action == "run_started").inputs["source_sha256"]
    source.write_bytes(source.read_bytes().replace(b"SMITH", b"SMYTH"))
    with pytest.raises(InputChangedError) as changed:
        replay_run(alice, run_id)
    assert changed.value.path == str(source) and changed.value.recorded == recorded and changed.value.current not in (None, recorded)
    assert str(source) in str(changed.value) and recorded in str(changed.value) and changed.value.current in str(changed.value)
    source.unlink()
    with pytest.raises(InputChangedError, match="the file is gone"):
        replay_run(alice, run_id)
    result = CliRunner().invoke(app, ["--data-dir", str(alice.data_dir), "audit", "replay", run_id])
    assert result.exit_code == 2 and "not the file the run read" in result.stderr
    with open_session(alice) as session:
        assert "run_replayed" not in [e.action for e in list_events(session)]  # a refused replay records nothing


def test_an_unknown_run_or_an_apply_run_cannot_be_replayed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", user="alice")
    with pytest.raises(ReplayError, match="no run deadbeef"):
        replay_run(settings, "deadbeef")


def test_live_notes_what_today_would_change(tmp_path: Path) -> None:
    alice, run_id = propose(tmp_path)
    review(alice, run_id)  # the approvals went to the memory: today's recall differs from the run's
    recorded = replay_run(alice, run_id)
    assert recorded.reproduced  # the recorded recall (none) is replayed, not today's memory
    today = as_user(alice, "dora").model_copy(update={"auto_accept_threshold": 0.99})
    before = stores(alice)
    live = replay_run(today, run_id, live=True)
    assert stores(alice) == before  # today's memory is read, not written
    assert live.live and not live.reproduced and live.diff.fields
    assert "setting auto_accept_threshold was 0.9 at the run, 0.99 today" in live.notes
    statuses = {c.target: {p.part: (p.before, p.after) for p in c.parts} for c in live.diff.fields}
    assert any("status" in parts and parts["status"] == ("auto_accepted", "needs_review") for parts in statuses.values())
    shown = CliRunner().invoke(app, ["--data-dir", str(alice.data_dir), "audit", "replay", run_id, "--live"],
                               env={"COLUMNS": "200", "CROSSWALK_AUTO_ACCEPT_THRESHOLD": "0.99"})
    assert shown.exit_code == 1 and "would change today" in shown.stdout


def test_the_memory_is_replayed_as_the_run_recalled_it_not_as_it_is_today(tmp_path: Path) -> None:
    alice, first = propose(tmp_path)
    review(alice, first)  # the approvals go to the memory: the next run recalls them
    second = run_propose_job(alice, ProposeRequest(out_path=tmp_path / "again.json", source_path=tmp_path / "export.csv",
                                                   target_schema_path=tmp_path / "target.schema.json", offline=True)).run_id
    with open_session(alice) as session:
        retrieve = next(e for e in list_events(session, run_id=second) if e.action == "graph_retrieve")
    assert retrieve.outputs["fields_with_matches"] > 0 and retrieve.outputs["recalled"]
    shutil.rmtree(alice.memory_dir())  # today's memory is gone
    report = replay_run(alice, second)
    assert report.reproduced and report.identical, report.model_dump_json(indent=1)
    live = replay_run(alice, second, live=True)
    assert not live.reproduced and any(p.part == "confidence" for c in live.diff.fields for p in c.parts)


def test_a_run_resumed_after_a_crash_replays_end_to_end(tmp_path: Path) -> None:
    write_csv(tmp_path / "export.csv", custody_rows())
    write_schema(tmp_path / "target.schema.json", custody_schema())
    alice = Settings(data_dir=tmp_path / "data", user="alice")
    request = ProposeRequest(out_path=tmp_path / "proposal.json", source_path=tmp_path / "export.csv",
                             target_schema_path=tmp_path / "target.schema.json", offline=True)

    def crash(node: str) -> None:
        if node == "validate":
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        run_propose_job(alice, request, fault=crash)
    with open_session(alice) as session:
        (run_id,) = [r.id for r in session.exec(select(Run)).all()]
    run_propose_job(alice, ProposeRequest(out_path=tmp_path / "proposal.json", resume_run_id=run_id))
    reviewed = review(alice, run_id)
    report = replay_run(alice, run_id)
    assert report.reproduced and report.identical and report.recorded_version == reviewed
