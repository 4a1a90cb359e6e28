"""A one-command Typer app bound to test settings, for invoking a command module without the full CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from agent.settings import Settings


def command_app(name: str, command: Callable[..., Any], settings: Settings) -> typer.Typer:
    app = typer.Typer()
    app.command(name)(command)
    app.command("noop")(lambda: None)  # a second command keeps Typer from collapsing the app into the bare command

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = settings

    return app
