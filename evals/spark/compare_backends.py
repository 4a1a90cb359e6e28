"""Link the same synthetic forces on DuckDB and on Spark, in process, and compare what came out.

    .venv-spark/bin/python -m evals.spark.compare_backends --people 500

Prints each backend's phase times, the pairs scored, the auto-merge edges and clusters, and
how far the match probabilities of the pairs both scored lie apart: (1) each backend
training its own model, (2) Spark scoring with the parameters DuckDB trained, which isolates
the SQL (comparison functions, blocking) from training. The only SQL difference found:
Splink's Spark jaro_winkler UDF (Apache Commons Text) scores some strings lower than
DuckDB's (ABGAIL / AUIGAIL: 0.774 against 0.804), which can move a pair across a level.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.linkage.make_forces import make_forces
from tools.linkage import LinkSettings, LinkTable, link_schema, read_canonical
from tools.linkage.backend import close, database_api, register
from tools.linkage.models import LinkSchema
from tools.linkage.pipeline import LinkResult, link_table, present_schema
from tools.linkage.train import new_linker, train
from tools.standards import bundled_standard_path
from tools.target_schema import load_target_schema


def forces_table(people: int, seed: int = 7, forces: int = 3) -> tuple[LinkTable, LinkSchema, dict[str, int]]:
    """The linkage table of ``people`` synthetic people in ``forces`` forces, its schema and the truth."""
    schema = link_schema(load_target_schema(bundled_standard_path()))
    made = make_forces(people, forces=forces, seed=seed)
    table = LinkTable()
    with tempfile.TemporaryDirectory(prefix="crosswalk-spark-forces-") as tmp:
        for path in made.write(Path(tmp)):
            read_canonical(path, path.stem, schema, table)
    return table, schema, made.truth


def clusters(result: LinkResult) -> set[frozenset[str]]:
    """The clusters of more than one record."""
    return {frozenset(c) for c in result.clustering.components if len(c) > 1}


def probabilities(linker: Any) -> dict[tuple[str, str], float]:
    """Every blocked pair's match probability."""
    frame = linker.inference.predict(warning_mode="never")
    rows = frame.query_sql("select unique_id_l, unique_id_r, match_probability from {this}").as_record_list()
    frame.drop_table_from_database_and_remove_from_cache()
    return {(r["unique_id_l"], r["unique_id_r"]): float(r["match_probability"]) for r in rows}


def trained_linker(table: LinkTable, schema: LinkSchema, backend: str = "duckdb") -> Any:
    """A linker over ``table`` in ``backend``, trained as ``link_table`` trains it."""
    schema = present_schema(schema, table)
    linker = new_linker(register(database_api(backend), table), schema)  # type: ignore[arg-type]
    train(linker, schema, LinkSettings())
    return linker


def score_with_parameters_of(trained: Any, table: LinkTable, schema: LinkSchema, backend: str) -> dict[tuple[str, str], float]:
    """Probabilities of the blocked pairs in ``backend`` under the parameters of the ``trained`` linker (no training).

    The parameters are copied level by level: a model reloaded from Splink's JSON loses the
    exact-match level its term-frequency adjustments need (Splink 5), so the JSON is not used.
    """
    db_api = database_api(backend)  # type: ignore[arg-type]
    linker = new_linker(register(db_api, table), present_schema(schema, table))
    source, target = trained._settings_obj, linker._settings_obj
    target._probability_two_random_records_match = source._probability_two_random_records_match
    for from_comparison, to_comparison in zip(source.comparisons, target.comparisons, strict=True):
        for from_level, to_level in zip(from_comparison.comparison_levels, to_comparison.comparison_levels, strict=True):
            if not from_level.is_null_level:
                to_level.m_probability, to_level.u_probability = from_level.m_probability, from_level.u_probability
    try:
        return probabilities(linker)
    finally:
        close(db_api)


def largest_gap(a: dict[tuple[str, str], float], b: dict[tuple[str, str], float]) -> tuple[float, int, int]:
    """Over the pairs both scored: the largest probability difference and how many differ by more than 1e-6;
    then how many pairs only one scored."""
    shared = a.keys() & b.keys()
    gaps = [abs(a[k] - b[k]) for k in shared]
    return max(gaps, default=0.0), sum(g > 1e-6 for g in gaps), len(a.keys() ^ b.keys())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    table, schema, _truth = forces_table(args.people, args.seed)
    settings = LinkSettings()
    results: dict[str, LinkResult] = {}
    for backend in ("duckdb", "spark"):
        started = time.perf_counter()
        results[backend] = link_table(table, schema, settings, backend=backend)  # type: ignore[arg-type]
        r = results[backend]
        print(f"{backend:<6} {time.perf_counter() - started:6.1f}s  phases {r.seconds}  scored {r.scored.scored}  "
              f"auto-merge edges {len(r.auto_merged)}  clusters {len(clusters(r))}  review {len(r.review)}  "
              f"conflicts {len(r.conflicts)}")
    duck, spark = results["duckdb"], results["spark"]
    edges_d = {frozenset(e[:2]): e[2] for e in duck.scored.edges}
    edges_s = {frozenset(e[:2]): e[2] for e in spark.scored.edges}
    print(f"edges >= review threshold: duckdb {len(edges_d)}, spark {len(edges_s)}, in one only {len(edges_d.keys() ^ edges_s.keys())}")
    print(f"clusters differing: {len(clusters(duck) ^ clusters(spark))}")
    started = time.perf_counter()
    trained = trained_linker(table, schema)
    fixed_d = probabilities(trained)
    fixed_s = score_with_parameters_of(trained, table, schema, "spark")
    gap, differing, only_one = largest_gap(fixed_d, fixed_s)
    print(f"DuckDB's parameters scored on both: pairs {len(fixed_d)} / {len(fixed_s)}, in one only {only_one}, "
          f"differing by > 1e-6 {differing}, largest probability gap {gap:.2e} ({time.perf_counter() - started:.1f}s)")


if __name__ == "__main__":
    main()
