"""``python -m evals CASES_DIR [CASES_DIR ...] [--baseline NAME ...] [--json] [--plain]``.

Runs the harness with the peer baselines (the agent itself runs through ``crosswalk eval``,
which passes its own propose function to ``evals.harness.run_suite``).
"""

from __future__ import annotations

import argparse
import sys

from evals.baselines import BASELINES
from evals.harness import run_suite
from evals.report import render_comparison, render_table, to_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("cases_dirs", nargs="+", help="folders of eval cases (e.g. evals/cases evals/heldout)")
    parser.add_argument("--baseline", action="append", choices=sorted(BASELINES), help="baseline(s) to run (default name-only)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--plain", action="store_true", help="plain text tables instead of rich")
    args = parser.parse_args(argv)
    results = [run_suite(folder, BASELINES[name], label=name)
               for name in (args.baseline or ["name-only"]) for folder in args.cases_dirs]
    if args.json:
        sys.stdout.write(to_json(results) + "\n")
        return 0
    for result in results:
        sys.stdout.write(render_table(result, plain=args.plain) + "\n")
    if len(results) > 1:
        sys.stdout.write(render_comparison(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
