"""Which Splink database API runs the linkage: DuckDB in process by default, Spark at scale.

Only this module knows the backends; the rest of ``tools.linkage`` works on Splink's
``Linker`` and ``SplinkDataFrame``, which are the same on both.
"""

from __future__ import annotations

from typing import Any, Literal

from tools.errors import CrosswalkError
from tools.linkage.records import LinkTable

BackendName = Literal["duckdb", "spark"]


class LinkBackendError(CrosswalkError):
    """The configured linkage backend cannot be used here."""


def database_api(name: BackendName, *, spark: Any | None = None) -> Any:
    """A Splink database API for ``name`` (Spark needs an existing session, or pyspark to make one)."""
    if name == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if name == "spark":
        try:
            from pyspark.sql import SparkSession
            from splink import SparkAPI
        except ImportError:
            raise LinkBackendError("link_backend is spark but pyspark is not installed (pip install pyspark)") from None
        session = spark or SparkSession.builder.getOrCreate()
        return SparkAPI(spark_session=session)
    raise LinkBackendError(f"unknown link backend {name!r} (duckdb or spark)")


def register(db_api: Any, table: LinkTable, name: str = "person_records") -> Any:
    """The linkage table as a Splink dataframe in the backend (typed Arrow, so an all-empty column stays text)."""
    return db_api.register(table.to_arrow(), dataset_display_name=name)


def register_rows(db_api: Any, rows: list[dict[str, Any]], name: str) -> Any:
    """Small tables (labels, pairs to score) as Splink dataframes."""
    import pyarrow as pa

    return db_api.register(pa.Table.from_pylist(rows), dataset_display_name=name)
