"""A rich progress bar on stderr while ``crosswalk apply`` works through a long file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

LONG_FILE_BYTES = 1_000_000
"""Below this a run takes well under a second: a bar would only flicker."""

ProgressCallback = Callable[[int], None]
"""Called by the engine with the number of rows done so far."""


def _is_long(path: Path) -> bool:
    try:
        return path.stat().st_size >= LONG_FILE_BYTES
    except OSError:
        return False  # the job reports a missing file properly; no bar needed for that


@contextmanager
def apply_progress(source: Path) -> Iterator[ProgressCallback | None]:
    """A progress callback for ``apply_mapping``, or None when no bar should show.

    The bar shows only on an interactive stderr and for long files, so piped output,
    logs and tests stay clean. It is transient: the summary replaces it.
    """
    console = Console(stderr=True)
    if not (console.is_terminal and _is_long(source)):
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("applying"), BarColumn(),
               TextColumn("{task.completed:,.0f} rows"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("apply", total=None)

        def report(rows_done: int) -> None:
            bar.update(task, completed=rows_done)

        yield report
