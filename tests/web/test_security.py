"""Security of the whole app: CSRF on every unsafe route, headers, escaping, error pages, size limit."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from agent.settings import Settings
from agent.store import AppUser
from agent.store.review import FourEyesError, ReviewConflict
from review_ui.app import ROUTE_MODULES, create_app
from review_ui.security import CONTENT_SECURITY_POLICY, is_local_path
from tests.web.conftest import BASE_URL, csrf_of
from tools.errors import CrosswalkError, StoreError

TEMPLATES = Path(__file__).resolve().parents[2] / "review_ui" / "templates"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "The form expired or did not come from this site; reload and try again."
ClientAs = Callable[[str], TestClient]


def unsafe_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, concrete path) of every unsafe route; path parameters get a placeholder value."""
    found = []
    for method, path in served_routes(app):
        if method in UNSAFE:
            found.append((method, re.sub(r"\{[^}]+\}", "placeholder0001", path)))
    return found


def served_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every API route, through included routers (FastAPI keeps those nested)."""
    return sorted((method, ctx.path) for ctx in iter_route_contexts(app.routes)
                  if isinstance(ctx.original_route, APIRoute) and ctx.path for method in (ctx.methods or ()))


def test_every_route_module_is_served(web_settings: Settings) -> None:
    app = create_app(web_settings)
    served = set(served_routes(app))
    assert {("GET", "/sign-in"), ("POST", "/sign-out"), ("GET", "/admin/users"), ("GET", "/healthz")} <= served
    for name in ROUTE_MODULES:
        router = importlib.import_module(f"review_ui.routes.{name}").router
        own = {(method, ctx.path) for ctx in iter_route_contexts(router.routes) for method in (ctx.methods or ())}
        assert own and own <= served, name


def test_the_app_has_unsafe_routes_to_check(web_settings: Settings) -> None:
    routes = unsafe_routes(create_app(web_settings))
    assert ("POST", "/sign-in") in routes and ("POST", "/admin/users") in routes


@pytest.mark.parametrize("signed_in_as", [None, "ada", "sue"])
def test_every_unsafe_route_refuses_a_missing_or_wrong_csrf_token(web_settings: Settings, users: dict[str, AppUser],
                                                                  client_as: ClientAs, signed_in_as: str | None) -> None:
    browser = client_as(signed_in_as) if signed_in_as else TestClient(create_app(web_settings), base_url=BASE_URL)
    if signed_in_as is None:
        csrf_of(browser, "/sign-in")  # holds a pre-session cookie, as a real visitor would
    routes = unsafe_routes(browser.app)  # type: ignore[arg-type]
    for method, path in routes:
        for data in ({}, {"csrf_token": "forged-token"}, {"csrf_token": ""}):
            response = browser.request(method, path, data=data, follow_redirects=False)
            assert response.status_code == 403, (method, path, data, response.status_code)
            assert CSRF_MESSAGE in response.text, (method, path)
        wrong_header = browser.request(method, path, headers={"X-CSRF-Token": "forged-token"}, follow_redirects=False)
        assert wrong_header.status_code == 403, (method, path)


def test_the_token_of_one_session_does_not_work_for_another(users: dict[str, AppUser], client_as: ClientAs) -> None:
    ada, sue = client_as("ada"), client_as("sue")
    ada_token = csrf_of(ada, "/admin/users")
    response = sue.post("/sign-out", data={"csrf_token": ada_token}, follow_redirects=False)
    assert response.status_code == 403
    assert ada.post("/sign-out", data={"csrf_token": ada_token}, follow_redirects=False).status_code == 303


def test_the_csrf_header_is_accepted_instead_of_the_form_field(users: dict[str, AppUser], client_as: ClientAs) -> None:
    ada = client_as("ada")
    token = csrf_of(ada, "/admin/users")
    response = ada.post("/sign-out", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_sign_in_without_the_pre_session_cookie_is_refused(web_settings: Settings, users: dict[str, AppUser]) -> None:
    with TestClient(create_app(web_settings), base_url=BASE_URL) as attacker_page:
        token = csrf_of(attacker_page, "/sign-in")
    with TestClient(create_app(web_settings), base_url=BASE_URL) as victim:  # has no cookie: the post is cross-site
        response = victim.post("/sign-in", data={"username": "sue", "password": "correct horse battery 9", "csrf_token": token})
    assert response.status_code == 403 and "crosswalk_session" not in victim.cookies


@pytest.mark.parametrize("path", ["/sign-in", "/does-not-exist", "/static/app.css", "/healthz", "/admin/users"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_html_is_not_cached_and_hsts_is_only_sent_over_https(web_settings: Settings) -> None:
    with TestClient(create_app(web_settings), base_url="http://testserver") as plain:
        page = plain.get("/sign-in")
        css = plain.get("/static/app.css")
    assert page.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in page.headers
    assert css.status_code == 200 and css.headers.get("cache-control") != "no-store"


def test_templates_have_no_inline_script_style_or_unescaped_output() -> None:
    problems = []
    checks = {
        "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
        "<style> element": re.compile(r"<style\b", re.I),
        "style= attribute": re.compile(r"\sstyle\s*=", re.I),
        "on...= handler": re.compile(r"\son[a-z]+\s*=", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
        "|safe": re.compile(r"\|\s*safe\b"),
        "autoescape off": re.compile(r"autoescape\s+false", re.I),
    }
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) >= 7
    for template in templates:
        text = template.read_text(encoding="utf-8")
        problems += [f"{template.relative_to(TEMPLATES)}: {what}" for what, pattern in checks.items() if pattern.search(text)]
    assert problems == []


def test_every_post_form_in_the_templates_carries_the_csrf_partial() -> None:
    missing = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for form in re.finditer(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.I | re.S):
            if '_partials/csrf.html' not in form.group(1):
                missing.append(f"{template.relative_to(TEMPLATES)}: {form.group(0)[:60]}")
    assert missing == []


@pytest.mark.parametrize(("target", "local"), [
    ("/queue", True), ("/items/abc?x=1", True), ("/", True), ("", False), (None, False), ("//evil.example", False),
    ("/\\evil.example", False), ("https://evil.example", False), ("queue", False), ("/a\nb", False),
])
def test_is_local_path(target: str | None, local: bool) -> None:
    assert is_local_path(target) is local


def failing_app(settings: Settings, error: Exception) -> FastAPI:
    app = create_app(settings)

    def boom() -> None:
        raise error

    app.add_api_route("/test-boom", boom, methods=["GET"])
    return app


@pytest.mark.parametrize(("error", "status", "phrase"), [
    (CrosswalkError("the source <script>alert(1)</script> is gone"), 400, "the source &lt;script&gt;alert(1)&lt;/script&gt; is gone"),
    (StoreError("application database error: disk full"), 400, "application database error: disk full"),
    (ReviewConflict("review item abc changed since you saw it"), 409, "review item abc changed since you saw it"),
    (FourEyesError("sue proposed or edited review item abc; another person must approve it"), 403, "another person must approve"),
])
def test_job_errors_become_pages_with_their_message(web_settings: Settings, error: Exception, status: int,
                                                    phrase: str) -> None:
    with TestClient(failing_app(web_settings, error), base_url=BASE_URL) as browser:
        response = browser.get("/test-boom")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert phrase in response.text and "<script>alert(1)" not in response.text
    assert 'href="/queue"' in response.text


def test_an_unexpected_error_shows_no_stack_trace(web_settings: Settings) -> None:
    secret = RuntimeError("internal detail: /srv/secret/path line 42")
    with TestClient(failing_app(web_settings, secret), base_url=BASE_URL, raise_server_exceptions=False) as browser:
        response = browser.get("/test-boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text and "secret" not in response.text and "RuntimeError" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_an_unknown_path_gets_the_404_page(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Back to the review queue" in response.text


def test_a_body_over_the_limit_is_refused_before_it_is_read(web_settings: Settings) -> None:
    small = web_settings.model_copy(update={"web_upload_max_mb": 0.01})  # 10 kB
    with TestClient(create_app(small), base_url=BASE_URL) as browser:
        token = csrf_of(browser, "/sign-in")
        response = browser.post("/sign-in", data={"csrf_token": token, "username": "sue", "password": "x" * 20_000})
    assert response.status_code == 413
    assert "larger than the limit" in response.text


def test_a_bad_form_gets_a_400_page_that_names_the_field_not_the_value(client: TestClient) -> None:
    token = csrf_of(client, "/sign-in")
    response = client.post("/sign-in", data={"csrf_token": token, "password": "my secret value"})
    assert response.status_code == 400
    assert "username" in response.text and "my secret value" not in response.text
