"""Real-browser fixtures: the review web app served by uvicorn on loopback, driven by Debian's Chromium.

- ``live_server`` (per module): the base URL (``http://127.0.0.1:<free port>``) of ``create_app(settings)`` served by
  uvicorn in a background thread, on a temporary data dir with sam (staff), sue and sid (supervisors),
  avery (auditor) and ada (admin), and one offline propose run by sam on the demo export (4 review items).
- ``browser``: headless Chromium from ``/usr/bin/chromium`` (Playwright never downloads a browser here).
  Missing Chromium skips these tests, unless ``CROSSWALK_REQUIRE_BROWSER=1`` (``make test``) makes it a failure.
- ``new_page(**context_options)``: a page in a fresh browser context (its own cookies) that can reach only
  the live server, and whose console errors, page errors and failed same-site requests are collected.
- ``ARTIFACTS``: ``test-artifacts/browser`` under the repository root, for screenshots.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from agent.settings import Settings
from agent.store import dispose_engines, open_session
from agent.store import users as user_store
from review_ui.app import create_app
from tests.web.conftest import DEMO_EXPORT, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path(os.environ.get("CROSSWALK_CHROMIUM", "/usr/bin/chromium"))
PEOPLE = {"sam": "staff", "sue": "supervisor", "sid": "supervisor", "avery": "auditor", "ada": "admin"}
# Flags that keep Chromium off the (closed) network and quiet in a container run as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                 "--disable-dev-shm-usage"]
TIMEOUT_MS = 10_000

__all__ = ["ARTIFACTS", "PASSWORD", "LiveServer", "PageLog"]


@dataclass(frozen=True)
class LiveServer:
    url: str
    settings: Settings
    run_id: str


@dataclass
class PageLog:
    """What a page reported: console errors, uncaught errors, and same-site requests that failed or got >= 400."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self, *, allow: tuple[str, ...] = ()) -> list[str]:
        """Everything reported, except messages containing one of ``allow``."""
        found = self.console_errors + self.page_errors + self.bad_responses
        return [p for p in found if not any(a in p for a in allow)]


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    from agent.jobs.propose_job import ProposeRequest, run_propose_job
    from tools.standards import bundled_standard_path

    root = tmp_path_factory.mktemp("browser")
    with pytest.MonkeyPatch.context() as env:
        for name in Settings.model_fields:
            env.delenv(f"CROSSWALK_{name.upper()}", raising=False)
        # Production argon2 parameters cost ~0.1 s a hash; still argon2id.
        env.setattr(user_store, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        # Plain http on loopback: the session cookie must not be Secure-only.
        settings = Settings(data_dir=root / "cw", user=None, web_cookie_secure=False)
        outcome = run_propose_job(settings.model_copy(update={"user": "sam"}),
                                  ProposeRequest(out_path=root / "proposal.json", source_path=DEMO_EXPORT,
                                                 target_schema_path=bundled_standard_path(), offline=True))
        assert outcome.review_items == 4, outcome.review_items
        with open_session(settings) as session:
            for name, role in PEOPLE.items():
                user_store.create_user(session, name, PASSWORD, role, created_by="test-setup")

        sock = _free_socket()
        port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(url, thread)
            yield LiveServer(url=url, settings=settings, run_id=outcome.run_id)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            dispose_engines()


def _wait_for_health(url: str, thread: threading.Thread, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server thread stopped before it answered /healthz")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"the live server did not answer {url}/healthz within {timeout} s: {last}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (make test installs it: `make browser`)"
        if os.environ.get("CROSSWALK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CROSSWALK_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def new_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., tuple[Any, PageLog]]]:
    """Open pages in fresh contexts (separate cookie jars); everything not for the live server is aborted."""
    contexts: list[Any] = []
    allowed = live_server.url + "/"

    def make(**options: Any) -> tuple[Any, PageLog]:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                      locale="en-GB", timezone_id="Europe/London", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        log = PageLog()

        def gate(route: Any) -> None:
            target = route.request.url
            if target.startswith(allowed) or target == live_server.url:
                route.continue_()
            else:
                log.blocked.append(target)
                route.abort()

        context.route("**/*", gate)
        page = context.new_page()
        page.on("console", lambda msg: log.console_errors.append(f"console {msg.type}: {msg.text} ({msg.location})")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: log.page_errors.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: log.bad_responses.append(f"request failed: {req.url} {req.failure}")
                if req.url.startswith(allowed) else None)
        page.on("response", lambda resp: log.bad_responses.append(f"HTTP {resp.status}: {resp.request.method} {resp.url}")
                if resp.status >= 400 else None)
        return page, log

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


def review_items(settings: Settings, run_id: str) -> dict[str, Any]:
    """The run's review items by target."""
    from agent.store.review import items_of_run

    with open_session(settings) as session:
        return {item.target: item for item in items_of_run(session, run_id)}
