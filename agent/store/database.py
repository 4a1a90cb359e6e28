"""Opening the application database: engine per URL, tables created on first use.

Append-only tables are guarded twice: the ORM refuses to update or delete their rows,
and triggers refuse it in the database too (SQLite and PostgreSQL). Neither stops someone
with raw file access or a superuser; the audit hash chain (``agent.audit.verify_chain``)
is what shows that. On PostgreSQL the application's role should not hold UPDATE or
DELETE on those tables at all: ``crosswalk db grants`` prints the grants it needs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session as OrmSession
from sqlmodel import Session, SQLModel, create_engine

from agent.settings import Settings
from agent.store.linkage import ClusterMembership, ClusterVersionRow, LinkDecision, LinkEdge, LinkRun
from agent.store.models import AuditEvent, MappingVersion
from tools.errors import StoreError

APPEND_ONLY_MODELS: tuple[type[SQLModel], ...] = (AuditEvent, MappingVersion, LinkRun, ClusterVersionRow,
                                                  ClusterMembership, LinkEdge, LinkDecision)
APPEND_ONLY_TABLES: frozenset[str] = frozenset(str(m.__tablename__) for m in APPEND_ONLY_MODELS)

_SQLITE_TRIGGERS: tuple[str, ...] = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
    for table in sorted(APPEND_ONLY_TABLES)
    for verb in ("update", "delete")
)

# PostgreSQL's equivalent: one trigger function, row triggers for UPDATE and DELETE and a
# statement trigger for TRUNCATE (which row triggers do not see). restrict_violation makes
# it an IntegrityError, as SQLite's RAISE(ABORT) is. Created only where missing, so a
# role without ownership of the tables (the app's least-privilege role) runs no DDL.
PG_TRIGGER_FUNCTION = "crosswalk_refuse_change"
_PG_FUNCTION_SQL = (
    f"CREATE OR REPLACE FUNCTION {PG_TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
    "BEGIN RAISE EXCEPTION USING ERRCODE = 'restrict_violation', "
    "MESSAGE = TG_TABLE_NAME || ' rows are append-only', "
    "HINT = 'the audit log and cluster history are never changed; write a new row instead'; END $fn$"
)
_PG_TRIGGERS: dict[tuple[str, str], str] = {
    (table, f"{table}_no_{verb}"): (
        f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
        f"FOR EACH {'STATEMENT' if verb == 'truncate' else 'ROW'} EXECUTE FUNCTION {PG_TRIGGER_FUNCTION}()"
    )
    for table in sorted(APPEND_ONLY_TABLES)
    for verb in ("update", "delete", "truncate")
}
# Any constant: the advisory lock that serialises schema creation when several workers start at once.
_PG_SCHEMA_LOCK_ID = 0x736368656D61  # "schema"

# Columns added after the first release: (table, column, SQL type). ``create_all`` makes
# missing tables but never alters existing ones, so older databases get them here.
_ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("review_item", "confidence", "FLOAT"),
    ("audit_event", "hmac", "VARCHAR"),
)
# Indexes added after the first release (``create_all`` indexes only the tables it
# creates): audit search and run trails filter on these columns.
_ADDED_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS ix_audit_event_subject ON audit_event (subject)",
    "CREATE INDEX IF NOT EXISTS ix_audit_event_actor ON audit_event (actor)",
    "CREATE INDEX IF NOT EXISTS ix_audit_event_time ON audit_event (time)",
    # Covers the review queue's filter, sort and join, so paging never reads the rows'
    # large proposal JSON (SQLite stores it in overflow pages before these columns).
    "CREATE INDEX IF NOT EXISTS ix_review_item_queue ON review_item "
    "(state, kind, confidence, created_at, target, id, run_id)",
)
_INDEX_NAME = re.compile(r"IF NOT EXISTS (\w+) ON")
# Key of ``Session.info`` under which ``open_session`` passes the audit HMAC key
# (a SecretStr or None) to ``agent.audit.record_event``.
AUDIT_KEY_INFO = "crosswalk_audit_hmac_key"
# ... and the retired audit keys (a tuple of SecretStr), which only verification reads.
AUDIT_RETIRED_KEYS_INFO = "crosswalk_audit_hmac_retired_keys"
SQLITE_BUSY_TIMEOUT_MS = 10_000

_engines: dict[str, Engine] = {}
# Web requests run in a thread pool: two first opens at once must not both create the schema.
_engines_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the web app's pages) run while a writer commits; the busy
    # timeout makes concurrent writers wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _add_missing_columns(conn: Connection) -> None:
    inspector = inspect(conn)
    for table, column, sql_type in _ADDED_COLUMNS:
        if not inspector.has_table(table):
            continue
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def _add_postgres_triggers(conn: Connection) -> None:
    """The append-only triggers (and their function) that are not there yet."""
    existing = {(str(t), str(n)) for t, n in conn.execute(text(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relnamespace = to_regnamespace(current_schema())::oid AND NOT t.tgisinternal"))}
    missing = [sql for key, sql in _PG_TRIGGERS.items() if key not in existing]
    if not missing:
        return
    has_function = conn.execute(text("SELECT to_regproc(:f) IS NOT NULL"),
                                {"f": PG_TRIGGER_FUNCTION}).scalar()
    if not has_function:
        conn.execute(text(_PG_FUNCTION_SQL))
    for statement in missing:
        conn.execute(text(statement))


def _create_schema(conn: Connection) -> None:
    """Tables, columns and indexes added since, and the append-only triggers."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_SCHEMA_LOCK_ID})
    SQLModel.metadata.create_all(conn)
    _add_missing_columns(conn)
    if dialect == "postgresql":
        # IF NOT EXISTS still needs ownership of the table: create only the missing ones.
        present = {str(n) for n in conn.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")).scalars()}
        for statement in _ADDED_INDEXES:
            if _INDEX_NAME.search(statement).group(1) not in present:  # type: ignore[union-attr]
                conn.execute(text(statement))
        _add_postgres_triggers(conn)
        return
    for statement in _ADDED_INDEXES:
        conn.execute(text(statement))
    if dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            conn.execute(text(statement))


def _refuse_change(mapper: Any, connection: Any, target: Any) -> None:
    raise StoreError(f"{type(target).__name__} rows are append-only; they cannot be changed or deleted")


for _model in APPEND_ONLY_MODELS:
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


@event.listens_for(OrmSession, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    # Bulk update()/delete() statements bypass the per-object mapper events above.
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        if mapper.local_table.name in APPEND_ONLY_TABLES:
            raise StoreError(f"{mapper.local_table.name} rows are append-only; they cannot be changed or deleted")


def _prepare_sqlite_dir(url: str) -> None:
    """Create the directory a SQLite file lives in, with a clear error when that fails."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {folder}: {exc.strerror or exc}") from None
    if not folder.is_dir():
        raise StoreError(f"data directory {folder} is not a directory")


def get_engine(settings: Settings) -> Engine:
    """The engine for the configured database, creating the tables the first time."""
    url = settings.resolved_database_url()
    cached = _engines.get(url)
    if cached is not None:
        return cached
    with _engines_lock:
        cached = _engines.get(url)
        return cached if cached is not None else _new_engine(url)


def _new_engine(url: str) -> Engine:
    _prepare_sqlite_dir(url)
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite" and make_url(url).database not in (None, "", ":memory:"):
            event.listen(engine, "connect", _sqlite_pragmas)
        with engine.begin() as conn:
            _create_schema(conn)
    except SQLAlchemyError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        cause = _cause(exc)
        if url.startswith("postgresql") and "permission denied" in cause:
            # The least-privilege app role cannot create or alter tables; their owner must.
            cause += ("; the tables' owner must create or upgrade them first (`crosswalk db init` with the owner's "
                      "URL), then grant this role its privileges (`crosswalk db grants`; see docs/postgresql.md)")
        raise StoreError(f"cannot open the application database {shown}: {cause}") from None
    _engines[url] = engine
    return engine


def _cause(exc: SQLAlchemyError) -> str:
    """The driver's own message (e.g. 'database is locked'), without SQLAlchemy's SQL dump.

    Only its first line: PostgreSQL adds the statement and a caret below (``LINE 2: ...``).
    """
    orig = getattr(exc, "orig", None)
    message = str(orig).strip() if orig is not None else ""
    return message.splitlines()[0] if message else exc.__class__.__name__


@contextmanager
def open_session(settings: Settings) -> Iterator[Session]:
    """A session on the application database; rolled back if the block raises.

    Operational failures (locked, unreachable, disk full) become a StoreError the CLI
    prints as one line; integrity errors stay as they are, since they point at a bug
    or at tampering.
    """
    session = Session(get_engine(settings), expire_on_commit=False)
    session.info[AUDIT_KEY_INFO] = settings.audit_hmac_key
    session.info[AUDIT_RETIRED_KEYS_INFO] = tuple(settings.audit_hmac_retired_keys)
    try:
        yield session
    except OperationalError as exc:
        session.rollback()
        raise StoreError(f"application database error: {_cause(exc)}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Close every cached engine (tests use it between temporary data dirs)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
