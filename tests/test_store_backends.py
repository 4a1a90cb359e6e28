"""The application database on both backends: SQLite (the default) and PostgreSQL (a team's server).

Every test taking ``db_settings`` runs twice (see ``tests/conftest.py``): on a SQLite file,
and on a fresh database of the session's throwaway PostgreSQL server. The last tests are
PostgreSQL only: the append-only triggers, and the least-privilege role of
``crosswalk db grants``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlmodel import select
from typer.testing import CliRunner

from agent.audit import count_events, list_events, record_event, verify_chain
from agent.cli import app
from agent.jobs.link_feedback import decide_pair
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.settings import Settings
from agent.store import dispose_engines, get_engine, open_session
from agent.store import users as user_store
from agent.store.database import APPEND_ONLY_TABLES
from agent.store.grants import application_tables, grant_statements
from agent.store.linkage import ClusterMembership, ClusterVersionRow, current_cluster
from agent.store.review import ReviewConflict, decide, get_item, items_of_run, open_items
from agent.store.review_queue import QueueFilter, dataset_options, queue_page, queue_rows
from tools.errors import StoreError
from tests.postgres_server import PostgresServer
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tests.concurrency import run_together
from tests.test_audit_chain import KEY, _verify, _write
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_store, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def keyed(settings: Settings) -> Settings:
    """The same database, with the audit key the audit-chain helpers verify with."""
    return settings.model_copy(update={"audit_hmac_key": SecretStr(KEY)})


def as_user(settings: Settings, user: str) -> Settings:
    return settings.model_copy(update={"user": user})


def propose(settings: Settings, tmp_path: Path) -> str:
    """An offline propose run by alice, paused for review (datasets, runs, items, events); its run id."""
    write_csv(tmp_path / "export.csv", custody_rows())
    write_schema(tmp_path / "target.schema.json", custody_schema())
    outcome = run_propose_job(as_user(settings, "alice"), ProposeRequest(
        out_path=tmp_path / "p.json", source_path=tmp_path / "export.csv",
        target_schema_path=tmp_path / "target.schema.json", offline=True))
    assert outcome.review_items > 1
    return outcome.run_id


@contextmanager
def attacker(settings: Settings) -> Iterator[Connection]:
    """A privileged raw connection past the append-only triggers: SQLite's dropped, or a PostgreSQL
    superuser's session in replica mode (where ordinary triggers do not fire)."""
    engine = create_engine(settings.resolved_database_url())
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                for verb in ("update", "delete"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_event_no_{verb}")
            else:
                conn.exec_driver_sql("SET session_replication_role = replica")
            yield conn
    finally:
        engine.dispose()


# ---- both backends ----------------------------------------------------------------------------


def test_open_session_creates_every_table_and_the_append_only_triggers(db_settings: Settings) -> None:
    with open_session(db_settings) as session:
        assert count_events(session) == 0
    engine = get_engine(db_settings)
    assert set(application_tables()) <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        else:
            found = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
        triggers = set(found)
    assert {f"{t}_no_{v}" for t in APPEND_ONLY_TABLES for v in ("update", "delete")} <= triggers
    dispose_engines()  # a new engine opens the existing schema again: nothing to create, nothing fails
    with open_session(db_settings) as session:
        assert count_events(session) == 0


def test_audit_events_chain_and_verify_intact(db_settings: Settings) -> None:
    settings = keyed(db_settings)
    _write(settings, 6)
    report = _verify(settings)
    assert (report.intact, report.events, report.hmac_checked, report.problems) == (True, 6, 6, [])
    with open_session(settings) as session:
        events = list_events(session)
        assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
        assert events[0].inputs == {"target": "/person/sex", "i": 1} and events[0].outputs["map"] == {"1": "male", "2": "female"}
        assert [e.seq for e in list_events(session, run_id="r0")] == [2, 4, 6]
        assert verify_chain(session) == []


def test_the_database_refuses_to_update_or_delete_audit_events(db_settings: Settings) -> None:
    _write(keyed(db_settings), 2)
    engine = get_engine(db_settings)
    for statement in ("UPDATE audit_event SET actor = :a WHERE seq = 1", "DELETE FROM audit_event WHERE seq = :a"):
        with engine.connect() as conn, pytest.raises(IntegrityError, match="audit_event rows are append-only"):
            conn.execute(text(statement), {"a": "mallory" if "UPDATE" in statement else 1})


def test_a_tampered_payload_is_detected(db_settings: Settings) -> None:
    settings = keyed(db_settings)
    _write(settings, 4)
    with attacker(settings) as conn:
        conn.execute(text("UPDATE audit_event SET outputs = :o WHERE seq = 3"), {"o": '{"map":{},"ok":false}'})
    report = _verify(settings)
    assert not report.intact
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "content_hash")]


