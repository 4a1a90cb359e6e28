"""A small SQLite cache of validated LLM answers, keyed by request hash, in the data dir.

The key is ``sha256(model + mode + messages)``: the same question to the same model in
the same structured-output mode gets the same answer without a request (so a re-run,
an eval or a replay costs no tokens). Only answers that passed validation are stored.
The cache also remembers which structured-output mode each endpoint accepted, so an
``auto`` client that fell back to ``json_object`` once does not ask again next run.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

CACHE_FILE = "llm_cache.sqlite3"


def request_key(model: str, mode: str, messages: list[dict[str, Any]]) -> str:
    """The hash a request is cached under."""
    body = json.dumps({"model": model, "mode": mode, "messages": messages}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ResponseCache:
    """Validated answers by request key, and the structured-output mode each endpoint takes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, model TEXT, mode TEXT, content TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS endpoint_modes (endpoint TEXT PRIMARY KEY, mode TEXT)")

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "ResponseCache":
        return cls(data_dir / CACHE_FILE)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def get(self, key: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT content FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, model: str, mode: str, content: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO answers (key, model, mode, content) VALUES (?, ?, ?, ?)",
                       (key, model, mode, content))

    def endpoint_mode(self, endpoint: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT mode FROM endpoint_modes WHERE endpoint = ?", (endpoint,)).fetchone()
        return None if row is None else str(row[0])

    def remember_mode(self, endpoint: str, mode: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO endpoint_modes (endpoint, mode) VALUES (?, ?)", (endpoint, mode))
