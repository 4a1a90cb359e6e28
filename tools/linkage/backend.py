"""Which Splink database API runs the linkage: DuckDB in process by default, Spark at scale.

Only this module knows the backends; the rest of ``tools.linkage`` works on Splink's
``Linker`` and ``SplinkDataFrame``, which are the same on both.

Spark: an active session (a cluster's, or one a caller built) is used as it is; without
one, a local session is made (``local[2]``, no UI, bound to 127.0.0.1) with the Splink
similarity UDF jar on its class path, so ``jaro_winkler`` and ``damerau_levenshtein``
exist in Spark SQL. Nothing is fetched at run time: pyspark bundles Spark's jars and
Splink ships the UDF jar. Intermediate tables are persisted (cached), not written to a
checkpoint folder.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.errors import CrosswalkError
from tools.linkage.records import LinkTable

BackendName = Literal["duckdb", "spark"]

SPARK_APP_NAME = "crosswalk-link"


class SparkOptions(BaseModel):
    """The size of the local Spark session crosswalk starts (from ``agent.settings``: CROSSWALK_LINK_SPARK_*)."""

    model_config = ConfigDict(frozen=True)

    master: str = "local[2]"
    driver_memory: str = "2g"
    shuffle_partitions: int = Field(8, ge=1)


class LinkBackendError(CrosswalkError):
    """The configured linkage backend cannot be used here."""


def database_api(name: BackendName, *, spark: Any | None = None, spark_options: SparkOptions | None = None) -> Any:
    """A Splink database API for ``name`` (Spark uses ``spark``, else the active session, else a local one)."""
    if name == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if name == "spark":
        try:
            import pyspark  # noqa: F401
            from splink.backends.spark import SparkAPI
        except ImportError:
            raise LinkBackendError("link_backend is spark but pyspark is not installed "
                                   "(bash evals/spark/setup.sh makes a .venv-spark with it)") from None
        session = spark or spark_session(spark_options)
        return SparkAPI(spark_session=session, break_lineage_method="persist",
                        num_partitions_on_repartition=_partitions(session))
    raise LinkBackendError(f"unknown link backend {name!r} (duckdb or spark)")


def spark_session(options: SparkOptions | None = None) -> Any:
    """The active Spark session, or a small local one with Splink's UDF jar (see the module doc)."""
    options = options or SparkOptions()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the JVM binds and advertises loopback only
    try:
        session = (
            SparkSession.builder.master(options.master)
            .appName(SPARK_APP_NAME)
            .config("spark.jars", similarity_jar_location())
            .config("spark.driver.memory", options.driver_memory)
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(options.shuffle_partitions))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except Exception as exc:  # no Java, wrong Java, port trouble: say so plainly
        raise LinkBackendError(f"could not start a local Spark session (Java 17+ needed): {exc}") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def _partitions(session: Any) -> int:
    """Partitions after blocking: half the shuffle partitions (Splink's own rule), at least one."""
    try:
        return max(1, int(session.conf.get("spark.sql.shuffle.partitions")) // 2)
    except Exception:
        return 100


def register(db_api: Any, table: LinkTable, name: str = "person_records") -> Any:
    """The linkage table as a Splink dataframe in the backend (typed Arrow, so an all-empty column stays text)."""
    return db_api.register(table.to_arrow(), dataset_display_name=_table_name(db_api, name))


def register_rows(db_api: Any, rows: list[dict[str, Any]], name: str) -> Any:
    """Small tables (labels, pairs to score) as Splink dataframes."""
    import pyarrow as pa

    return db_api.register(pa.Table.from_pylist(rows), dataset_display_name=_table_name(db_api, name))


def _is_spark(db_api: Any) -> bool:
    return getattr(db_api, "spark", None) is not None


def _table_name(db_api: Any, name: str) -> str:
    """``name``, made unique on Spark: a session outlives one linkage, so its temp views would clash.

    DuckDB gets a fresh in-memory database per linkage and keeps the name as it is.
    """
    if not _is_spark(db_api):
        return name
    return f"{name}_{uuid.uuid4().hex[:12]}"


def close(db_api: Any) -> None:
    """Free what one linkage left in the backend (Spark: this run's temp views and the tables it cached).

    On Spark, Splink's own drop is a no-op unless it writes Delta tables, so every table
    this API made or registered is dropped here; dropping a temp view also uncaches it.
    """
    if not _is_spark(db_api):
        return  # DuckDB's in-memory database goes with the API object
    made = {df.physical_name for df in db_api._intermediate_table_cache.executed_queries}
    for view in sorted(made | set(db_api._registered_table_names)):
        db_api.spark.catalog.dropTempView(view)
    if db_api.spark.conf.get("spark.app.name", None) == SPARK_APP_NAME:
        db_api.spark.catalog.clearCache()  # our own session: also the tables Splink recomputed under a view it replaced