def test_a_deleted_event_is_detected(db_settings: Settings) -> None:
    settings = keyed(db_settings)
    _write(settings, 4)
    with attacker(settings) as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": 2})
    report = _verify(settings)
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "sequence_gap"), (3, "prev_hash")]


def test_concurrent_audit_writers_lose_no_event(db_settings: Settings) -> None:
    def write(actor: str) -> None:
        with open_session(db_settings) as session:
            for i in range(5):
                record_event(session, actor, "step", f"n:{i}", {"i": i}, {})

    _, errors = run_together(*(lambda a=a: write(a) for a in ("ann", "bob", "cat")))
    assert errors == []
    with open_session(db_settings) as session:
        assert count_events(session) == 15 and verify_chain(session) == []


def test_concurrent_first_opens_share_one_engine(db_settings: Settings) -> None:
    engines, errors = run_together(*(lambda: get_engine(db_settings) for _ in range(4)))
    assert errors == [] and len({id(e) for e in engines}) == 1


def test_of_two_deciders_on_one_version_exactly_one_wins(db_settings: Settings, tmp_path: Path) -> None:
    run_id = propose(db_settings, tmp_path)
    bob = as_user(db_settings, "bob")
    with open_session(bob) as first, open_session(bob) as second:  # two sessions, one after the other
        item_id = items_of_run(first, run_id)[0].id
        seen = get_item(second, item_id).version
        assert decide(first, item_id, "approve", "bob", "looks right", seen).state == "approved"
        with pytest.raises(ReviewConflict, match="changed since you saw it"):
            decide(second, item_id, "reject", "carol", "wrong source", seen)
        other_id = items_of_run(first, run_id)[1].id

    def decider(actor: str, decision: Any) -> Callable[[], Any]:
        def call() -> Any:
            with open_session(as_user(db_settings, actor)) as session:
                return decide(session, other_id, decision, actor, f"{actor} says {decision}", 1)
        return call

    # the same, truly at once: both pass the version check, only one UPDATE ... WHERE version = 1 matches
    won, lost = run_together(decider("bob", "approve"), decider("carol", "reject"))
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], ReviewConflict)
    with open_session(bob) as session:
        stored = get_item(session, other_id)
        assert (stored.state, stored.decided_by, stored.version) == (won[0].state, won[0].decided_by, 2)
        assert get_item(session, item_id).decided_by == "bob"


