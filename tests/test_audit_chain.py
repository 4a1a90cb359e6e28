"""The audit chain under attack: every tamper case is detected, and named precisely.

Each test tampers with the SQLite file directly (after dropping the append-only
triggers, as someone with file access could) and checks which check catches it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from agent.audit import (
    GENESIS_HASH, AuditKey, Checkpoint, VerifyReport, audit_key, event_hash, make_checkpoint, record_event, verify_chain,
    verify_log,
)
from agent.settings import Settings
from agent.store import dispose_engines, get_engine, open_session

KEY = "correct horse battery staple 42"
OTHER_KEY = "another key of enough length"
COLUMNS = "time, actor, action, subject, inputs, outputs, run_id, prev_hash, hash, hmac"


@pytest.fixture()
def settings(tmp_path: Path) -> Iterator[Settings]:
    yield Settings(data_dir=tmp_path / "data", user="tester", audit_hmac_key=KEY)
    dispose_engines()


def _db(settings: Settings) -> sqlite3.Connection:
    """A raw connection to the database file with the append-only triggers dropped (an attacker's view)."""
    conn = sqlite3.connect(settings.data_dir / "crosswalk.db", isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    return conn


def _write(settings: Settings, n: int = 6) -> None:
    with open_session(settings) as session:
        for i in range(1, n + 1):
            record_event(session, "alice", f"step_{i}", f"run:r{i % 2}", {"target": "/person/sex", "i": i},
                         {"map": {"1": "male", "2": "female"}, "ok": True}, f"r{i % 2}")


def _verify(settings: Settings, key: str | None = KEY, checkpoints: list[tuple[str, Checkpoint]] | None = None,
            require_hmac: bool = False) -> VerifyReport:
    with open_session(settings) as session:
        return verify_log(session.connection(), key=audit_key(key), checkpoints=checkpoints or [], require_hmac=require_hmac)


def _row(conn: sqlite3.Connection, seq: int) -> tuple[str, ...]:
    return conn.execute(f"SELECT {COLUMNS} FROM audit_event WHERE seq = ?", (seq,)).fetchone()


def test_an_untouched_log_is_intact_with_every_hmac_checked(settings: Settings) -> None:
    _write(settings)
    report = _verify(settings)
    assert report.intact and report.problem_count == 0 and report.events == 6
    assert report.hmac_checked == 6 and report.key_id == AuditKey(KEY.encode()).key_id
    with open_session(settings) as session:
        assert verify_chain(session) == []
    stored = _db(settings).execute("SELECT hash, hmac FROM audit_event WHERE seq = 6").fetchone()
    assert report.head_seq == 6 and report.head_hash == stored[0]
    assert stored[1] == AuditKey(KEY.encode()).event_hmac(stored[0])


def test_a_tampered_payload_is_named_with_both_hashes(settings: Settings) -> None:
    _write(settings)
    conn = _db(settings)
    conn.execute("UPDATE audit_event SET outputs = ? WHERE seq = 3", ('{"map": {"1": "female"}, "ok": true}',))
    time, actor, action, subject, _, _, run_id, prev, stored, _ = _row(conn, 3)
    report = _verify(settings)
    assert not report.intact and report.problem_count == 1
    problem = report.first_problem
    assert problem is not None and (problem.seq, problem.kind) == (3, "content_hash")
    recomputed = event_hash(seq=3, time=time, actor=actor, action=action, subject=subject, inputs={"target": "/person/sex", "i": 3},
                            outputs={"map": {"1": "female"}, "ok": True}, run_id=run_id, prev_hash=prev)
    assert (problem.expected, problem.found) == (recomputed, stored)


def test_a_deleted_event_is_a_sequence_gap(settings: Settings) -> None:
    _write(settings)
    conn = _db(settings)
    deleted_hash = _row(conn, 3)[8]
    conn.execute("DELETE FROM audit_event WHERE seq = 3")
    report = _verify(settings)
    assert [(p.seq, p.kind) for p in report.problems] == [(4, "sequence_gap"), (4, "prev_hash")]
    assert (report.first_problem.expected, report.first_problem.found) == ("3", "4")  # type: ignore[union-attr]
    assert report.problems[1].expected == _row(conn, 2)[8] and report.problems[1].found == deleted_hash


def test_two_swapped_events_are_reported_as_reordered(settings: Settings) -> None:
    _write(settings)
    conn = _db(settings)
    third, fourth = _row(conn, 3), _row(conn, 4)
    assignments = ", ".join(f"{c.strip()} = ?" for c in COLUMNS.split(","))
    conn.execute("UPDATE audit_event SET hash = 'moving' WHERE seq = 3")  # hash is unique: free it first
    conn.execute(f"UPDATE audit_event SET {assignments} WHERE seq = 4", (*third,))
    conn.execute(f"UPDATE audit_event SET {assignments} WHERE seq = 3", (*fourth,))
    report = _verify(settings)
    first = report.first_problem
    assert first is not None and (first.seq, first.kind) == (3, "reordered")
    assert "it is the hash of event 4, which comes later" in first.message
    assert {p.kind for p in report.problems} >= {"reordered", "content_hash"}


def test_a_truncated_tail_is_caught_only_by_a_checkpoint(settings: Settings) -> None:
    _write(settings)
    with open_session(settings) as session:
        checkpoint = make_checkpoint(session, "auditor", audit_key(KEY))
    assert checkpoint.seq == 6 and checkpoint.signature_valid(AuditKey(KEY.encode()))
    _db(settings).execute("DELETE FROM audit_event WHERE seq >= 5")
    # The shorter chain is internally valid: that is the limit checkpoints exist for.
    assert _verify(settings).intact
    report = _verify(settings, checkpoints=[("cp.json", checkpoint)])
    assert not report.intact and report.first_problem is not None
    assert (report.first_problem.kind, report.first_problem.expected, report.first_problem.found) == ("truncated", "6", "4")
    assert report.checkpoints[0].chain == "truncated" and report.checkpoints[0].signature == "valid"


def _rechain_from(conn: sqlite3.Connection, seq: int, outputs: str, key: AuditKey | None) -> None:
    """Rewrite event ``seq``'s outputs and recompute every hash from there on, as a forger without the key would."""
    import json

    rows = conn.execute(f"SELECT seq, {COLUMNS} FROM audit_event WHERE seq >= ? ORDER BY seq", (seq,)).fetchall()
    prev = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq - 1,)).fetchone()[0] if seq > 1 else GENESIS_HASH
    for s, time, actor, action, subject, inputs, old_outputs, run_id, _, _, old_hmac in rows:
        new_outputs = outputs if s == seq else old_outputs
        digest = event_hash(seq=s, time=time, actor=actor, action=action, subject=subject, inputs=json.loads(inputs),
                            outputs=json.loads(new_outputs), run_id=run_id, prev_hash=prev)
        conn.execute("UPDATE audit_event SET outputs = ?, prev_hash = ?, hash = ?, hmac = ? WHERE seq = ?",
                     (new_outputs, prev, digest, key.event_hmac(digest) if key else old_hmac, s))
        prev = digest


