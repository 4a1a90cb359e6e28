"""``crosswalk users ...``: accounts of the review web app, from the command line.

A sub-app of the console script, kept out of ``agent/cli.py`` for size. The first admin
is made here (``crosswalk users add NAME --role admin``); after that admins can also
manage users on the web app's Users page. Every change is written to the audit log.
"""

from __future__ import annotations

import sys
from enum import Enum

import typer

from agent.console.command_context import command_settings
from agent.console.failures import exit_on_user_error, fail

users_app = typer.Typer(help="Accounts of the review web app: add, list, disable, enable, change role or password.",
                        no_args_is_help=True)


class RoleChoice(str, Enum):
    staff = "staff"
    supervisor = "supervisor"
    auditor = "auditor"
    admin = "admin"


_settings = command_settings


def _read_password(from_stdin: bool) -> str:
    """From standard input (first line, for scripts) or a hidden prompt typed twice."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            fail("--password-stdin: standard input gave no password")
        return password
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        fail("the two passwords differ; nothing was changed")
    return str(first)


@users_app.command("add")
@exit_on_user_error
def users_add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="2 to 40 characters: a-z, 0-9, '.', '_' or '-'."),
    role: RoleChoice = typer.Option(..., "--role", help="staff (start runs, propose edits), supervisor (decide), "
                                                        "auditor (read only) or admin (manage users)."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of standard input (for scripts)."),
) -> None:
    """Add a user of the review web app. The password (12+ characters) is asked for twice, hidden."""
    from agent.audit import record_event
    from agent.store import open_session
    from agent.store.users import check_role, check_username, create_user

    check_username(username)
    check_role(role.value)
    password = _read_password(password_stdin)
    settings = _settings(ctx)
    actor = settings.actor()
    with open_session(settings) as session:
        user = create_user(session, username, password, role.value, created_by=actor)
        record_event(session, actor, "user_created", f"user:{user.username}", {"role": user.role, "via": "cli"}, {"active": True})
    typer.echo(f"added {user.username} ({user.role})")


@users_app.command("list")
@exit_on_user_error
def users_list(ctx: typer.Context) -> None:
    """List the users: name, role, active or disabled, when and by whom added."""
    from agent.store import open_session
    from agent.store.users import list_users

    with open_session(_settings(ctx)) as session:
        accounts = list_users(session)
    for user in accounts:
        state = "active" if user.active else "disabled"
        typer.echo(f"{user.username:<20} {user.role:<11} {state:<9} added {user.created_at} by {user.created_by}")
    typer.echo(f"{len(accounts)} user(s)")


@users_app.command("disable")
@exit_on_user_error
def users_disable(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user to disable."),
) -> None:
    """Disable a user: they can no longer sign in, and their open sessions end now."""
    from agent.audit import record_event
    from agent.store import open_session
    from agent.store.users import disable_user

    settings = _settings(ctx)
    with open_session(settings) as session:
        user = disable_user(session, username)
        record_event(session, settings.actor(), "user_disabled", f"user:{user.username}", {"via": "cli"}, {"active": False})
    typer.echo(f"disabled {user.username}")


@users_app.command("set-role")
@exit_on_user_error
def users_set_role(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user whose role changes."),
    role: RoleChoice = typer.Argument(..., help="The new role: staff, supervisor, auditor or admin."),
) -> None:
    """Change a user's role; it takes effect on their next request."""
    from agent.audit import record_event
    from agent.store import open_session
    from agent.store.users import get_user, set_role

    settings = _settings(ctx)
    with open_session(settings) as session:
        before = get_user(session, username).role
        user = set_role(session, username, role.value)
        record_event(session, settings.actor(), "user_role_changed", f"user:{user.username}",
                     {"from": before, "to": user.role, "via": "cli"}, {})
    typer.echo(f"{user.username} is now {user.role} (was {before})")


@users_app.command("enable")
@exit_on_user_error
def users_enable(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The disabled user to let in again."),
) -> None:
    """Enable a disabled user: they can sign in again with their password."""
    from agent.audit import record_event
    from agent.store import open_session
    from agent.store.users import enable_user

    settings = _settings(ctx)
    with open_session(settings) as session:
        user = enable_user(session, username)
        record_event(session, settings.actor(), "user_enabled", f"user:{user.username}", {"via": "cli"}, {"active": True})
    typer.echo(f"enabled {user.username}")


@users_app.command("set-password")
@exit_on_user_error
def users_set_password(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="The user whose password is replaced."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from the first line of standard input (for scripts)."),
) -> None:
    """Replace a user's password (asked for twice, hidden); their open sessions end."""
    from agent.audit import record_event
    from agent.store import open_session
    from agent.store.users import get_user, set_password

    settings = _settings(ctx)
    with open_session(settings) as session:
        get_user(session, username)  # an unknown name fails before the prompt
    password = _read_password(password_stdin)
    with open_session(settings) as session:
        user = set_password(session, username, password)
        record_event(session, settings.actor(), "user_password_set", f"user:{user.username}", {"via": "cli"}, {})
    typer.echo(f"password of {user.username} replaced; their sessions have ended")