def test_the_review_queue_queries_run(db_settings: Settings, tmp_path: Path) -> None:
    run_id = propose(db_settings, tmp_path)
    with open_session(as_user(db_settings, "bob")) as session:
        items = items_of_run(session, run_id)
        rejected = next(i for i in items if len(i.proposal["field"]["sources"]) == 1)
        decide(session, rejected.id, "reject", "bob", "no", 1)
        undecided = open_items(session, run_id)
        page = queue_page(session, QueueFilter())
        expected = sorted(undecided, key=lambda i: (i.confidence is not None, i.confidence or 0.0, i.created_at,
                                                    i.target, i.id))
        assert [r.id for r in page.items] == [i.id for i in expected]
        assert page.total == len(undecided) and page.state_counts == {"open": len(undecided), "rejected": 1}
        assert sum(page.kind_counts.values()) == len(undecided)
        assert all(r.sources and r.dataset_name == "export.csv" and r.run_actor == "alice" for r in page.items)
        merge = next(i for i in undecided if len(i.proposal["field"]["sources"]) > 1)
        assert next(r for r in page.items if r.id == merge.id).sources == merge.proposal["field"]["sources"]
        # dataset filter (joins runs and datasets), a kind facet, another sort, and paging
        by_dataset = queue_page(session, QueueFilter(dataset="export", state="all", sort="-created", per_page=2, page=2))
        assert by_dataset.total == len(items) and len(by_dataset.items) == 2
        every = [r.id for r in queue_rows(session, QueueFilter(dataset="export", state="all", sort="-created"))]
        assert sorted(every) == sorted(i.id for i in items) and every[2:4] == [r.id for r in by_dataset.items]
        kind = merge.kind
        assert {r.kind for r in queue_page(session, QueueFilter(kind=kind)).items} == {kind}
        assert [r.id for r in queue_page(session, QueueFilter(state="rejected")).items] == [rejected.id]
        assert [(d.name, d.items) for d in dataset_options(session)] == [("export.csv", len(items))]


def test_users_sessions_and_the_sign_in_limit(db_settings: Settings) -> None:
    with open_session(db_settings) as session:
        user_store.create_user(session, "sam", PASSWORD, "supervisor", created_by="admin")
        user_store.create_user(session, "ada", PASSWORD, "admin", created_by="admin")
        assert user_store.authenticate(session, "sam", PASSWORD) is not None
        assert user_store.authenticate(session, "sam", "wrong password here") is None
        token, row = user_store.open_web_session(session, "sam", max_hours=8)
        user_store.push_flash(session, row.id, "info", "saved")
        found = user_store.lookup_web_session(session, token, idle_minutes=30, touch_after_s=0)
        assert found is not None and found[1].username == "sam"
        assert user_store.pop_flash(session, row.id) == [{"level": "info", "text": "saved"}]
        assert user_store.pop_flash(session, row.id) == []
        for _ in range(3):
            user_store.record_attempt(session, "sam", "10.0.0.1", False, window_minutes=15)
        assert user_store.too_many_attempts(session, "sam", "10.0.0.1", max_failures=3, window_minutes=15) is not None
        assert user_store.too_many_attempts(session, "sam", "10.0.0.2", max_failures=3, window_minutes=15) is None
        user_store.set_role(session, "sam", "staff")
        user_store.disable_user(session, "sam")  # ends sam's sessions (a DELETE)
        assert user_store.stored_session_count(session, "sam") == 0
        assert user_store.lookup_web_session(session, token, idle_minutes=30) is None
        assert [u.username for u in user_store.list_users(session)] == ["ada", "sam"]
        _, other = user_store.open_web_session(session, "ada", max_hours=8)
        assert user_store.end_sessions_of(session, "ada") == 1


def test_cluster_versions_are_written_under_the_lock(db_settings: Settings) -> None:
    def split(a: str, b: str, match: bool) -> Callable[[], int]:
        def call() -> int:
            with open_session(db_settings) as session:
                return decide_pair(session, a, b, match=match, actor="kim", reason="checked").version
        return call

    with open_session(db_settings) as session:
        assert decide_pair(session, "f1:1", "f2:1", match=True, actor="kim", reason="same").version == 1
    versions, errors = run_together(split("f1:2", "f2:2", True), split("f1:3", "f2:3", True), split("f1:4", "f2:4", True))
    assert errors == [] and sorted(versions) == [2, 3, 4]
    with open_session(db_settings) as session:
        assert decide_pair(session, "f1:1", "f2:1", match=False, actor="lee", reason="undo").version == 5
        assert current_cluster(session, "f1:1") != current_cluster(session, "f2:1")
        assert current_cluster(session, "f1:3") == current_cluster(session, "f2:3")
        assert len(session.exec(select(ClusterVersionRow)).all()) == 5
        assert len(session.exec(select(ClusterMembership)).all()) == 10  # 2 rows per merge and per undo
        assert verify_chain(session) == []


# ---- PostgreSQL only -------------------------------------------------------------------------


