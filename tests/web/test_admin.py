"""The admin Users page: only admins, every change audited, no way to lock everyone out."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from agent.audit import list_events
from agent.settings import Settings
from agent.store import AppUser, open_session
from agent.store.users import UserError, authenticate, disable_user, set_role
from tests.web.conftest import PASSWORD, csrf_of

ClientAs = Callable[..., TestClient]
NEW_PASSWORD = "a fresh password 77"


def stored(settings: Settings, username: str) -> AppUser | None:
    with open_session(settings) as session:
        return session.get(AppUser, username)


def admin_events(settings: Settings) -> list[tuple[str, str, str]]:
    with open_session(settings) as session:
        return [(e.actor, e.action, e.subject) for e in list_events(session) if e.action.startswith("user_")]


def post_form(browser: TestClient, path: str, data: dict[str, str]) -> object:
    token = csrf_of(browser, "/admin/users")
    return browser.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def is_signed_in(browser: TestClient) -> bool:
    return browser.get("/sign-in", follow_redirects=False).status_code == 303


def test_the_users_page_lists_everyone_with_role_and_state(users: dict[str, AppUser], client_as: ClientAs,
                                                           web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        disable_user(session, "sid")
    page = client_as("ada").get("/admin/users")
    assert page.status_code == 200
    for name in ("sam", "sue", "sid", "avery", "ada"):
        assert f'<span class="mono">{name}</span>' in page.text
    assert "integration staff" in page.text and "auditor" in page.text
    assert page.text.count('class="badge badge-rejected">disabled') == 1
    assert 'href="/admin/users"' in page.text and 'aria-current="page"' in page.text


@pytest.mark.parametrize("who", ["sam", "sue", "avery"])
def test_only_admins_may_use_any_admin_route(users: dict[str, AppUser], client_as: ClientAs, web_settings: Settings,
                                             who: str) -> None:
    browser = client_as(who)
    page = browser.get("/admin/users")
    assert page.status_code == 403
    assert "cannot manage users" in page.text
    assert 'href="/admin/users"' not in page.text  # the nav hides it too (as a courtesy)
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]  # the sign-out form's token
    attempts = [("/admin/users", {"username": "mallory", "password": NEW_PASSWORD, "role": "admin"}),
                ("/admin/users/ada/role", {"role": "staff"}), ("/admin/users/ada/disable", {}),
                (f"/admin/users/{who}/role", {"role": "admin"})]
    for path, data in attempts:
        response = browser.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, path
    assert stored(web_settings, "mallory") is None
    ada, me = stored(web_settings, "ada"), stored(web_settings, who)
    assert ada is not None and (ada.role, ada.active) == ("admin", True)
    assert me is not None and me.role != "admin"
    assert admin_events(web_settings) == []


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, users: dict[str, AppUser]) -> None:
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")


def test_an_admin_adds_a_user_who_can_then_sign_in(users: dict[str, AppUser], client_as: ClientAs,
                                                    web_settings: Settings) -> None:
    ada = client_as("ada")
    response = post_form(ada, "/admin/users", {"username": "Nina.K", "password": NEW_PASSWORD, "role": "supervisor"})
    assert response.status_code == 303 and response.headers["location"] == "/admin/users"
    assert "User nina.k added as supervisor." in ada.get("/admin/users").text  # flash, shown once
    assert "added as supervisor" not in ada.get("/admin/users").text
    created = stored(web_settings, "nina.k")
    assert created is not None and (created.role, created.active, created.created_by) == ("supervisor", True, "ada")
    assert admin_events(web_settings) == [("ada", "user_created", "user:nina.k")]
    with open_session(web_settings) as session:
        event = [e for e in list_events(session) if e.action == "user_created"][0]
        assert authenticate(session, "nina.k", NEW_PASSWORD) is not None
    assert NEW_PASSWORD not in json.dumps(event.model_dump()) and "argon2" not in json.dumps(event.model_dump())
    assert is_signed_in(client_as("nina.k", NEW_PASSWORD))  # type: ignore[call-arg]


@pytest.mark.parametrize(("data", "phrase"), [
    ({"username": "x", "password": NEW_PASSWORD, "role": "staff"}, "is not allowed"),
    ({"username": "nina", "password": "too short", "role": "staff"}, "at least 12 characters"),
    ({"username": "nina", "password": NEW_PASSWORD, "role": "overlord"}, "unknown role"),
    ({"username": "sue", "password": NEW_PASSWORD, "role": "staff"}, "exists already"),
])
def test_a_bad_new_user_comes_back_with_the_reason(users: dict[str, AppUser], client_as: ClientAs, web_settings: Settings,
                                                   data: dict[str, str], phrase: str) -> None:
    response = post_form(client_as("ada"), "/admin/users", data)
    assert response.status_code == 400
    assert phrase in response.text
    assert NEW_PASSWORD not in response.text  # the password is never echoed into the form
    assert admin_events(web_settings) == []
    assert stored(web_settings, "nina") is None and stored(web_settings, "x") is None


def test_a_role_change_is_audited_and_takes_effect_on_the_next_request(users: dict[str, AppUser], client_as: ClientAs,
                                                                       web_settings: Settings) -> None:
    ada, sam = client_as("ada"), client_as("sam")
    assert sam.get("/admin/users").status_code == 403
    response = post_form(ada, "/admin/users/sam/role", {"role": "admin"})
    assert response.status_code == 303
    assert sam.get("/admin/users").status_code == 200  # same session, new role
    assert admin_events(web_settings) == [("ada", "user_role_changed", "user:sam")]
    with open_session(web_settings) as session:
        event = [e for e in list_events(session) if e.action == "user_role_changed"][0]
    assert event.inputs == {"from": "staff", "to": "admin"}


def test_disabling_a_user_ends_their_sessions(users: dict[str, AppUser], client_as: ClientAs, web_settings: Settings) -> None:
    ada, sue = client_as("ada"), client_as("sue")
    assert is_signed_in(sue)
    response = post_form(ada, "/admin/users/sue/disable", {})
    assert response.status_code == 303
    assert not is_signed_in(sue)
    account = stored(web_settings, "sue")
    assert account is not None and account.active is False
    assert admin_events(web_settings) == [("ada", "user_disabled", "user:sue")]
    again = post_form(ada, "/admin/users/sue/disable", {})
    assert again.status_code == 400 and "disabled already" in again.text


def test_an_admin_enables_a_disabled_user_again(users: dict[str, AppUser], client_as: ClientAs,
                                                web_settings: Settings) -> None:
    ada = client_as("ada")
    post_form(ada, "/admin/users/sue/disable", {})
    page = ada.get("/admin/users").text
    assert 'action="/admin/users/sue/enable"' in page and 'action="/admin/users/sue/disable"' not in page
    response = post_form(ada, "/admin/users/sue/enable", {})
    assert response.status_code == 303
    account = stored(web_settings, "sue")
    assert account is not None and account.active is True
    assert admin_events(web_settings)[-1] == ("ada", "user_enabled", "user:sue")
    assert is_signed_in(client_as("sue"))
    refused = post_form(ada, "/admin/users/sue/enable", {})
    assert refused.status_code == 400 and "active already" in refused.text


def test_an_admin_cannot_disable_or_demote_themself(users: dict[str, AppUser], client_as: ClientAs,
                                                    web_settings: Settings) -> None:
    ada = client_as("ada")
    refused = post_form(ada, "/admin/users/ada/disable", {})
    assert refused.status_code == 400 and "cannot disable your own account" in refused.text
    demoted = post_form(ada, "/admin/users/ada/role", {"role": "staff"})
    assert demoted.status_code == 400 and "own admin role" in demoted.text
    account = stored(web_settings, "ada")
    assert account is not None and (account.role, account.active) == ("admin", True)
    assert admin_events(web_settings) == []


def test_unknown_users_and_roles_are_refused(users: dict[str, AppUser], client_as: ClientAs) -> None:
    ada = client_as("ada")
    assert "no user ghost" in post_form(ada, "/admin/users/ghost/disable", {}).text
    response = post_form(ada, "/admin/users/sue/role", {"role": "overlord"})
    assert response.status_code == 400 and "unknown role" in response.text


def test_the_last_active_admin_cannot_be_removed(users: dict[str, AppUser], web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        with pytest.raises(UserError, match="last active admin"):
            disable_user(session, "ada")
        with pytest.raises(UserError, match="last active admin"):
            set_role(session, "ada", "auditor")
        set_role(session, "sue", "admin")
        assert disable_user(session, "ada").active is False


def test_user_names_in_the_page_are_escaped(users: dict[str, AppUser], client_as: ClientAs) -> None:
    # Names are restricted to [a-z0-9._-], so the one way in for markup is the error text of a refused form.
    response = post_form(client_as("ada"), "/admin/users", {"username": "<b>x</b>", "password": PASSWORD, "role": "staff"})
    assert response.status_code == 400
    assert "<b>x</b>" not in response.text and "&lt;b&gt;x&lt;/b&gt;" in response.text


def test_the_store_and_the_web_app_know_the_same_roles() -> None:
    from agent.store.users import USER_ROLES
    from review_ui.roles import PERMISSION_LABELS, PERMISSIONS, ROLE_LABELS, ROLE_PERMISSIONS, ROLES

    assert USER_ROLES == ROLES == tuple(ROLE_PERMISSIONS) == tuple(ROLE_LABELS)
    assert set(PERMISSION_LABELS) == set(PERMISSIONS) >= set().union(*ROLE_PERMISSIONS.values())
