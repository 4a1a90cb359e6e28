"""``crosswalk users ...`` and ``crosswalk serve``: accounts from the command line, and starting the app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from agent.audit import list_events
from agent.cli import app
from agent.settings import Settings
from agent.store import AppUser, open_session
from agent.store.users import authenticate

WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200", "CROSSWALK_USER": "root-admin"}
PASSWORD = "a long enough secret 1"


def run(data: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["--data-dir", str(data), *args], input=stdin, env=WIDE)


def account(data: Path, username: str) -> AppUser | None:
    with open_session(Settings(data_dir=data)) as session:
        return session.get(AppUser, username)


@pytest.mark.parametrize(("command", "phrase"), [
    (["users"], "Accounts of the review web app"),
    (["users", "add"], "Add a user of the review web app"),
    (["users", "list"], "List the users"),
    (["users", "disable"], "Disable a user"),
    (["users", "set-role"], "Change a user's role"),
    (["users", "enable"], "Enable a disabled user"),
    (["users", "set-password"], "Replace a user's password"),
    (["serve"], "Start the review web app"),
])
def test_every_command_has_help(command: list[str], phrase: str) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env=WIDE)
    assert result.exit_code == 0
    assert "Usage: crosswalk" in result.stdout and phrase in result.stdout


def test_serve_help_names_its_options() -> None:
    out = CliRunner().invoke(app, ["serve", "--help"], env=WIDE).stdout
    for option in ("--host", "--port", "--workers", "--allow-remote"):
        assert option in out


def test_users_add_with_password_stdin_then_list(tmp_path: Path) -> None:
    added = run(tmp_path, "users", "add", "ada", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert added.stdout == "added ada (admin)\n"
    user = account(tmp_path, "ada")
    assert user is not None and user.role == "admin" and user.created_by == "root-admin"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with open_session(Settings(data_dir=tmp_path)) as session:
        assert authenticate(session, "ada", PASSWORD) is not None
        events = [(e.actor, e.action, e.subject) for e in list_events(session)]
    assert events == [("root-admin", "user_created", "user:ada")]
    listed = run(tmp_path, "users", "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0].split()[:3] == ["ada", "admin", "active"]
    assert listed.stdout.splitlines()[-1] == "1 user(s)"


def test_users_add_asks_twice_hidden_and_refuses_a_mismatch(tmp_path: Path) -> None:
    ok = run(tmp_path, "users", "add", "sue", "--role", "supervisor", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert PASSWORD not in ok.output  # hidden input is not echoed
    differ = run(tmp_path, "users", "add", "sid", "--role", "supervisor", stdin=f"{PASSWORD}\nsomething else 123\n")
    assert differ.exit_code == 2
    assert differ.stderr == "crosswalk: error: the two passwords differ; nothing was changed\n"
    assert account(tmp_path, "sid") is None


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["users", "add", "Bad Name", "--role", "staff", "--password-stdin"], PASSWORD,
     "user name 'Bad Name' is not allowed: use 2 to 40 characters of a-z, 0-9, '.', '_' or '-'"),
    (["users", "add", "bob", "--role", "staff", "--password-stdin"], "short",
     "the password is too short: use at least 12 characters (a few words work well)"),
    (["users", "add", "bob", "--role", "staff", "--password-stdin"], "",
     "--password-stdin: standard input gave no password"),
    (["users", "disable", "ghost"], None, "no user ghost; `crosswalk users list` shows who exists"),
    (["users", "set-role", "ghost", "staff"], None, "no user ghost; `crosswalk users list` shows who exists"),
])
def test_user_errors_are_one_line(tmp_path: Path, args: list[str], stdin: str | None, message: str) -> None:
    result = run(tmp_path, *args, stdin=None if stdin is None else stdin + "\n")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"crosswalk: error: {message}\n"


def test_an_unknown_role_is_refused_by_the_option(tmp_path: Path) -> None:
    result = run(tmp_path, "users", "add", "bob", "--role", "boss", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.exit_code == 2 and "boss" in result.stderr
    assert account(tmp_path, "bob") is None


def test_set_role_and_disable(tmp_path: Path) -> None:
    for name, role in (("ada", "admin"), ("sam", "staff")):
        assert run(tmp_path, "users", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    changed = run(tmp_path, "users", "set-role", "sam", "supervisor")
    assert changed.exit_code == 0 and changed.stdout == "sam is now supervisor (was staff)\n"
    disabled = run(tmp_path, "users", "disable", "sam")
    assert disabled.exit_code == 0 and disabled.stdout == "disabled sam\n"
    user = account(tmp_path, "sam")
    assert user is not None and (user.role, user.active) == ("supervisor", False)
    last_admin = run(tmp_path, "users", "disable", "ada")
    assert last_admin.exit_code == 2 and "last active admin" in last_admin.stderr
    with open_session(Settings(data_dir=tmp_path)) as session:
        actions = [e.action for e in list_events(session)]
    assert actions == ["user_created", "user_created", "user_role_changed", "user_disabled"]
    enabled = run(tmp_path, "users", "enable", "sam")
    assert enabled.exit_code == 0 and enabled.stdout == "enabled sam\n"
    again = run(tmp_path, "users", "enable", "sam")
    assert again.exit_code == 2 and again.stderr == "crosswalk: error: sam is active already\n"


def test_set_password_replaces_it_and_ends_sessions(tmp_path: Path) -> None:
    from agent.store.users import open_web_session, stored_session_count

    assert run(tmp_path, "users", "add", "sam", "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n").exit_code == 0
    settings = Settings(data_dir=tmp_path)
    with open_session(settings) as session:
        open_web_session(session, "sam", max_hours=1)
    new = "an entirely new secret 5"
    result = run(tmp_path, "users", "set-password", "sam", stdin=f"{new}\n{new}\n")
    assert result.exit_code == 0, result.output
    with open_session(settings) as session:
        assert authenticate(session, "sam", new) is not None
        assert authenticate(session, "sam", PASSWORD) is None
        assert stored_session_count(session, "sam") == 0
        assert [e.action for e in list_events(session)][-1] == "user_password_set"
    unknown = run(tmp_path, "users", "set-password", "ghost", "--password-stdin", stdin=new + "\n")
    assert unknown.exit_code == 2 and "no user ghost" in unknown.stderr


@pytest.fixture()
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app_, **kwargs: calls.append({"app": app_, **kwargs}))
    return calls


def test_serve_binds_loopback_by_default(tmp_path: Path, uvicorn_calls: list[dict[str, Any]]) -> None:
    result = run(tmp_path, "serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert [(c["host"], c["port"]) for c in uvicorn_calls] == [("127.0.0.1", 8123)]
    assert uvicorn_calls[0]["app"].state.settings.data_dir == tmp_path
    assert (tmp_path / "crosswalk.db").exists()


def test_serve_with_workers_hands_uvicorn_the_app_factory_and_the_data_dir(
    tmp_path: Path, uvicorn_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # set (and so restored after the test), since serve writes the data dir into the environment
    monkeypatch.setenv("CROSSWALK_DATA_DIR", str(tmp_path / "elsewhere"))
    result = run(tmp_path, "serve", "--workers", "3")
    assert result.exit_code == 0, result.output
    assert "3 worker processes" in result.stdout
    [call] = uvicorn_calls
    # Worker processes import the app themselves, so they need a factory path and the data dir in the environment.
    assert (call["app"], call["factory"], call["workers"]) == ("review_ui.app:create_app", True, 3)
    assert os.environ["CROSSWALK_DATA_DIR"] == str(tmp_path)
    one = run(tmp_path, "serve")
    assert one.exit_code == 0 and "1 worker process)" in one.stdout and "workers" not in uvicorn_calls[1]


def test_serve_refuses_a_remote_address_without_allow_remote(tmp_path: Path, uvicorn_calls: list[dict[str, Any]]) -> None:
    refused = run(tmp_path, "serve", "--host", "0.0.0.0")
    assert refused.exit_code == 2 and "refusing to listen on 0.0.0.0" in refused.stderr
    assert uvicorn_calls == []
    allowed = run(tmp_path, "serve", "--host", "0.0.0.0", "--allow-remote")
    assert allowed.exit_code == 0
    assert "behind TLS" in allowed.stderr
    assert [c["host"] for c in uvicorn_calls] == ["0.0.0.0"]
