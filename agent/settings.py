"""Application settings, read from ``CROSSWALK_*`` environment variables.

One ``Settings`` object holds every knob. ``docs/configuration.md`` is generated from
the field descriptions here (``agent.settings_doc``), and a test keeps the two equal.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CROSSWALK_"
DATABASE_FILE = "crosswalk.db"

EngineName = Literal["auto", "python", "duckdb"]


class Settings(BaseSettings):
    """Every setting crosswalk reads. Environment variables are ``CROSSWALK_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(
        default=Path(".crosswalk"),
        description="Directory for the application database and other local state. The CLI's --data-dir overrides it.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the application database (datasets, mapping versions, runs, audit log). "
            "Unset means a SQLite file `crosswalk.db` in the data dir; a team sets a PostgreSQL URL."
        ),
    )
    timezone: str = Field(
        default="Europe/London",
        description=(
            "Default time zone in which naive local date-times in a source are read. A mapping "
            "document's own `timezone` (and a transform's) takes precedence."
        ),
    )
    sample_size: int = Field(
        default=5000,
        ge=1,
        description="Number of rows the profiler reads from a source.",
    )
    engine: EngineName = Field(
        default="auto",
        description="Apply engine: `python` (reference, per row), `duckdb` (vectorised) or `auto` (DuckDB when the file allows it).",
    )
    user: str | None = Field(
        default=None,
        description="Actor name written to the audit log. Unset means the operating-system user name.",
    )
    auto_accept_threshold: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="A proposed field is auto-accepted only at or above this calibrated confidence (and validated, with no always-review reason).",
    )
    min_pass_rate: float = Field(
        default=0.98,
        ge=0.0,
        le=1.0,
        description="Share of sampled values a field's transform and schema checks must pass before it may be auto-accepted.",
    )
    review_threshold: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description=(
            "Match score below which a candidate is not proposed at all (its source stays unmapped); "
            "between this and the auto-accept threshold a field goes to review. 0.4 is calibrated on the eval cases."
        ),
    )
    repair_rounds: int = Field(
        default=2,
        ge=0,
        le=10,
        description="How many times the propose graph may revise fields that failed validation before routing.",
    )

    def resolved_database_url(self) -> str:
        """The database URL in use: the setting, or a SQLite file inside ``data_dir``.

        The path is made absolute so that a later change of working directory cannot
        point a cached engine at another file.
        """
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir.resolve() / DATABASE_FILE).as_posix()}"

    def actor(self) -> str:
        """Who the audit log says did it: the configured user, else the OS login name."""
        if self.user:
            return self.user
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            # No login name (e.g. a container with an unnamed uid): still log something honest.
            return "unknown"


def env_var_name(field_name: str) -> str:
    """The environment variable that sets ``field_name``."""
    return f"{ENV_PREFIX}{field_name.upper()}"
