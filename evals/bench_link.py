"""Benchmark of ``crosswalk link``: two synthetic forces of N person records each, linked end to end.

    python -m evals.bench_link --records 500000 [--keep DIR]

Generates the forces (seeded, with known truth), then runs the whole link job in a
fresh data dir (read, train, score, cluster, store the cluster version and the review
items) and prints its wall time, peak memory (ru_maxrss of this process) and pairwise
precision / recall of the auto-merges.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from agent.settings import Settings


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _generate(records: int, work: Path) -> tuple[list[Path], dict[str, int]]:
    from evals.linkage.make_forces import make_forces

    presence, duplicates = 0.6, 0.03
    people = int(records / (presence * (1 + duplicates))) + 1
    started = time.perf_counter()
    forces = make_forces(people, forces=2, seed=11, presence=presence, duplicate_rate=duplicates)
    for name in forces.records:  # exactly N records per force; truth follows
        cut = forces.records[name][records:]
        forces.records[name] = forces.records[name][:records]
        for line in cut:
            forces.truth.pop(f"{name}:{line['row']}", None)
    paths = forces.write(work / "forces")
    print(f"generated 2 x {records:,} records of {people:,} people in {time.perf_counter() - started:.1f}s "
          f"-> {work / 'forces'}", flush=True)
    return paths, forces.truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500_000, help="person records per force")
    parser.add_argument("--keep", type=Path, default=None, help="keep the data and database in this folder")
    parser.add_argument("--reuse", action="store_true", help="reuse the forces already generated in the --keep folder")
    args = parser.parse_args(argv)

    from agent.jobs.link_job import link
    from evals.linkage.evaluate import cluster_components
    from evals.linkage.metrics import pair_scores

    work = args.keep or Path(tempfile.mkdtemp(prefix="crosswalk-bench-link-"))
    if args.reuse and (work / "forces" / "truth.json").exists():
        from evals.linkage.evaluate import load_forces

        paths, truth = load_forces(work / "forces")
        print(f"reusing the forces in {work / 'forces'}", flush=True)
    else:
        paths, truth = _generate(args.records, work)
    settings = Settings(data_dir=work / "data", user="bench")
    if settings.data_dir.exists():
        import shutil

        shutil.rmtree(settings.data_dir)  # a fresh database: the run is measured alone
    started = time.perf_counter()
    outcome = link(settings, paths)
    elapsed = time.perf_counter() - started
    scores = pair_scores(cluster_components(settings, set(truth), outcome.version), truth)
    print(f"linked {outcome.records:,} records in {elapsed:.1f}s; peak memory (ru_maxrss) {_peak_mib():,.0f} MiB")
    print(f"seconds per phase: {outcome.seconds}")
    print(f"counts: {outcome.counts}; review items {len(outcome.review_item_ids):,}")
    print(f"auto-merge pairwise precision {scores.precision:.4f} recall {scores.recall:.4f} F1 {scores.f1:.4f} "
          f"(predicted {scores.predicted_pairs:,}, correct {scores.correct_pairs:,}, true {scores.true_pairs:,})")


if __name__ == "__main__":
    main()
