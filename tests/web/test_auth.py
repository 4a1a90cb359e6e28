"""Signing in and out: passwords, sessions and their expiry, the rate limit, redirects."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select

from agent.audit import list_events
from agent.settings import Settings
from agent.store import AppUser, AuditEvent, SignInAttempt, WebSession, open_session
from agent.store import users as user_store
from agent.store.users import UserError, authenticate, create_user, token_digest
from review_ui.app import create_app
from tests.web.conftest import BASE_URL, PASSWORD, MakeUser, csrf_of, sign_in

GENERIC_FAILURE = "Unknown user name or wrong password."


def post_sign_in(client: TestClient, username: str, password: str, next_path: str = "") -> object:
    token = csrf_of(client, "/sign-in")
    return client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token, "next": next_path},
                       follow_redirects=False)


def is_signed_in(client: TestClient) -> bool:
    """The sign-in page sends a signed-in person straight on; others get the form."""
    response = client.get("/sign-in", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 303


def stored_sessions(settings: Settings) -> list[WebSession]:
    with open_session(settings) as session:
        return list(session.exec(select(WebSession)).all())


def set_session_times(settings: Settings, **values: str) -> None:
    with open_session(settings) as session:
        session.execute(update(WebSession).values(**values))
        session.commit()


def ago(**delta: float) -> str:
    return user_store.timestamp(datetime.now(timezone.utc) - timedelta(**delta))


def test_home_redirects_to_the_queue_and_health_needs_no_sign_in(client: TestClient) -> None:
    home = client.get("/", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/queue")
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


def test_sign_in_starts_a_session_and_goes_to_the_queue(client: TestClient, users: dict[str, AppUser],
                                                       web_settings: Settings) -> None:
    response = post_sign_in(client, "sue", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    token = client.cookies["crosswalk_session"]
    rows = stored_sessions(web_settings)
    assert [r.username for r in rows] == ["sue"]
    assert rows[0].id == token_digest(token) and rows[0].id != token  # only the hash is stored
    assert is_signed_in(client)


def test_the_session_cookie_is_httponly_secure_lax_and_site_wide(client: TestClient, users: dict[str, AppUser]) -> None:
    response = post_sign_in(client, "sue", PASSWORD)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("crosswalk_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags


def test_the_secure_flag_follows_the_setting(web_settings: Settings, users: dict[str, AppUser]) -> None:
    relaxed = web_settings.model_copy(update={"web_cookie_secure": False})
    with TestClient(create_app(relaxed), base_url=BASE_URL) as browser:
        response = post_sign_in(browser, "sue", PASSWORD)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("crosswalk_session="))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


@pytest.mark.parametrize(("username", "password"), [("sue", "wrong password 123"), ("nobody", PASSWORD),
                                                    ("sue", ""), ("Robert'); DROP TABLE app_user;--", PASSWORD)])
def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client: TestClient, users: dict[str, AppUser],
                                                                 username: str, password: str) -> None:
    response = post_sign_in(client, username, password)
    if password:
        assert response.status_code == 401
        assert GENERIC_FAILURE in response.text
    else:
        assert response.status_code == 400 and "password" in response.text  # an empty field is an incomplete form
    assert "crosswalk_session" not in client.cookies
    assert not is_signed_in(client)


def test_failed_and_successful_sign_ins_are_audited_without_the_password(client: TestClient, users: dict[str, AppUser],
                                                                        web_settings: Settings) -> None:
    post_sign_in(client, "sue", "wrong password 123")
    sign_in(client, "sue")
    with open_session(web_settings) as session:
        events = [e for e in list_events(session) if e.action.startswith("sign_")]
    assert [(e.action, e.actor, e.subject, e.outputs["outcome"]) for e in events] == [
        ("sign_in_failed", "sue", "user:sue", "failed"), ("sign_in", "sue", "user:sue", "success")]
    dumped = json.dumps([e.model_dump() for e in events])
    assert "wrong password" not in dumped and PASSWORD not in dumped


def test_sign_out_ends_the_session_on_the_server(client: TestClient, users: dict[str, AppUser], web_settings: Settings) -> None:
    sign_in(client, "sue")
    token = client.cookies["crosswalk_session"]
    page = client.get("/sign-in", follow_redirects=True)  # lands on a signed-in page with the sign-out form
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/sign-in?signed_out=1")
    assert stored_sessions(web_settings) == []
    with open_session(web_settings) as session:
        assert [e.action for e in list_events(session)][-1] == "sign_out"
    # A copy of the old cookie is worthless now.
    with TestClient(create_app(web_settings), base_url=BASE_URL, cookies={"crosswalk_session": token}) as thief:
        assert not is_signed_in(thief)
    assert "You have signed out." in client.get("/sign-in?signed_out=1").text


def test_signing_in_again_replaces_the_session_id(client: TestClient, users: dict[str, AppUser],
                                                  web_settings: Settings) -> None:
    sign_in(client, "sue")
    first = client.cookies["crosswalk_session"]
    # Sign in again (as another person) while holding the first id, as a fixated id would be held.
    response = client.post("/sign-in", data={"username": "sid", "password": PASSWORD, "next": "",
                                             "csrf_token": stored_sessions(web_settings)[0].csrf_token},
                           follow_redirects=False)
    assert response.status_code == 303
    second = client.cookies["crosswalk_session"]
    assert second != first
    assert [r.id for r in stored_sessions(web_settings)] == [token_digest(second)]


def test_a_session_id_planted_before_sign_in_is_not_adopted(client: TestClient, users: dict[str, AppUser],
                                                           web_settings: Settings) -> None:
    client.cookies.set("crosswalk_session", "planted-by-an-attacker", domain="testserver.local")
    sign_in(client, "sue")
    assert client.cookies["crosswalk_session"] != "planted-by-an-attacker"
    assert stored_sessions(web_settings)[0].id != token_digest("planted-by-an-attacker")


def test_an_idle_session_expires(client: TestClient, users: dict[str, AppUser], web_settings: Settings) -> None:
    sign_in(client, "sue")
    set_session_times(web_settings, last_seen=ago(minutes=web_settings.web_session_idle_minutes - 1))
    assert is_signed_in(client)
    set_session_times(web_settings, last_seen=ago(minutes=web_settings.web_session_idle_minutes + 1))
    assert not is_signed_in(client)
    assert stored_sessions(web_settings) == []  # deleted, not just ignored


def test_a_session_ends_at_its_absolute_expiry_however_active(client: TestClient, users: dict[str, AppUser],
                                                             web_settings: Settings) -> None:
    sign_in(client, "sue")
    row = stored_sessions(web_settings)[0]
    started = datetime.fromisoformat(row.created_at.replace("Z", "+00:00"))
    ends = datetime.fromisoformat(row.expires_at.replace("Z", "+00:00"))
    assert ends - started == timedelta(hours=web_settings.web_session_max_hours)
    set_session_times(web_settings, expires_at=ago(seconds=1))  # last_seen stays fresh
    assert not is_signed_in(client)


def test_activity_keeps_an_idle_session_alive(client: TestClient, users: dict[str, AppUser], web_settings: Settings) -> None:
    sign_in(client, "sue")
    set_session_times(web_settings, last_seen=ago(minutes=web_settings.web_session_idle_minutes - 1))
    assert is_signed_in(client)  # this request moves last_seen on
    seen = datetime.fromisoformat(stored_sessions(web_settings)[0].last_seen.replace("Z", "+00:00"))
    assert datetime.now(timezone.utc) - seen < timedelta(minutes=1)


def test_a_page_without_a_session_redirects_to_sign_in_and_back(client: TestClient, users: dict[str, AppUser]) -> None:
    response = client.get("/admin/users?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=" + quote("/admin/users?x=1", safe="")
    form = client.get(response.headers["location"])
    assert 'name="next" value="/admin/users?x=1"' in form.text
    signed = post_sign_in(client, "ada", PASSWORD, next_path="/admin/users?x=1")
    assert signed.headers["location"] == "/admin/users?x=1"


def test_a_post_without_a_session_gets_a_401_page(client: TestClient, users: dict[str, AppUser]) -> None:
    token = csrf_of(client, "/sign-in")  # a valid pre-session token, so CSRF passes and sign-in is what is missing
    response = client.post("/admin/users", data={"csrf_token": token, "username": "x1", "password": "p" * 12, "role": "staff"},
                           follow_redirects=False)
    assert response.status_code == 401
    assert "Please sign in" in response.text and 'href="/sign-in"' in response.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                                    "evil.example", "/queue\r\nSet-Cookie: x=1"])
def test_next_must_be_a_local_path(client: TestClient, users: dict[str, AppUser], target: str) -> None:
    form = client.get("/sign-in", params={"next": target})
    assert 'name="next" value=""' in form.text
    response = post_sign_in(client, "sue", PASSWORD, next_path=target)
    assert response.status_code == 303 and response.headers["location"] == "/queue"


def test_an_already_signed_in_person_skips_the_form_but_not_to_another_site(client: TestClient,
                                                                           users: dict[str, AppUser]) -> None:
    sign_in(client, "sue")
    assert client.get("/sign-in?next=/runs", follow_redirects=False).headers["location"] == "/runs"
    assert client.get("/sign-in?next=//evil.example", follow_redirects=False).headers["location"] == "/queue"


def test_sign_in_is_rate_limited_per_user_and_address(client: TestClient, users: dict[str, AppUser],
                                                      web_settings: Settings) -> None:
    for _ in range(web_settings.web_sign_in_max_failures):
        assert post_sign_in(client, "sue", "wrong password 123").status_code == 401
    refused = post_sign_in(client, "sue", PASSWORD)  # even the right password, while the limit holds
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts. Try again after" in refused.text
    window_s = web_settings.web_sign_in_window_minutes * 60
    assert window_s - 60 < int(refused.headers["retry-after"]) <= window_s + 1
    assert 'href="/sign-in"' in refused.text
    assert "crosswalk_session" not in client.cookies
    # Another name from the same address, and the same name from another address, may still try.
    sign_in(client, "sid")
    with TestClient(create_app(web_settings), base_url=BASE_URL, client=("203.0.113.9", 1234)) as elsewhere:
        sign_in(elsewhere, "sue")


def test_the_rate_limit_lifts_when_the_failures_leave_the_window(client: TestClient, users: dict[str, AppUser],
                                                                 web_settings: Settings) -> None:
    for _ in range(web_settings.web_sign_in_max_failures):
        post_sign_in(client, "sue", "wrong password 123")
    assert post_sign_in(client, "sue", PASSWORD).status_code == 429
    with open_session(web_settings) as session:
        session.execute(update(SignInAttempt).values(time=ago(minutes=web_settings.web_sign_in_window_minutes + 1)))
        session.commit()
    assert post_sign_in(client, "sue", PASSWORD).status_code == 303


def test_a_success_resets_the_failure_count(client: TestClient, users: dict[str, AppUser], web_settings: Settings) -> None:
    for _ in range(web_settings.web_sign_in_max_failures - 1):
        post_sign_in(client, "sue", "wrong password 123")
    sign_in(client, "sue")
    client.cookies.delete("crosswalk_session")
    for _ in range(web_settings.web_sign_in_max_failures - 1):
        assert post_sign_in(client, "sue", "wrong password 123").status_code == 401
    assert post_sign_in(client, "sue", PASSWORD).status_code == 303


def test_one_address_trying_many_names_is_limited_too(client: TestClient, users: dict[str, AppUser],
                                                      web_settings: Settings) -> None:
    limit = web_settings.web_sign_in_max_failures * user_store.PER_ADDRESS_FACTOR
    for n in range(limit):
        post_sign_in(client, f"guess{n}", "wrong password 123")
    assert post_sign_in(client, "sue", PASSWORD).status_code == 429


def test_a_disabled_user_cannot_sign_in(client: TestClient, users: dict[str, AppUser], web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        user_store.disable_user(session, "sue")
    response = post_sign_in(client, "sue", PASSWORD)
    assert response.status_code == 401 and GENERIC_FAILURE in response.text


def test_passwords_are_stored_as_argon2id_hashes(users: dict[str, AppUser], web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        stored = session.get(AppUser, "sue")
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert PasswordHasher().verify(stored.password_hash, PASSWORD)


def test_an_old_hash_is_upgraded_at_sign_in(web_settings: Settings, make_user: MakeUser) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
    make_user("sue", "supervisor")
    with open_session(web_settings) as session:
        user = session.get(AppUser, "sue")
        assert user is not None
        user.password_hash = weak.hash(PASSWORD)
        session.add(user)
        session.commit()
        old = user.password_hash
        assert authenticate(session, "sue", PASSWORD) is not None
        session.refresh(user)
    assert user.password_hash != old and "m=256," not in user.password_hash
    assert not user_store.HASHER.check_needs_rehash(user.password_hash)


@pytest.mark.parametrize(("username", "password", "role", "phrase"), [
    ("Sue", PASSWORD, "staff", "is not allowed"),
    ("s", PASSWORD, "staff", "is not allowed"),
    ("sue smith", PASSWORD, "staff", "is not allowed"),
    ("sue", "short pass", "staff", "at least 12 characters"),
    ("sue", PASSWORD, "boss", "unknown role"),
])
def test_create_user_refuses_bad_input_with_a_reason(web_settings: Settings, username: str, password: str, role: str,
                                                     phrase: str) -> None:
    with open_session(web_settings) as session, pytest.raises(UserError, match=phrase):
        create_user(session, username, password, role, created_by="test")


def test_create_user_refuses_a_taken_name(web_settings: Settings, make_user: MakeUser) -> None:
    make_user("sue", "staff")
    with open_session(web_settings) as session, pytest.raises(UserError, match="exists already"):
        create_user(session, "sue", PASSWORD, "admin", created_by="test")


def test_the_audit_log_never_holds_password_material(client: TestClient, users: dict[str, AppUser],
                                                     web_settings: Settings) -> None:
    sign_in(client, "ada")
    client.post("/admin/users", data={"csrf_token": csrf_of(client, "/admin/users"), "username": "newbie",
                                      "password": "a brand new secret 42", "role": "staff"})
    with open_session(web_settings) as session:
        events = list(session.exec(select(AuditEvent)).all())
        hashes = [u.password_hash for u in session.exec(select(AppUser)).all()]
    dumped = json.dumps([e.model_dump() for e in events])
    assert "user_created" in dumped
    assert "a brand new secret 42" not in dumped and PASSWORD not in dumped
    assert not any(h in dumped for h in hashes)

