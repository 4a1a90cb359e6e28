"""The propose function the eval harness calls: the offline propose job, in process.

``evals.harness.run_suite`` takes ``propose_fn(source_path, schema_path) -> dict``. This
gives one that runs the whole job (graph, checkpoints, dataset, run, audit) in a
temporary data dir, so an eval measures what ``crosswalk propose`` does and leaves no
trace in the user's data dir or database. (The CLI wires it to the harness: only
``agent/cli.py`` imports ``evals``.)
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.settings import Settings
from agent.store import get_engine

ProposeFn = Callable[[Path, Path], dict[str, Any]]
EVAL_ACTOR = "crosswalk-eval"


@contextmanager
def graph_proposer(settings: Settings, *, offline: bool = True) -> Iterator[ProposeFn]:
    """A propose function backed by the propose job; its data dir is removed on exit."""
    with tempfile.TemporaryDirectory(prefix="crosswalk-eval-") as scratch:
        root = Path(scratch)
        # memory_url None too: an eval measures the proposer on its own, never a team memory that may hold the truth
        local = settings.model_copy(update={"data_dir": root / "data", "database_url": None, "memory_url": None,
                                            "user": settings.user or EVAL_ACTOR})
        numbers = itertools.count(1)

        def propose_fn(source_path: Path, schema_path: Path) -> dict[str, Any]:
            out = root / "proposals" / f"{next(numbers):04d}.json"
            run_propose_job(local, ProposeRequest(out_path=out, source_path=Path(source_path),
                                                  target_schema_path=Path(schema_path), offline=offline))
            loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
            return loaded

        try:
            yield propose_fn
        finally:
            get_engine(local).dispose()  # close the temp database before its folder goes
