"""Record linkage of person records across canonical datasets, on Splink.

Public API: read canonical files into a linkage table (``read_canonical``), find the
person fields of a standard (``link_schema``), link (``link_table``), and the pieces a
caller stores or shows: versioned clusters, conflicts, golden records.
"""

from tools.linkage.clusters import ClusterTable, Clustering, connected_components, singleton_id
from tools.linkage.golden import golden_record
from tools.linkage.models import (ClusterVersion, ComparisonEvidence, Conflict, GoldenValue, LinkSchema, LinkSettings,
                                  Membership, PairEvidence)
from tools.linkage.records import LinkTable, read_canonical, read_person_sections, record_key, split_key
from tools.linkage.routing import route
from tools.linkage.schema_roles import link_schema

from typing import Any


def __getattr__(name: str) -> Any:
    # The pipeline imports Splink (and its SQL parser), which takes a while; the store and
    # the CLI import this package for its small types on every start, so it loads on use.
    if name in ("LinkResult", "link_table"):
        from tools.linkage import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'tools.linkage' has no attribute {name!r}")


__all__ = [
    "ClusterTable", "ClusterVersion", "Clustering", "ComparisonEvidence", "Conflict", "GoldenValue", "LinkResult",
    "LinkSchema", "LinkSettings", "LinkTable", "Membership", "PairEvidence", "connected_components", "golden_record",
    "link_schema", "link_table", "read_canonical", "read_person_sections", "record_key", "route", "singleton_id",
    "split_key",
]
