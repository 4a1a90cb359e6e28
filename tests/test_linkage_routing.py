"""Threshold routing: auto-merge, review (grey zone), apart."""

from __future__ import annotations

import pytest

from tools.linkage import LinkSettings, route
from tools.linkage.routing import ThresholdError, check_thresholds


def test_routes_by_the_two_thresholds() -> None:
    s = LinkSettings(auto_merge_threshold=0.999, review_threshold=0.5)
    assert route(0.9995, s) == "auto_merge"
    assert route(0.999, s) == "auto_merge"  # at the threshold counts
    assert route(0.998, s) == "review"
    assert route(0.5, s) == "review"
    assert route(0.4999, s) == "apart"


def test_review_threshold_above_auto_merge_is_refused() -> None:
    with pytest.raises(ThresholdError):
        check_thresholds(LinkSettings(auto_merge_threshold=0.9, review_threshold=0.95))


def test_defaults_favour_precision() -> None:
    from agent.settings import Settings

    settings = Settings()
    assert settings.link_auto_merge_threshold >= 0.999
    assert settings.link_review_threshold < settings.link_auto_merge_threshold
    assert settings.link_backend == "duckdb"
