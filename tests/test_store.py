"""Stores: immutable content-addressed mapping versions, datasets, runs, the audit chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from agent.audit import GENESIS_HASH, event_hash, list_events, record_event, verify_chain
from agent.settings import Settings
from agent.store import (
    AuditEvent, MappingVersion, close_run, dispose_engines, load_mapping_version, open_run, open_session,
    register_dataset, store_mapping_version,
)
from tools.errors import StoreError
from tools.mapping import parse_mapping

DOC = {
    "fields": [
        {"target": "/person/family_name", "sources": ["SURNAME"], "transform": {"op": "text"}, "status": "approved"},
    ],
    "unmapped_sources": ["ROWVER"],
}


@pytest.fixture()
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path / "data", user="tester")
    dispose_engines()


@pytest.fixture()
def session(settings: Settings) -> Iterator[Session]:
    with open_session(settings) as s:
        yield s


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_tables_are_created_in_the_data_dir(settings: Settings, session: Session) -> None:
    assert (settings.data_dir / "crosswalk.db").is_file()


def test_unusable_data_dir_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match=r"^cannot create data directory .*a-file/data"):
        with open_session(Settings(data_dir=blocker / "data")):
            pass


def test_same_mapping_content_is_stored_once(session: Session) -> None:
    doc = parse_mapping(DOC)
    first = store_mapping_version(session, doc, created_by="alice")
    second = store_mapping_version(session, parse_mapping(json.loads(json.dumps(DOC))), created_by="bob")
    assert first.id == second.id == doc.content_hash()
    assert second.created_by == "alice"
    assert _count(session, MappingVersion) == 1
    assert load_mapping_version(session, first.id) == doc


def test_changed_mapping_is_a_new_version_with_its_parent(session: Session) -> None:
    first = store_mapping_version(session, parse_mapping(DOC), created_by="alice")
    edited = json.loads(json.dumps(DOC))
    edited["fields"][0]["transform"] = {"op": "text", "case": "upper"}
    second = store_mapping_version(session, parse_mapping(edited), created_by="alice", parent_version=first.id)
    assert second.id != first.id
    assert second.parent_version == first.id
    assert _count(session, MappingVersion) == 2


def test_unknown_parent_version_is_refused(session: Session) -> None:
    with pytest.raises(StoreError, match="parent mapping version nope is not stored"):
        store_mapping_version(session, parse_mapping(DOC), created_by="alice", parent_version="nope")


def test_mapping_versions_cannot_be_changed_or_deleted(session: Session) -> None:
    row = store_mapping_version(session, parse_mapping(DOC), created_by="alice")
    row.created_by = "mallory"
    session.add(row)
    with pytest.raises(StoreError, match="append-only"):
        session.commit()
    session.rollback()
    with pytest.raises(StoreError, match="append-only"):
        session.exec(delete(MappingVersion))  # type: ignore[call-overload]


def test_dataset_registration_is_keyed_by_hash_and_path(session: Session, tmp_path: Path) -> None:
    a = register_dataset(session, tmp_path / "x.csv", sha256="ab" * 32, format="csv", size_bytes=10)
    again = register_dataset(session, tmp_path / "x.csv", sha256="ab" * 32, format="csv", size_bytes=10)
    changed = register_dataset(session, tmp_path / "x.csv", sha256="cd" * 32, format="csv", size_bytes=11)
    assert a.id == again.id
    assert changed.id != a.id


def test_run_is_opened_and_closed(session: Session) -> None:
    run = open_run(session, "profile", actor="tester")
    assert run.status == "running" and run.finished_at is None
    close_run(session, run, summary={"rows": 3})
    assert (run.status, run.summary) == ("succeeded", {"rows": 3})
    failed = close_run(session, open_run(session, "apply", actor="tester"), error="boom")
    assert (failed.status, failed.error) == ("failed", "boom")


def _three_events(session: Session) -> list[AuditEvent]:
    return [
        record_event(session, "alice", "run_started", "run:1", {"kind": "apply"}, {}, "1"),
        record_event(session, "alice", "dataset_read", "dataset:d", {"path": "x.csv"}, {"sha256": "ab"}, "1"),
        record_event(session, "alice", "apply_finished", "run:1", {}, {"rows_valid": 5, "rows_quarantined": 1}, "1"),
    ]


def test_events_form_a_hash_chain(session: Session) -> None:
    events = _three_events(session)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    e = events[2]
    assert e.hash == event_hash(seq=3, time=e.time, actor="alice", action="apply_finished", subject="run:1",
                                inputs={}, outputs={"rows_valid": 5, "rows_quarantined": 1}, run_id="1",
                                prev_hash=events[1].hash)
    assert e.time.endswith("Z") and e.time[10] == "T"
    assert verify_chain(session) == []
    assert [x.seq for x in list_events(session, run_id="1")] == [1, 2, 3]
    assert list_events(session, run_id="2") == []


def test_event_payload_must_be_plain_json(session: Session) -> None:
    with pytest.raises(StoreError, match="audit event inputs must be plain JSON"):
        record_event(session, "alice", "x", "y", {"when": object()}, {}, None)


def test_orm_refuses_to_change_or_delete_events(session: Session) -> None:
    event = _three_events(session)[1]
    event.outputs = {"sha256": "forged"}
    session.add(event)
    with pytest.raises(StoreError, match="append-only"):
        session.commit()
    session.rollback()
    with pytest.raises(StoreError, match="append-only"):
        session.exec(update(AuditEvent).values(actor="mallory"))  # type: ignore[call-overload]


def test_database_trigger_refuses_raw_updates(session: Session) -> None:
    _three_events(session)
    with pytest.raises(IntegrityError, match="audit_event rows are append-only"):
        session.exec(text("UPDATE audit_event SET actor = :a WHERE seq = 1"), params={"a": "mallory"})  # type: ignore[call-overload]


def test_altering_stored_outputs_breaks_the_chain(session: Session) -> None:
    _three_events(session)
    # An attacker with the database file can drop the trigger; the chain still tells.
    session.exec(text("DROP TRIGGER audit_event_no_update"))  # type: ignore[call-overload]
    session.exec(text("UPDATE audit_event SET outputs = :o WHERE seq = 3"),  # type: ignore[call-overload]
                 params={"o": json.dumps({"rows_valid": 6, "rows_quarantined": 0})})
    session.commit()
    assert verify_chain(session) == ["event 3: content does not match its hash (altered after it was written)"]


def test_removing_an_event_breaks_the_chain(session: Session) -> None:
    _three_events(session)
    session.exec(text("DROP TRIGGER audit_event_no_delete"))  # type: ignore[call-overload]
    session.exec(text("DELETE FROM audit_event WHERE seq = :s"), params={"s": 2})  # type: ignore[call-overload]
    session.commit()
    assert verify_chain(session) == [
        "event 3: expected sequence number 2 (events missing or reordered)",
        "event 3: prev_hash does not match the hash of the event before it",
    ]


def test_rehashing_one_event_still_breaks_the_link_to_the_next(session: Session) -> None:
    events = _three_events(session)
    session.exec(text("DROP TRIGGER audit_event_no_update"))  # type: ignore[call-overload]
    forged = {"sha256": "forged"}
    new_hash = event_hash(seq=2, time=events[1].time, actor="alice", action="dataset_read", subject="dataset:d",
                          inputs={"path": "x.csv"}, outputs=forged, run_id="1", prev_hash=events[0].hash)
    session.exec(text("UPDATE audit_event SET outputs = :o, hash = :h WHERE seq = 2"),  # type: ignore[call-overload]
                 params={"o": json.dumps(forged), "h": new_hash})
    session.commit()
    assert verify_chain(session) == ["event 3: prev_hash does not match the hash of the event before it"]
