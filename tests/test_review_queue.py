"""The review queue: item kinds, optimistic locking, four-eyes, edits and their preview."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.graph.nodes.review import apply_decisions, review_kind
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.jobs.review_job import decide_item, preview_edit
from agent.settings import Settings
from agent.store import Run, dispose_engines, open_session
from agent.store.review import FourEyesError, ReviewConflict, ReviewError, decide, get_item, items_of_run
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


@pytest.fixture()
def proposed(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A propose run by alice, paused at the review node; (data dir, run id)."""
    write_csv(tmp_path / "export.csv", custody_rows())
    write_schema(tmp_path / "target.schema.json", custody_schema())
    settings = Settings(data_dir=tmp_path / "data", user="alice")
    outcome = run_propose_job(settings, ProposeRequest(out_path=tmp_path / "p.json", source_path=tmp_path / "export.csv",
                                                       target_schema_path=tmp_path / "target.schema.json", offline=True))
    assert outcome.review_items > 0
    yield tmp_path / "data", outcome.run_id
    dispose_engines()


def as_user(data_dir: Path, user: str) -> Settings:
    return Settings(data_dir=data_dir, user=user)


def test_the_kind_of_an_item_follows_its_review_reasons() -> None:
    assert review_kind({"review_reasons": ["merge: date and time combined", "low_confidence: 0.5"]}) == "field_merge"
    assert review_kind({"review_reasons": ["unplaced_values: 1 source value(s) not placed"]}) == "value_map"
    assert review_kind({"review_reasons": ["conflicting_candidates: X scored 0.96"]}) == "mapping_field"
    assert review_kind({"review_reasons": []}) == "mapping_field"


def test_every_needs_review_field_becomes_one_open_item_with_its_evidence(proposed: tuple[Path, str]) -> None:
    data_dir, run_id = proposed
    with open_session(as_user(data_dir, "bob")) as session:
        items = items_of_run(session, run_id)
        run = session.get(Run, run_id)
    document = __import__("json").loads((data_dir.parent / "p.json").read_text(encoding="utf-8"))
    pending = {f["target"] for f in document["fields"] if f["status"] == "needs_review"}
    assert run is not None and run.status == "review" and run.summary["review_items"] == len(pending)
    assert {i.target for i in items} == pending
    for item in items:
        assert (item.state, item.version, item.proposed_by, item.decided_by) == ("open", 1, "alice", None)
        assert item.kind == review_kind(item.proposal["field"])
        assert item.proposal["field"]["target"] == item.target and item.proposal["evidence"]["target"] == item.target
        samples = item.proposal["preview"]["samples"]
        assert samples and all(set(s) in ({"inputs", "rows", "output"}, {"inputs", "rows", "error"}) for s in samples)
        assert item.proposal["sample"]["source_path"] == str((data_dir.parent / "export.csv").resolve())
    merges = [i for i in items if len(i.proposal["field"]["sources"]) > 1]
    assert merges and all(i.kind == "field_merge" for i in merges)


def test_two_deciders_on_the_same_version_one_wins_the_other_gets_a_conflict(proposed: tuple[Path, str]) -> None:
    data_dir, run_id = proposed
    settings = as_user(data_dir, "bob")
    with open_session(settings) as first, open_session(settings) as second:
        item_id = items_of_run(first, run_id)[0].id
        seen = get_item(second, item_id).version  # both looked at version 1
        won = decide(first, item_id, "approve", "bob", "looks right", seen)
        with pytest.raises(ReviewConflict, match="changed since you saw it"):
            decide(second, item_id, "reject", "carol", "wrong source", seen)
    with open_session(settings) as session:
        stored = get_item(session, item_id)
    # the winner's decision is stored whole; the loser's left no trace
    assert (won.state, stored.state, stored.decided_by, stored.reason, stored.version) == ("approved", "approved", "bob", "looks right", 2)


