"""The PostgreSQL privileges the application's database role needs, and no more.

Every table: SELECT and INSERT. UPDATE and DELETE only on the tables the code changes;
never on the append-only ones (``APPEND_ONLY_TABLES``: the audit log, mapping versions,
the linkage history), so a leaked application password cannot rewrite the audit log.
Sequences (integer keys the database numbers): USAGE, so inserts can take the next value.
The tables themselves are created by their owner, a separate role (see docs/postgresql.md).
"""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql
from sqlmodel import SQLModel

import agent.store  # noqa: F401 - imports every table model, so the metadata is complete
from agent.store.database import APPEND_ONLY_TABLES
from tools.errors import CrosswalkError

# PostgreSQL truncates longer identifiers to 63 bytes; a truncated role name would name another role.
MAX_IDENTIFIER_BYTES = 63
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]*$")


class GrantError(CrosswalkError):
    """A role or schema name that cannot be used in the printed SQL."""


def _quote(identifier: str) -> str:
    """The identifier as PostgreSQL needs it (quoted only when it must be)."""
    return postgresql.dialect().identifier_preparer.quote(identifier)


def check_identifier(name: str, what: str = "role name") -> str:
    """``name`` if it is a plain PostgreSQL identifier (so the printed SQL cannot carry anything else)."""
    if not _IDENTIFIER.fullmatch(name) or len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        raise GrantError(f"{what} {name!r} is not usable: start with a letter or '_', then letters, digits, "
                         f"'_', '$' or '-', at most {MAX_IDENTIFIER_BYTES} characters")
    return name


def application_tables() -> list[str]:
    """Every table of the application database, by name."""
    return sorted(table.name for table in SQLModel.metadata.sorted_tables)


def mutable_tables() -> list[str]:
    """The tables the application updates or deletes rows of: all but the append-only ones."""
    return [name for name in application_tables() if name not in APPEND_ONLY_TABLES]


def sequences() -> list[str]:
    """The sequences behind integer keys (PostgreSQL names a SERIAL column's ``<table>_<column>_seq``)."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            found.append(f"{table.name}_{column.name}_seq")
    return sorted(found)


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """REVOKE everything, then GRANT exactly what the application needs, for ``role``."""
    who = _quote(check_identifier(role))
    where = _quote(check_identifier(schema, "schema name"))

    def qualified(name: str) -> str:
        return f"{where}.{_quote(name)}"

    tables = ", ".join(qualified(t) for t in application_tables())
    statements = [
        f"REVOKE ALL ON {tables} FROM {who};",
        f"GRANT USAGE ON SCHEMA {where} TO {who};",
        f"GRANT SELECT, INSERT ON {tables} TO {who};",
        f"GRANT UPDATE, DELETE ON {', '.join(qualified(t) for t in mutable_tables())} TO {who};",
    ]
    if sequences():
        statements.append(f"GRANT USAGE ON SEQUENCE {', '.join(qualified(s) for s in sequences())} TO {who};")
    return statements


def grants_script(role: str, schema: str = "public") -> str:
    """The statements with a comment saying what is withheld and why (for ``crosswalk db grants``)."""
    withheld = ", ".join(sorted(APPEND_ONLY_TABLES))
    header = [
        f"-- Privileges of the crosswalk application role {role} (run as the tables' owner, e.g. with psql).",
        f"-- No UPDATE, DELETE or TRUNCATE on the append-only tables: {withheld}.",
    ]
    return "\n".join([*header, "BEGIN;", *grant_statements(role, schema), "COMMIT;"]) + "\n"
