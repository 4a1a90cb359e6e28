"""Shared pytest configuration: pytest-recording (vcrpy) defaults for the LLM cassettes.

Cassettes live in ``tests/cassettes/<module>/<test>.yaml`` and are replayed with record
mode ``none`` (a request not on the cassette fails; nothing reaches the network). To
re-record against a local OpenAI-compatible server (see ``evals/llm_server/README.md``):
``evals/llm_server/record_cassettes.sh tests/test_llm_cassettes.py`` (it starts the server, sets
``CROSSWALK_RECORD=1`` and the ``CROSSWALK_LLM_*`` variables, and runs pytest with ``--record-mode``).
The authorization header (API key) is never written to a cassette.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import pytest

CASSETTES = Path(__file__).parent / "cassettes"


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """vcrpy options for every ``@pytest.mark.vcr`` test."""
    config: dict[str, Any] = {
        "filter_headers": ["authorization", "api-key", "openai-organization", "openai-project", "cookie", "set-cookie"],
        "match_on": ["method", "scheme", "host", "port", "path", "body"],
        "decode_compressed_response": True,
    }
    if not recording():
        config["record_mode"] = "none"  # replay only; when recording, --record-mode decides
    return config


def recording() -> bool:
    """True while re-recording cassettes (``CROSSWALK_RECORD=1``)."""
    return os.environ.get("CROSSWALK_RECORD") == "1"


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.split(".")[-1])


@pytest.fixture()
def clean_crosswalk_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No CROSSWALK_* variable from the developer's shell leaks into a CLI test; engines are disposed after."""
    from agent.settings import Settings
    from agent.store.database import dispose_engines

    for name in Settings.model_fields:
        monkeypatch.delenv(f"CROSSWALK_{name.upper()}", raising=False)
    yield
    dispose_engines()


# ---- PostgreSQL: a throwaway server per test session, a fresh database per test ----------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """The session's throwaway PostgreSQL server (started on first use); skips when not installed.

    With ``CROSSWALK_REQUIRE_POSTGRES=1`` (``make test``) a missing server fails instead.
    """
    from tests.postgres_server import PostgresUnavailable, postgres_required, start_server

    try:
        server = start_server()
    except PostgresUnavailable as exc:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required (CROSSWALK_REQUIRE_POSTGRES=1) but unavailable: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL is not available: {exc}")
    yield server
    server.stop()


@pytest.fixture()
def postgres_url(postgres_server: Any) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database on the throwaway server (dropped after the test)."""
    from agent.store.database import dispose_engines

    name = postgres_server.create_database()
    yield postgres_server.url(name)
    dispose_engines()  # the cached engine still holds connections to the database
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Settings on each backend: a SQLite file in a temporary data dir, or a fresh PostgreSQL database."""
    from agent.settings import Settings
    from agent.store.database import dispose_engines

    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    yield Settings(data_dir=tmp_path / "data", database_url=url, user="tester")
    dispose_engines()
