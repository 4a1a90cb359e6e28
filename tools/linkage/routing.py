"""Where a scored pair goes: merged automatically, to a person, or kept apart."""

from __future__ import annotations

from tools.errors import CrosswalkError
from tools.linkage.models import LinkSettings, Route


class ThresholdError(CrosswalkError):
    """The review threshold lies above the auto-merge threshold."""


def check_thresholds(settings: LinkSettings) -> None:
    if settings.review_threshold > settings.auto_merge_threshold:
        raise ThresholdError(f"link review threshold {settings.review_threshold} is above the auto-merge threshold "
                             f"{settings.auto_merge_threshold}")


def route(match_probability: float, settings: LinkSettings) -> Route:
    """``auto_merge`` at or above the upper threshold, ``review`` in the grey zone, else ``apart``."""
    if match_probability >= settings.auto_merge_threshold:
        return "auto_merge"
    if match_probability >= settings.review_threshold:
        return "review"
    return "apart"