def test_a_forged_rechained_log_passes_sha256_but_fails_the_hmac(settings: Settings) -> None:
    _write(settings)
    _rechain_from(_db(settings), 4, '{"map": {"1": "female"}, "ok": true}', None)
    assert _verify(settings, key=None).intact  # SHA-256 alone cannot tell
    report = _verify(settings)
    assert report.first_problem is not None and (report.first_problem.seq, report.first_problem.kind) == (4, "hmac_mismatch")
    assert report.problem_count == 3  # events 4, 5 and 6 were re-signed without the key


def test_a_forger_with_another_key_or_stripped_hmacs_is_caught(settings: Settings) -> None:
    _write(settings)
    conn = _db(settings)
    _rechain_from(conn, 5, '{"forged": true}', AuditKey(OTHER_KEY.encode()))
    report = _verify(settings)
    assert [(p.seq, p.kind) for p in report.problems] == [(5, "hmac_other_key"), (6, "hmac_other_key")]
    conn.execute("UPDATE audit_event SET hmac = NULL WHERE seq >= 5")
    assert [(p.seq, p.kind) for p in _verify(settings).problems] == [(5, "hmac_missing"), (6, "hmac_missing")]


def test_verifying_with_the_wrong_key_fails(settings: Settings) -> None:
    _write(settings, 3)
    report = _verify(settings, key=OTHER_KEY)
    assert not report.intact and report.problem_count == 3
    assert {p.kind for p in report.problems} == {"hmac_other_key"}
    no_key = _verify(settings, key=None)
    assert no_key.intact and no_key.hmac_not_checked == 3


