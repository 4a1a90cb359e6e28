"""Opening the application database: engine per URL, tables created on first use.

Append-only tables are guarded twice: the ORM refuses to update or delete their rows,
and on SQLite triggers refuse it in the database too. Neither stops someone with raw
file access; the audit hash chain (``agent.audit.verify_chain``) is what shows that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
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
# Key of ``Session.info`` under which ``open_session`` passes the audit HMAC key
# (a SecretStr or None) to ``agent.audit.record_event``.
AUDIT_KEY_INFO = "crosswalk_audit_hmac_key"
# ... and the retired audit keys (a tuple of SecretStr), which only verification reads.
AUDIT_RETIRED_KEYS_INFO = "crosswalk_audit_hmac_retired_keys"
SQLITE_BUSY_TIMEOUT_MS = 10_000

_engines: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the web app's pages) run while a writer commits; the busy
    # timeout makes concurrent writers wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _add_missing_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    for table, column, sql_type in _ADDED_COLUMNS:
        if not inspector.has_table(table):
            continue
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            with engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


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
    _prepare_sqlite_dir(url)
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite" and make_url(url).database not in (None, "", ":memory:"):
            event.listen(engine, "connect", _sqlite_pragmas)
        SQLModel.metadata.create_all(engine)
        _add_missing_columns(engine)
        with engine.begin() as conn:
            for statement in _ADDED_INDEXES:
                conn.execute(text(statement))
            if engine.dialect.name == "sqlite":
                for statement in _SQLITE_TRIGGERS:
                    conn.execute(text(statement))
    except SQLAlchemyError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise StoreError(f"cannot open the application database {shown}: {_cause(exc)}") from None
    _engines[url] = engine
    return engine


def _cause(exc: SQLAlchemyError) -> str:
    """The driver's own message (e.g. 'database is locked'), without SQLAlchemy's SQL dump."""
    orig = getattr(exc, "orig", None)
    return str(orig) if orig is not None else exc.__class__.__name__


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
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
