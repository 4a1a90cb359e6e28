"""The settings in force at a run, as the run records them and as a replay restores them.

Only what changes a proposal is recorded: thresholds, sample size, time zone, repair
rounds, memory recall size, the LLM's model, endpoint, mode and whether raw samples
went, and the date the run took as "today" (two-digit-year pivots). Never the API key;
credentials in a URL are cut out before anything is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from agent.settings import Settings

RECORDED_FIELDS: tuple[str, ...] = (
    "timezone", "sample_size", "auto_accept_threshold", "min_pass_rate", "review_threshold", "repair_rounds",
    "memory_top_k", "memory_embedding", "memory_embedding_model", "memory_url", "llm_base_url", "llm_model",
    "llm_api_version", "llm_structured_mode", "llm_send_samples", "llm_batch_size", "llm_max_tokens_per_run",
)
URL_FIELDS = frozenset({"memory_url", "llm_base_url"})
REFERENCE_DATE = "reference_date"


def without_credentials(url: str | None) -> str | None:
    """The URL with any user:password@ part removed (an endpoint may carry one)."""
    if not url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def settings_record(settings: Settings, today: dt.date) -> dict[str, Any]:
    """Plain JSON of the settings that shape a proposal, plus the run's 'today'."""
    found: dict[str, Any] = {}
    for name in RECORDED_FIELDS:
        value = getattr(settings, name)
        found[name] = without_credentials(value) if name in URL_FIELDS else value
    found[REFERENCE_DATE] = today.isoformat()
    return found


def restored_settings(current: Settings, recorded: dict[str, Any]) -> Settings:
    """``current`` (data dir, database, key) with the recorded proposal settings put back.

    URLs are not restored (a recorded one has its credentials cut out, and a replay
    never calls out anyway); unknown or missing keys keep today's value.
    """
    update = {k: v for k, v in recorded.items() if k in RECORDED_FIELDS and k not in URL_FIELDS}
    return current.model_copy(update=update)


def reference_date(recorded: dict[str, Any]) -> dt.date | None:
    """The date the run took as today, if it recorded one."""
    text = recorded.get(REFERENCE_DATE)
    return dt.date.fromisoformat(text) if isinstance(text, str) else None
