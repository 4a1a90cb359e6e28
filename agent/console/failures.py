"""One-line user errors: ``crosswalk: error: <message>`` on stderr and exit code 2.

A user error (bad path, invalid mapping, refused schema, unusable data dir) is
something the person at the terminal can fix, so it gets one readable line and no
traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError

from tools.errors import CrosswalkError

P = ParamSpec("P")
R = TypeVar("R")

USER_ERROR_EXIT = 2


def fail(message: str, code: int = USER_ERROR_EXIT) -> NoReturn:
    """Print the one-line error and stop with ``code``."""
    typer.echo(f"crosswalk: error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def settings_error_message(exc: ValidationError) -> str:
    """A bad CROSSWALK_* value, named by its environment variable."""
    first = exc.errors()[0]
    name = "_".join(str(p) for p in first["loc"]).upper()
    return f"setting CROSSWALK_{name}: {first['msg']}"


def exit_on_user_error(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so CrosswalkError and OS errors end in one line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CrosswalkError as exc:
            fail(exc.one_line(), exc.exit_code)
        except OSError as exc:
            # Files the user named: unwritable output folder, full disk, permissions.
            where = f": {exc.filename}" if exc.filename else ""
            fail(f"{exc.strerror or exc}{where}")

    return wrapper