def test_events_from_before_the_key_are_chain_only_unless_hmac_is_required(settings: Settings) -> None:
    _write(settings.model_copy(update={"audit_hmac_key": None}), 2)
    _write(settings, 2)
    report = _verify(settings)
    assert report.intact and (report.hmac_absent, report.hmac_checked) == (2, 2)
    required = _verify(settings, require_hmac=True)
    assert [(p.seq, p.kind) for p in required.problems] == [(1, "hmac_missing"), (2, "hmac_missing")]


def test_a_rewrite_behind_a_checkpoint_and_a_forged_checkpoint(settings: Settings) -> None:
    unkeyed = settings.model_copy(update={"audit_hmac_key": None})
    _write(unkeyed)
    with open_session(unkeyed) as session:
        checkpoint = make_checkpoint(session, "auditor", None)
    assert checkpoint.signature is None and checkpoint.seq == 6
    _rechain_from(_db(settings), 2, '{"forged": true}', None)
    report = _verify(unkeyed, key=None, checkpoints=[("cp.json", checkpoint)])
    assert [(p.seq, p.kind) for p in report.problems] == [(6, "rewritten")]
    signed = checkpoint.model_copy(update={"key_id": AuditKey(KEY.encode()).key_id, "signature": "0" * 64})
    forged = _verify(unkeyed, key=KEY, checkpoints=[("forged.json", signed)])
    assert "checkpoint_signature" in {p.kind for p in forged.problems}


def test_concurrent_writers_lose_no_event(settings: Settings) -> None:
    get_engine(settings)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with open_session(settings) as session:
                    record_event(session, name, "decided", f"item:{name}:{i}", {"i": i}, {}, None)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"user{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(settings)
    assert report.intact and report.events == 120 and report.head_seq == 120


def test_old_databases_get_the_hmac_column_and_search_indexes(tmp_path: Path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    conn = sqlite3.connect(data / "crosswalk.db")
    conn.execute("CREATE TABLE audit_event (seq INTEGER PRIMARY KEY, time VARCHAR NOT NULL, actor VARCHAR NOT NULL, "
                 "action VARCHAR NOT NULL, subject VARCHAR NOT NULL, inputs JSON NOT NULL, outputs JSON NOT NULL, "
                 "run_id VARCHAR, prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL UNIQUE)")
    conn.commit()
    conn.close()
    settings = Settings(data_dir=data)
    try:
        inspector = inspect(get_engine(settings))
        assert "hmac" in {c["name"] for c in inspector.get_columns("audit_event")}
        assert {"ix_audit_event_subject", "ix_audit_event_actor", "ix_audit_event_time"} <= {
            i["name"] for i in inspector.get_indexes("audit_event")}
        with open_session(settings) as session:
            record_event(session, "alice", "after_upgrade", "x")
            assert session.exec(text("SELECT hmac FROM audit_event")).one()[0] is None  # type: ignore[call-overload]
    finally:
        dispose_engines()


def test_an_append_that_lost_the_race_for_its_seq_is_retried(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.audit.chain as chain

    _write(settings, 3)
    real = chain.latest_event
    calls: list[int] = []

    def stale_once(session):  # type: ignore[no-untyped-def]
        # The first read sees the head as another writer had not yet committed event 3.
        calls.append(1)
        head = real(session)
        return session.get(type(head), head.seq - 1) if len(calls) == 1 and head is not None else head

    monkeypatch.setattr(chain, "latest_event", stale_once)
    with open_session(settings) as session:
        event = record_event(session, "bob", "late", "x")
    assert (event.seq, len(calls)) == (4, 2)
    assert _verify(settings).intact


def test_payload_text_moved_between_columns_is_caught(settings: Settings) -> None:
    # Stored canonically, inputs {"k":1,"outputs":2} and outputs {} concatenate to the same
    # body text as inputs '{"k":1' and outputs '2},"outputs":{}': the hash alone cannot tell.
    with open_session(settings) as session:
        record_event(session, "alice", "shift", "x", {"k": 1, "outputs": 2}, {}, None)
    _db(settings).execute("""UPDATE audit_event SET inputs = '{"k":1', outputs = '2},"outputs":{}' WHERE seq = 1""")
    report = _verify(settings)
    assert [(p.seq, p.kind) for p in report.problems] == [(1, "content_hash")]


def test_rows_in_the_old_storage_form_still_verify(settings: Settings) -> None:
    _write(settings, 3)
    conn = _db(settings)
    # Before canonical storage, payloads were stored as json.dumps wrote them (spaces, insertion order).
    conn.execute("""UPDATE audit_event SET inputs = '{"target": "/person/sex", "i": 2}' WHERE seq = 2""")
    assert _verify(settings).intact
