"""The Spark linkage backend against DuckDB on a small synthetic dataset (opt-in).

Runs only where pyspark is installed (``bash evals/spark/setup.sh`` makes ``.venv-spark``):

    .venv-spark/bin/python -m pytest -p no:cacheprovider -q tests/test_linkage_spark.py -o addopts=""

Elsewhere (the main venv, CI) the whole module is skipped. Spark runs locally (``local[2]``,
no UI, 127.0.0.1) with the Splink UDF jar shipped in the splink wheel; nothing is downloaded.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

import pytest

pytest.importorskip("pyspark")

from evals.spark.compare_backends import (  # noqa: E402
    clusters,
    forces_table,
    largest_gap,
    probabilities,
    score_with_parameters_of,
    trained_linker,
)
from tools.linkage import LinkSettings  # noqa: E402
from tools.linkage.backend import database_api, spark_session  # noqa: E402
from tools.linkage.pipeline import LinkResult, link_table  # noqa: E402

PEOPLE = 150


@pytest.fixture(scope="module")
def spark() -> Any:
    session = spark_session()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def forces() -> Any:
    return forces_table(PEOPLE, seed=11)


@pytest.fixture(scope="module")
def linked(spark: Any, forces: Any) -> dict[str, LinkResult]:
    table, schema, _truth = forces
    return {backend: link_table(table, schema, LinkSettings(), backend=backend) for backend in ("duckdb", "spark")}


def _leftovers(spark: Any) -> tuple[list[str], bool]:
    """Temp views left in the session, and whether Spark's cache is empty."""
    views = [t.name for t in spark.catalog.listTables() if t.isTemporary]
    return views, bool(spark._jsparkSession.sharedState().cacheManager().isEmpty())


def test_the_local_session_is_small_private_and_has_splinks_udfs(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert spark.sparkContext.master.startswith("local")
    assert conf.get("spark.ui.enabled") == "false"
    assert conf.get("spark.driver.host") == "127.0.0.1"
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    database_api("spark", spark=spark)  # registers the UDFs from the jar
    row = spark.sql("select jaro_winkler('MARTHA', 'MARHTA') as jw, damerau_levenshtein('ABC', 'ACB') as dl").collect()[0]
    assert row.jw == pytest.approx(0.9611, abs=1e-3)
    assert row.dl == 1


def test_the_same_parameters_give_the_same_probabilities(spark: Any, forces: Any) -> None:
    """Blocking, comparison levels and the weight sums are the same SQL on both backends.

    Splink's Spark jaro_winkler (Apache Commons Text) differs from DuckDB's for a few strings
    (ABGAIL / AUIGAIL 0.774 against 0.804), so a rare pair may land on another level.
    """
    table, schema, _truth = forces
    trained = trained_linker(table, schema)
    on_duckdb = probabilities(trained)
    on_spark = score_with_parameters_of(trained, table, schema, "spark")
    _gap, differing, only_one = largest_gap(on_duckdb, on_spark)
    assert len(on_duckdb) > len(table) / 2
    assert only_one == 0
    assert differing <= max(1, len(on_duckdb) // 500)


def test_a_whole_linkage_gives_the_same_clusters(linked: dict[str, LinkResult]) -> None:
    """Each backend trains its own model (u is sampled differently), so scores may differ a little; clusters not."""
    duck, spark = linked["duckdb"], linked["spark"]
    assert spark.scored.scored == duck.scored.scored
    edges_d = {frozenset(e[:2]): e[2] for e in duck.scored.edges}
    edges_s = {frozenset(e[:2]): e[2] for e in spark.scored.edges}
    assert len(edges_d.keys() ^ edges_s.keys()) <= max(1, len(edges_d) // 100)
    shared = edges_d.keys() & edges_s.keys()
    assert max(abs(edges_d[k] - edges_s[k]) for k in shared) < 0.05
    assert len(clusters(duck) ^ clusters(spark)) <= max(1, len(clusters(duck)) // 100)
    assert len(spark.conflicts) == len(duck.conflicts)


def test_linkages_in_one_session_do_not_clash_and_leave_nothing_behind(spark: Any, forces: Any,
                                                                        linked: dict[str, LinkResult]) -> None:
    """A second linkage in the same session (eval-link --relink does this) with labels retunes m, then cleans up."""
    table, schema, truth = forces
    assert _leftovers(spark) == ([], True)  # after the first linkage in ``linked``
    by_person: dict[int, list[str]] = defaultdict(list)
    for key, person in sorted(truth.items()):
        by_person[person].append(key)
    labels = [(a, b, 1.0) for keys in by_person.values() for a, b in combinations(keys, 2)][:40]
    again = link_table(table, schema, LinkSettings(), backend="spark", labels=labels)
    assert again.retuned_from == len(labels)
    assert len(clusters(again) ^ clusters(linked["spark"])) <= max(1, len(clusters(again)) // 50)
    assert _leftovers(spark) == ([], True)
