"""Fixtures for the review web app tests (TestClient, in-process; no network, no browser).

- ``web_settings``: Settings on a temporary data dir, no user set.
- ``make_user(username, role, password=PASSWORD)``: creates an account.
- ``users``: sam (staff), sue and sid (supervisors), avery (auditor), ada (admin).
- ``client``: a TestClient over https (so Secure cookies flow), not signed in.
- ``client_as(username)``: a new TestClient already signed in as that user.
- ``seeded_run``: the id of a propose run by sam on the demo export, waiting for review (4 items).
- ``sign_in(client, username, password=PASSWORD)`` and ``csrf_of(client, path)``: plain helpers.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from agent.settings import Settings
from agent.store import AppUser, dispose_engines, open_session
from agent.store import users as user_store
from review_ui.app import create_app

ROOT = Path(__file__).resolve().parents[2]
DEMO_EXPORT = ROOT / "evals" / "demo" / "custody_export.csv"
PASSWORD = "correct horse battery 9"
BASE_URL = "https://testserver"
CSRF_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')

MakeUser = Callable[..., AppUser]


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production parameters cost ~0.1 s per hash; the tests hash hundreds of times. Still argon2id.
    monkeypatch.setattr(user_store, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(autouse=True)
def _no_crosswalk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"CROSSWALK_{name.upper()}", raising=False)


@pytest.fixture(scope="session")
def proposed_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One offline propose run by sam on the demo export (4 items), made once per test session.

    Proposing takes seconds; copying the stopped database and checkpoint files takes none.
    """
    from agent.jobs.propose_job import ProposeRequest, run_propose_job
    from tools.standards import bundled_standard_path

    root = tmp_path_factory.mktemp("proposed")
    with pytest.MonkeyPatch.context() as env:  # session scope runs before the per-test env clean-up
        for name in Settings.model_fields:
            env.delenv(f"CROSSWALK_{name.upper()}", raising=False)
        settings = Settings(data_dir=root / "cw", user="sam")
        outcome = run_propose_job(settings, ProposeRequest(out_path=root / "proposal.json", source_path=DEMO_EXPORT,
                                                           target_schema_path=bundled_standard_path(), offline=True))
    dispose_engines()  # closes SQLite: the WAL is folded into the files copied
    assert outcome.review_items == 4, outcome.review_items
    return root / "cw", outcome.run_id


@pytest.fixture()
def web_settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    data_dir = tmp_path / "cw"
    if "seeded_run" in request.fixturenames:
        # Copied before any other fixture (users, clients) writes to this data dir.
        template, _ = request.getfixturevalue("proposed_template")
        shutil.copytree(template, data_dir)
    yield Settings(data_dir=data_dir, user=None)
    dispose_engines()


@pytest.fixture()
def make_user(web_settings: Settings) -> MakeUser:
    def make(username: str, role: str, password: str = PASSWORD) -> AppUser:
        with open_session(web_settings) as session:
            return user_store.create_user(session, username, password, role, created_by="test-setup")

    return make


@pytest.fixture()
def users(make_user: MakeUser) -> dict[str, AppUser]:
    people = {"sam": "staff", "sue": "supervisor", "sid": "supervisor", "avery": "auditor", "ada": "admin"}
    return {name: make_user(name, role) for name, role in people.items()}


@pytest.fixture()
def client(web_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings), base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture()
def client_as(web_settings: Settings) -> Iterator[Callable[[str], TestClient]]:
    """Separate browsers, one per person (each with its own cookie jar)."""
    opened: list[TestClient] = []

    def make(username: str, password: str = PASSWORD) -> TestClient:
        browser = TestClient(create_app(web_settings), base_url=BASE_URL)
        opened.append(browser)
        sign_in(browser, username, password)
        return browser

    yield make
    for browser in opened:
        browser.close()


def csrf_of(client: TestClient, path: str) -> str:
    """GET ``path`` and return the csrf_token of its first form."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    found = CSRF_INPUT.search(response.text)
    assert found is not None, f"no csrf_token input on {path}"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, *, next_path: str = "") -> None:
    """Sign in through the form, as a browser would; asserts it worked."""
    token = csrf_of(client, "/sign-in")
    response = client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token,
                                             "next": next_path}, follow_redirects=False)
    assert response.status_code == 303, (response.status_code, response.text[:500])
    assert "crosswalk_session" in client.cookies


def install_template(template: Path, settings: Settings, make_user: MakeUser, people: dict[str, str]) -> None:
    """Copy a prepared data directory into the test's and create the accounts the test uses."""
    shutil.copytree(template, settings.data_dir)
    for name, role in people.items():
        make_user(name, role)


@pytest.fixture()
def seeded_run(web_settings: Settings, proposed_template: tuple[Path, str]) -> str:
    """A propose run started by sam on the demo export, paused for review with 4 items (a copy of the template)."""
    return proposed_template[1]
