"""``crosswalk db ...``: set up the application database on a server (PostgreSQL for a team).

A sub-app of the console script, kept out of ``agent/cli.py`` for size. See docs/postgresql.md.
"""

from __future__ import annotations

import typer

from agent.console.command_context import command_settings
from agent.console.failures import exit_on_user_error

db_app = typer.Typer(help="The application database: create its tables, print the grants of the app's PostgreSQL role.",
                     no_args_is_help=True)


@db_app.command("init")
@exit_on_user_error
def db_init(ctx: typer.Context) -> None:
    """Create the tables, indexes and append-only triggers (run once as the tables' owner; safe to repeat)."""
    from sqlalchemy.engine import make_url

    from agent.store import get_engine

    settings = command_settings(ctx)
    engine = get_engine(settings)
    shown = make_url(settings.resolved_database_url()).render_as_string(hide_password=True)
    typer.echo(f"application database ready: {shown} ({engine.dialect.name})")


@db_app.command("grants")
@exit_on_user_error
def db_grants(
    role: str = typer.Option(..., "--role", help="The PostgreSQL role the application connects as (not the tables' owner)."),
    schema: str = typer.Option("public", "--schema", help="The schema holding crosswalk's tables."),
) -> None:
    """Print the GRANT/REVOKE SQL for the app's PostgreSQL role (no UPDATE/DELETE on the audit log).

    SELECT, INSERT on every table; UPDATE, DELETE only where the code needs them (not the append-only tables).

    Nothing is run: pipe it to psql as the tables' owner, e.g. `crosswalk db grants --role crosswalk_app | psql`.
    """
    from agent.store.grants import grants_script

    typer.echo(grants_script(role, schema), nl=False)
