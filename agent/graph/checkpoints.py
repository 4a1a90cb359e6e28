"""The graph's checkpoint store: langgraph's SqliteSaver on a file in the data dir, strict msgpack.

Checkpoints are msgpack. langgraph's default serializer will import and call any
``module.name`` a checkpoint names, so a tampered checkpoint file could run code on
resume. The saver here is given ``JsonPlusSerializer(allowed_msgpack_modules=None)``:
only langgraph's built-in safe types are rebuilt, anything else stays inert data. The
state is plain JSON-able data, so nothing legitimate needs more. The CLI also sets
``LANGGRAPH_STRICT_MSGPACK=true`` before langgraph is imported, which makes every other
serializer langgraph builds strict too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from tools.errors import StoreError

CHECKPOINT_FILE = "checkpoints.sqlite"
STRICT_MSGPACK_ENV = "LANGGRAPH_STRICT_MSGPACK"


def strict_serde() -> JsonPlusSerializer:
    """A serializer that rebuilds only langgraph's allowlisted safe types (no pickle)."""
    return JsonPlusSerializer(allowed_msgpack_modules=None, pickle_fallback=False)


def checkpoint_path(data_dir: Path) -> Path:
    return data_dir / CHECKPOINT_FILE


@contextmanager
def open_checkpointer(data_dir: Path) -> Iterator[SqliteSaver]:
    """A SqliteSaver on ``<data_dir>/checkpoints.sqlite`` with the strict serializer."""
    path = checkpoint_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False)  # the saver serialises access with its own lock
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the checkpoint store {path}: {exc}") from None
    try:
        yield SqliteSaver(conn, serde=strict_serde())
    finally:
        conn.close()
