"""``python -m evals.case_builders [--only NAME ...] [--root DIR]``: rebuild the eval cases."""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.case_builders import EVALS_DIR, build_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.case_builders", description=__doc__)
    parser.add_argument("--only", nargs="*", help="build only these case names")
    parser.add_argument("--root", type=Path, default=EVALS_DIR, help="folder that holds cases/ and heldout/")
    args = parser.parse_args(argv)
    written = build_all(args.root, set(args.only) if args.only else None)
    for folder in written:
        print(folder.relative_to(args.root) if folder.is_relative_to(args.root) else folder)
    print(f"{len(written)} case(s) written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
