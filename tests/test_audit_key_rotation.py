"""Rotating the audit HMAC key: retired keys still verify what they signed, and sign nothing new.

Events are written with key A, then the settings switch to key B with A retired
(``CROSSWALK_AUDIT_HMAC_RETIRED_KEYS``). The fixtures and writers of the chain and CLI
tests are reused.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError
from sqlmodel import Session

from agent.audit import (
    AuditKey, AuditKeyring, Checkpoint, VerifyReport, audit_key, make_checkpoint, session_keyring, settings_keyring,
    verify_chain, verify_log,
)
from agent.settings import Settings
from agent.store import get_engine, open_session
from review_ui.routes import audit_trail
from tests.test_audit_chain import KEY, OTHER_KEY, _write, settings  # noqa: F401  (settings: a fixture)
from tests.test_audit_cli import run

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")

KEY_A, KEY_B = KEY, OTHER_KEY  # A signs first, then B replaces it
ID_A, ID_B = AuditKey(KEY_A.encode()).key_id, AuditKey(KEY_B.encode()).key_id


def rotated(settings: Settings) -> Settings:
    """The settings after the rotation: B current, A retired."""
    return settings.model_copy(update={"audit_hmac_key": SecretStr(KEY_B), "audit_hmac_retired_keys": [SecretStr(KEY_A)]})


def only_b(settings: Settings) -> Settings:
    """B current and A forgotten (not kept as retired)."""
    return settings.model_copy(update={"audit_hmac_key": SecretStr(KEY_B), "audit_hmac_retired_keys": []})


def verify(settings: Settings, checkpoints: list[tuple[str, Checkpoint]] | None = None) -> VerifyReport:
    with open_session(settings) as session:
        return verify_log(session.connection(), keyring=settings_keyring(settings), checkpoints=checkpoints or [])


def kinds(report: VerifyReport) -> list[tuple[int | None, str]]:
    return [(p.seq, p.kind) for p in report.problems]


def test_the_keyring_finds_current_and_retired_keys_and_ignores_duplicates() -> None:
    a, b = audit_key(KEY_A), audit_key(KEY_B)
    assert a is not None and b is not None
    ring = AuditKeyring(b, (a, b, a))  # the current key and a repeat listed as retired are dropped
    assert ring.retired_ids == (ID_A,) and ring.current_id == ID_B and ring.keys == (b, a)
    assert ring.find(ID_A) == a and ring.find(ID_B) == b and ring.find("00000000") is None
    assert ring.is_retired(ID_A) and not ring.is_retired(ID_B)
    assert not AuditKeyring() and AuditKeyring.of(None) == AuditKeyring()


def test_after_rotation_both_keys_verify_and_are_counted(settings: Settings) -> None:
    _write(settings, 3)
    after = rotated(settings)
    _write(after, 2)
    report = verify(after)
    assert report.intact and report.events == 5
    assert (report.key_id, report.retired_key_ids) == (ID_B, [ID_A])
    assert report.hmac_by_key == {ID_B: 2, ID_A: 3} and report.hmac_checked == 5
    assert report.hmac_summary() == f"HMAC: 2 event(s) checked with the current key {ID_B}, 3 with retired key {ID_A}"
    with open_session(after) as session:
        assert verify_chain(session) == []  # the session carries the retired keys too
        stored = [row[0] for row in session.connection().exec_driver_sql("SELECT hmac FROM audit_event ORDER BY seq")]
    # New events are signed with the current key only.
    assert [mac.split(":")[0] for mac in stored] == [ID_A] * 3 + [ID_B] * 2


def test_a_replaced_retired_key_signing_again_is_caught_whatever_the_order_of_the_list(settings: Settings) -> None:
    key_c = "a third key, current after two rotations"
    _write(settings, 2)                     # A
    _write(rotated(settings), 2)            # B took over from A
    _write(settings, 1)                     # A again: someone holding the old key
    current_c = settings.model_copy(update={"audit_hmac_key": SecretStr(key_c)})
    _write(current_c, 1)                    # C
    for retired in ([KEY_A, KEY_B], [KEY_B, KEY_A]):
        report = verify(current_c.model_copy(update={"audit_hmac_retired_keys": [SecretStr(k) for k in retired]}))
        assert kinds(report) == [(5, "hmac_retired_key_reused")]
        assert report.problems[0].message == (f"event 5: signed with key {ID_A} after key {ID_B} replaced it (from event 3): "
                                              "a replaced key must not sign new events")
        assert report.hmac_by_key[ID_A] == 2 and report.hmac_by_key[ID_B] == 2


def test_without_the_retired_key_old_events_are_from_another_key(settings: Settings) -> None:
    _write(settings, 3)
    _write(rotated(settings), 2)
    report = verify(only_b(settings))
    assert kinds(report) == [(1, "hmac_other_key"), (2, "hmac_other_key"), (3, "hmac_other_key")]
    assert report.problems[0].message == f"event 1: HMAC made with key {ID_A}, not the given key {ID_B}"
    assert report.hmac_by_key == {ID_B: 2}


def test_an_event_signed_with_the_retired_key_after_rotation_is_caught(settings: Settings) -> None:
    _write(settings, 3)
    _write(rotated(settings), 2)
    _write(settings, 1)  # someone still holding key A appends a well-chained event
    report = verify(rotated(settings))
    assert kinds(report) == [(6, "hmac_retired_key_reused")]
    problem = report.problems[0]
    assert problem.message == (f"event 6: signed with retired key {ID_A} after the current key {ID_B} was in use: "
                               "a retired key must not sign new events")
    assert (problem.expected, problem.found) == (ID_B, ID_A)
    assert report.hmac_by_key == {ID_B: 2, ID_A: 3}  # the reused one is not counted as checked


def test_an_unknown_key_stays_another_key_with_a_keyring(settings: Settings) -> None:
    _write(settings.model_copy(update={"audit_hmac_key": SecretStr("a third key, never configured")}), 1)
    report = verify(rotated(settings))
    assert kinds(report) == [(1, "hmac_other_key")]
    assert report.problems[0].message.endswith(f"not the given key {ID_B} or a retired key ({ID_A})")


def test_a_checkpoint_signed_before_rotation_still_verifies(settings: Settings) -> None:
    _write(settings, 3)
    with open_session(settings) as session:
        before = make_checkpoint(session, "auditor", audit_key(KEY_A))  # names event 3; its own event is 4
    after = rotated(settings)
    _write(after, 2)
    report = verify(after, [("before.json", before)])
    assert report.intact and report.checkpoints[0].signature == "valid" and report.checkpoints[0].chain == "matched"
    forgotten = verify(only_b(settings), [("before.json", before)])
    assert "checkpoint_signature" in {p.kind for p in forgotten.problems}
    assert forgotten.checkpoints[0].signature == "invalid"


def test_a_checkpoint_signed_with_the_retired_key_after_rotation_is_caught(settings: Settings) -> None:
    _write(settings, 2)
    after = rotated(settings)
    _write(after, 2)
    with open_session(after) as session:
        forged = make_checkpoint(session, "mallory", audit_key(KEY_A))  # names event 4, signed by B
    report = verify(after, [("forged.json", forged)])
    assert kinds(report) == [(4, "hmac_retired_key_reused")]
    assert report.problems[0].message.startswith(f"checkpoint forged.json: signed with retired key {ID_A} after the "
                                                 f"current key {ID_B} was in use (from event 3)")
    assert report.checkpoints[0].signature == "invalid"


def test_the_retired_keys_setting_reads_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSWALK_AUDIT_HMAC_RETIRED_KEYS", json.dumps([KEY_A, "yet another old key 2024"]))
    parsed = Settings().audit_hmac_retired_keys
    assert [s.get_secret_value() for s in parsed] == [KEY_A, "yet another old key 2024"]
    assert settings_keyring(Settings()).retired_ids == (ID_A, AuditKey(b"yet another old key 2024").key_id)
    monkeypatch.setenv("CROSSWALK_AUDIT_HMAC_RETIRED_KEYS", json.dumps([KEY_A, "too short"]))
    with pytest.raises(ValidationError, match="at least 16"):
        Settings()
    monkeypatch.delenv("CROSSWALK_AUDIT_HMAC_RETIRED_KEYS")
    assert Settings().audit_hmac_retired_keys == []


def test_a_hand_made_session_reads_the_keys_from_the_environment(settings: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSWALK_AUDIT_HMAC_KEY", KEY_B)
    monkeypatch.setenv("CROSSWALK_AUDIT_HMAC_RETIRED_KEYS", json.dumps([KEY_A]))
    with Session(get_engine(settings)) as session:
        ring = session_keyring(session)
    assert (ring.current_id, ring.retired_ids) == (ID_B, (ID_A,))


def test_the_web_auditor_view_verifies_with_the_retired_keys(settings: Settings) -> None:
    _write(settings, 3)
    after = rotated(settings)
    _write(after, 1)
    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(settings=after)))
    try:
        with open_session(after) as session:
            report = audit_trail.verify_now(request, session, "avery").report
    finally:
        audit_trail.VERIFICATIONS.clear()
    assert report.intact and report.hmac_by_key == {ID_B: 1, ID_A: 3}


def test_the_summary_line_groups_thousands() -> None:
    report = VerifyReport(intact=True, events=2000, key_id="ab12cd34", retired_key_ids=["9f00aa11"],
                          hmac_checked=2000, hmac_by_key={"ab12cd34": 1200, "9f00aa11": 800})
    assert report.hmac_summary() == "HMAC: 1,200 event(s) checked with the current key ab12cd34, 800 with retired key 9f00aa11"
    assert VerifyReport(intact=True, events=0).hmac_summary() is None


def test_cli_verify_names_both_keys(settings: Settings) -> None:
    _write(settings, 3)
    _write(rotated(settings), 2)
    env = {"CROSSWALK_AUDIT_HMAC_KEY": KEY_B, "CROSSWALK_AUDIT_HMAC_RETIRED_KEYS": json.dumps([KEY_A])}
    result = run("--data-dir", settings.data_dir, "audit", "verify", env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("audit chain intact: 5 event(s); last hash ")
    assert lines[1] == f"HMAC: 2 event(s) checked with the current key {ID_B}, 3 with retired key {ID_A}"
    report = json.loads(run("--data-dir", settings.data_dir, "audit", "verify", "--json", env=env).stdout)
    assert report["hmac_by_key"] == {ID_B: 2, ID_A: 3} and report["retired_key_ids"] == [ID_A]
    without = run("--data-dir", settings.data_dir, "audit", "verify", env={"CROSSWALK_AUDIT_HMAC_KEY": KEY_B})
    assert without.exit_code == 1 and f"HMAC made with key {ID_A}, not the given key {ID_B}" in without.stdout
