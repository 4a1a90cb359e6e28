"""What every ``crosswalk`` sub-command needs from its context: the settings and a stdout console."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from agent.settings import Settings

PIPED_WIDTH = 140


def command_settings(ctx: typer.Context, as_user: str | None = None) -> Settings:
    """The settings the global callback built (fresh ones when a command runs alone); ``as_user`` names the actor."""
    found = ctx.find_root().obj
    settings = found if isinstance(found, Settings) else Settings()
    return settings.model_copy(update={"user": as_user}) if as_user else settings


def stdout_console() -> Console:
    """The stdout console, built per call so it follows whatever sys.stdout is now (tests swap it).

    Plain lines are never broken (soft_wrap). Piped output (logs, files) gets a fixed
    wide layout instead of rich's 80 columns, unless COLUMNS says otherwise.
    """
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, soft_wrap=True, width=PIPED_WIDTH if piped else None)
