"""Benchmark: value detectors over 60 columns x 5,000 values (prints per-column timing).

    python -m evals.bench_detectors [--rows 5000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from tools.detectors import detect_all


def _bench_columns(rows: int) -> list[list[object]]:
    rng = random.Random(7)
    words = "the a suspect was seen running towards car park near shop and left in blue vehicle".split()
    makers = [
        lambda: f"{rng.choice(['SW1A', 'M1', 'LS6'])} {rng.randint(0, 9)}{rng.choice('ABD')}{rng.choice('HJL')}",
        lambda: f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1990, 2024)}",
        lambda: f"2023-{rng.randint(10, 12)}-{rng.randint(10, 28)}T{rng.randint(10, 23)}:{rng.randint(10, 59)}:00Z",
        lambda: " ".join(rng.choices(words, k=rng.randint(5, 40))),
        lambda: f"{rng.uniform(51, 54):.6f}",
        lambda: rng.randint(0, 10**6),
        lambda: f"{rng.getrandbits(128):032x}",
        lambda: rng.choice(["John", "Mary", "Aoife", "Zbigniew"]) + " " + rng.choice(["SMITH", "NOWAK", "KHAN"]),
        lambda: str(rng.randint(10**9, 10**10 - 1)),
        lambda: "07" + str(rng.randint(100000000, 999999999)),
        lambda: rng.choice("MFU"),
        lambda: f"CU/2023/{rng.randint(0, 999999):06d}",
    ]
    return [[make() for _ in range(rows)] for make in makers * 5]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="values per column")
    args = parser.parse_args()
    columns = _bench_columns(args.rows)
    timings = []
    for values in columns:
        started = time.perf_counter()
        detect_all(values)
        timings.append(time.perf_counter() - started)
    print(f"detectors: {len(columns)} columns x {args.rows} values: total {sum(timings) * 1000:.0f} ms, "
          f"mean {statistics.mean(timings) * 1000:.1f} ms, worst {max(timings) * 1000:.1f} ms per column")


if __name__ == "__main__":
    main()