def test_postgres_triggers_refuse_truncate_too(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url)
    _write(keyed(settings), 1)
    with get_engine(settings).connect() as conn, pytest.raises(IntegrityError, match="append-only"):
        conn.execute(text("TRUNCATE audit_event"))


def test_the_app_role_with_only_the_printed_grants_works_and_cannot_rewrite_the_log(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path,
) -> None:
    owner = Settings(data_dir=tmp_path / "data", database_url=postgres_url, audit_hmac_key=KEY)
    run_id = propose(owner, tmp_path)  # the owner (here a superuser) creates the schema and a run to review
    database = str(make_url(postgres_url).database)
    role = "cw_app_" + database[-8:]
    with get_engine(owner).begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")  # a generated name: DDL takes no parameters
        for statement in grant_statements(role):
            conn.exec_driver_sql(statement)
    app_settings = owner.model_copy(update={"database_url": postgres_server.url(database, user=role), "user": "bob"})
    try:
        with open_session(app_settings) as session:  # opening runs no DDL as the app role
            item = items_of_run(session, run_id)[0]
            assert decide(session, item.id, "approve", "bob", "fine", item.version).state == "approved"
            record_event(session, "bob", "review_decided", f"item:{item.id}", {"decision": "approve"}, {}, run_id)
            user_store.create_user(session, "sam", PASSWORD, "staff", created_by="bob")
            token, _ = user_store.open_web_session(session, "sam", max_hours=1)
            assert user_store.end_web_session(session, token)
            assert decide_pair(session, "f1:1", "f2:1", match=True, actor="bob", reason="same").version == 1
        report = _verify(app_settings)
        assert report.intact and report.events == count_events_as(app_settings)
        engine = get_engine(app_settings)
        for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event",
                          "TRUNCATE audit_event", "UPDATE mapping_version SET created_by = 'mallory'",
                          "DELETE FROM cluster_membership"):
            with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
                conn.exec_driver_sql(statement)
    finally:
        dispose_engines()
        with create_engine(postgres_url).begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")


def count_events_as(settings: Settings) -> int:
    with open_session(settings) as session:
        return count_events(session)


def test_db_grants_prints_the_grants(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["db", "grants", "--role", "crosswalk_app"])
    assert result.exit_code == 0, result.output
    assert "GRANT SELECT, INSERT ON " in result.output and "public.audit_event" in result.output
    update_line = next(line for line in result.output.splitlines() if line.startswith("GRANT UPDATE, DELETE"))
    assert "public.review_item" in update_line and "public.web_session" in update_line
    assert not any(f"public.{t}," in update_line or f"public.{t} " in update_line for t in APPEND_ONLY_TABLES)
    refused = CliRunner().invoke(app, ["db", "grants", "--role", "app; DROP TABLE run"])
    assert refused.exit_code == 2 and "role name 'app; DROP TABLE run' is not usable" in refused.output


def test_the_app_role_on_a_database_without_tables_is_told_to_run_db_init(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path,
) -> None:
    database = str(make_url(postgres_url).database)
    role = "cw_bare_" + database[-8:]
    with create_engine(postgres_url).begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")  # as PostgreSQL 15 has it by default
    try:
        settings = Settings(data_dir=tmp_path, database_url=postgres_server.url(database, user=role))
        with pytest.raises(StoreError, match=r"permission denied for schema public; the tables' owner must create .*"
                                             r"crosswalk db init"):
            get_engine(settings)
    finally:
        with create_engine(postgres_url).begin() as conn:
            conn.exec_driver_sql(f"DROP ROLE {role}")


def test_a_missing_server_is_reported_and_required_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.postgres_server as pg

    monkeypatch.setattr(pg, "find_bin_dir", lambda: None)
    with pytest.raises(pg.PostgresUnavailable, match="install Debian's postgresql package"):
        pg.start_server()
    monkeypatch.delenv(pg.REQUIRE_ENV, raising=False)
    assert not pg.postgres_required()
    monkeypatch.setenv(pg.REQUIRE_ENV, "1")
    assert pg.postgres_required()