def test_the_locked_update_refuses_a_decider_who_read_before_the_winner_wrote(proposed: tuple[Path, str],
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read version 1 and pass the version check; only the first UPDATE ... WHERE version = 1 matches."""
    data_dir, run_id = proposed
    settings = as_user(data_dir, "bob")
    with open_session(settings) as first, open_session(settings) as second:
        item_id = items_of_run(first, run_id)[0].id
        stale = get_item(second, item_id)
        decide(first, item_id, "reject", "bob", "wrong field", 1)
        monkeypatch.setattr("agent.store.review.get_item", lambda session, given: stale)  # carol's read, from before bob wrote
        with pytest.raises(ReviewConflict, match="decided or edited by someone else just now"):
            decide(second, item_id, "approve", "carol", "fine", 1)
    monkeypatch.undo()
    with open_session(settings) as session:
        stored = get_item(session, item_id)
    assert (stored.state, stored.decided_by, stored.reason, stored.version) == ("rejected", "bob", "wrong field", 2)


def test_a_deciding_update_that_loses_the_race_is_refused_not_applied(proposed: tuple[Path, str]) -> None:
    data_dir, run_id = proposed
    settings = as_user(data_dir, "bob")
    with open_session(settings) as session:
        item = items_of_run(session, run_id)[0]
        decide(session, item.id, "edit", "bob", "no space", 1, {"sources": item.proposal["field"]["sources"]})
        with pytest.raises(ReviewConflict):
            decide(session, item.id, "approve", "carol", "ok", 1)
        assert get_item(session, item.id).state == "edited"


def test_nobody_approves_what_they_proposed_or_edited(proposed: tuple[Path, str]) -> None:
    data_dir, run_id = proposed
    with open_session(as_user(data_dir, "x")) as session:
        item = items_of_run(session, run_id)[0]
    # alice started the run: her proposal, and the run-level rule too
    with pytest.raises(FourEyesError, match="alice started run"):
        decide_item(as_user(data_dir, "alice"), item.id, "approve", "mine")
    with open_session(as_user(data_dir, "x")) as session:
        with pytest.raises(FourEyesError, match="alice proposed or edited"):
            decide(session, item.id, "approve", "alice", "mine", 1)
    edit = {"sources": item.proposal["field"]["sources"], "transform": item.proposal["field"]["transform"]}
    edited = decide_item(as_user(data_dir, "bob"), item.id, "edit", "same, checked", edit=edit).item
    assert (edited.state, edited.proposed_by, edited.decided_by, edited.version) == ("edited", "bob", None, 2)
    with pytest.raises(FourEyesError, match="bob proposed or edited"):
        decide_item(as_user(data_dir, "bob"), item.id, "approve", "my edit")
    approved = decide_item(as_user(data_dir, "carol"), item.id, "approve", "checked bob's edit").item
    assert (approved.state, approved.decided_by, approved.proposed_by) == ("approved", "carol", "bob")


def test_an_edit_is_previewed_on_the_sample_rows_and_checked_against_the_vocabulary(proposed: tuple[Path, str]) -> None:
    data_dir, run_id = proposed
    with open_session(as_user(data_dir, "x")) as session:
        item = next(i for i in items_of_run(session, run_id) if i.target == "/arrest/intoxicated")
    assert [(s["inputs"], s["output"]) for s in item.proposal["preview"]["samples"]] == [(["N"], False), (["Y"], True)]
    flipped = preview_edit(item, {"transform": {"op": "to_boolean", "true_values": ["n"], "false_values": ["y"]}})
    assert [(s["inputs"], s["output"]) for s in flipped["samples"]] == [(["N"], True), (["Y"], False)]
    assert (flipped["validation"]["rows_checked"], flipped["validation"]["rows_passed"]) == (120, 120)
    as_text = preview_edit(item, {"transform": {"op": "text"}})  # a string is no boolean: every row fails the schema
    assert [s["output"] for s in as_text["samples"]] == ["N", "Y"]
    assert (as_text["validation"]["rows_passed"], as_text["validation"]["schema_failures"]) == (0, 120)
    other_source = preview_edit(item, {"sources": ["ARREST DATE"]})
    assert other_source["validation"]["transform_failures"] == 120 and "error" in other_source["samples"][0]
    with pytest.raises(ReviewError, match="to_boolean"):
        preview_edit(item, {"transform": {"op": "to_boolean", "shout": True}})
    with pytest.raises(ReviewError, match="may change only"):
        preview_edit(item, {"target": "/arrest/other"})
    with pytest.raises(ReviewError, match="the source has no field 'INTOX'"):
        preview_edit(item, {"sources": ["INTOX"]})
    with open_session(as_user(data_dir, "x")) as session:
        assert get_item(session, item.id).version == 1  # previews change nothing


def test_decisions_are_written_into_the_document() -> None:
    document: dict[str, Any] = {"fields": [
        {"target": "/a", "sources": ["A"], "transform": {"op": "text"}, "status": "needs_review"},
        {"target": "/b", "sources": ["B"], "transform": {"op": "text"}, "status": "needs_review"},
        {"target": "/c", "sources": ["C"], "transform": {"op": "text"}, "status": "auto_accepted"}]}
    edited = {"target": "/a", "sources": ["A2"], "transform": {"op": "text"}, "status": "needs_review"}
    out = apply_decisions(document, {"/a": {"state": "approved", "field": edited, "decided_by": "carol", "edited": True},
                                     "/b": {"state": "rejected", "field": document["fields"][1], "decided_by": "bob"}})
    assert [(f["target"], f["sources"], f["status"]) for f in out["fields"]] == [
        ("/a", ["A2"], "approved"), ("/b", ["B"], "rejected"), ("/c", ["C"], "auto_accepted")]
    assert out["fields"][0]["review"]["decided_by"] == "carol" and "review" not in out["fields"][2]


class CountingQueue:
    """A review queue that only counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def queue(self, run_id: str, make_items: Any) -> tuple[list[dict[str, Any]], bool]:
        self.calls += 1
        return [], True


class NoAudit:
    def record(self, *args: Any) -> None:
        raise AssertionError("nothing to review, nothing to record")


def test_a_run_with_nothing_to_review_passes_the_review_node_without_interrupting() -> None:
    from types import SimpleNamespace

    from agent.graph import GraphContext
    from agent.graph.nodes.review import review

    queue = CountingQueue()
    state: Any = {"run_id": "r", "document": {"fields": [{"target": "/a", "sources": ["A"], "transform": {"op": "text"},
                                                          "status": "auto_accepted"}]}}
    assert review(state, SimpleNamespace(context=GraphContext(audit=NoAudit(), review=queue))) == {}  # type: ignore[arg-type]
    assert queue.calls == 0


def test_a_decided_run_resumes_once_and_a_missing_source_only_skips_the_memory(proposed: tuple[Path, str]) -> None:
    from agent.jobs.review_job import resume_run

    data_dir, run_id = proposed
    with open_session(as_user(data_dir, "bob")) as session:
        for item in items_of_run(session, run_id):
            decide(session, item.id, "approve", "bob", "fine", 1)  # the store alone: nothing resumes yet
        assert session.get(Run, run_id).status == "review"  # type: ignore[union-attr]
    with pytest.raises(FourEyesError, match="its final approval needs another person"):
        resume_run(as_user(data_dir, "alice"), run_id)
    (data_dir.parent / "export.csv").rename(data_dir.parent / "moved.csv")
    outcome = resume_run(as_user(data_dir, "carol"), run_id)
    assert len(outcome.approved) == 4 and outcome.rejected == [] and outcome.remembered == []
    assert outcome.memory_error is not None and "export.csv" in outcome.memory_error
    with pytest.raises(ReviewConflict, match="was resumed already"):
        resume_run(as_user(data_dir, "dave"), run_id)
