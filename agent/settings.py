"""Application settings, read from ``CROSSWALK_*`` environment variables.

One ``Settings`` object holds every knob. ``docs/configuration.md`` is generated from
the field descriptions here (``agent.settings_doc``), and a test keeps the two equal.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "CROSSWALK_"
DATABASE_FILE = "crosswalk.db"

EngineName = Literal["auto", "python", "duckdb"]
MemoryEmbedding = Literal["hashing", "sentence-transformers", "openai"]
MEMORY_FOLDER = "memory"
StructuredMode = Literal["json_schema", "json_object", "auto"]
LinkBackend = Literal["duckdb", "spark"]


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
    llm_base_url: str | None = Field(
        default=None,
        description=(
            "Base URL of an OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, llama.cpp's server, Ollama), "
            "e.g. `http://127.0.0.1:8080/v1`. Unset (or `--offline`) means no LLM: the deterministic path only."
        ),
    )
    llm_model: str | None = Field(default=None, description="Model name sent with every LLM request (an Azure deployment name for Azure).")
    llm_api_key: SecretStr | None = Field(
        default=None,
        description="API key of the LLM endpoint. Set it in the environment only; it is never logged or recorded.",
    )
    llm_api_version: str | None = Field(
        default=None,
        description="Azure OpenAI API version; when set, the client is `openai.AzureOpenAI` with the base URL as the Azure endpoint.",
    )
    llm_timeout_s: float = Field(default=60.0, gt=0, description="Seconds before one LLM request times out.")
    llm_max_retries: int = Field(
        default=2, ge=0, le=10,
        description="Retries (with exponential backoff) of an LLM request on connection errors, 429 and 5xx responses.",
    )
    llm_max_tokens_per_run: int = Field(
        default=50000, ge=0,
        description="Token budget of one propose run; once spent, the remaining hard fields keep the offline result.",
    )
    llm_structured_mode: StructuredMode = Field(
        default="auto",
        description=(
            "Structured output: `json_schema` (strict schema, where the server supports it), `json_object` (schema in the "
            "prompt, e.g. llama.cpp's server) or `auto` (try json_schema, fall back to json_object when refused)."
        ),
    )
    llm_send_samples: bool = Field(
        default=False,
        description=(
            "Also send raw sample values to the LLM (only for a model served inside the force). Off: field names, types, "
            "statistics, value shapes and the values of low-cardinality code fields only."
        ),
    )
    llm_batch_size: int = Field(default=10, ge=1, le=100, description="Hard fields per LLM request.")

    memory_url: str | None = Field(
        default=None,
        description=(
            "URL of a chroma server (http[s]://host:port) holding the retrieval memory of approved mappings. "
            "Unset means an embedded chromadb folder `memory` in the data dir."
        ),
    )
    memory_embedding: MemoryEmbedding = Field(
        default="hashing",
        description=(
            "How the memory embeds field descriptions: `hashing` (deterministic, offline, the default), "
            "`sentence-transformers` (a model in a local folder, package installed separately) or `openai`."
        ),
    )
    memory_embedding_model: str | None = Field(
        default=None,
        description="The local model folder (sentence-transformers) or model name (openai) of the memory embedding.",
    )
    memory_top_k: int = Field(
        default=5,
        ge=1,
        le=50,
        description="How many past approved mappings the retrieve step recalls per source field.",
    )

    web_host: str = Field(
        default="127.0.0.1",
        description=(
            "Address `crosswalk serve` binds the review web app to. Anything other than loopback also needs "
            "`--allow-remote` and should sit behind a TLS-terminating proxy."
        ),
    )
    web_port: int = Field(default=8000, ge=1, le=65535, description="Port `crosswalk serve` listens on.")
    web_workers: int = Field(
        default=1, ge=1, le=32,
        description=(
            "Worker processes of `crosswalk serve`. More than one uses more cores; web sessions, CSRF tokens and "
            "the sign-in limit live in the database, so any worker can serve any request."
        ),
    )
    web_session_idle_minutes: float = Field(
        default=30, gt=0,
        description="A web session ends after this many minutes without a request; the person signs in again.",
    )
    web_session_max_hours: float = Field(
        default=8, gt=0,
        description="A web session ends this many hours after sign-in, however active it is.",
    )
    web_cookie_secure: bool = Field(
        default=True,
        description=(
            "Send the session cookie only over HTTPS (the `Secure` flag). Turn off only for a plain-HTTP "
            "trial on loopback; browsers drop Secure cookies there otherwise (except on localhost)."
        ),
    )
    web_sign_in_max_failures: int = Field(
        default=5, ge=1,
        description=(
            "Failed sign-ins for one user name from one address within the window before further tries are refused "
            "(an address trying many names is refused after four times as many)."
        ),
    )
    web_sign_in_window_minutes: float = Field(
        default=15, gt=0,
        description="The sign-in rate-limit window: failures older than this no longer count.",
    )
    web_upload_max_mb: float = Field(
        default=200, gt=0,
        description="Largest request body (e.g. a source file uploaded to start a run) the web app accepts, in megabytes.",
    )
    audit_hmac_key: SecretStr | None = Field(
        default=None,
        min_length=16,
        description=(
            "Secret key (at least 16 characters) for a keyed HMAC-SHA256 on every new audit event and for signing "
            "checkpoints. Set it in the environment only, and keep a copy away from the database: without it a "
            "forger with file access can rewrite the hash chain unnoticed."
        ),
    )
    audit_hmac_retired_keys: list[Annotated[SecretStr, Field(min_length=16)]] = Field(
        default=[],  # pydantic copies the default per instance; a literal keeps the generated doc readable
        description=(
            "Audit keys used before the current one, as a JSON list (each at least 16 characters), e.g. "
            "`[\"old key ...\"]`. Kept only to verify the events and checkpoints they signed; never used to sign. "
            "To rotate, set the new key as `CROSSWALK_AUDIT_HMAC_KEY` and move the old one here."
        ),
    )
    audit_raw_values: bool = Field(
        default=False,
        description=(
            "Keep raw source values in the audit log (the sample preview a reviewer decided on, apply error examples, "
            "values quoted in a reviewer's reason). Off: they are logged as masked shapes and short SHA-256 digests. LLM messages are logged as sent "
            "(raw samples in them only with `llm_send_samples`)."
        ),
    )

    link_backend: LinkBackend = Field(
        default="duckdb",
        description="Where `crosswalk link` runs Splink: `duckdb` (in process, the default) or `spark` (pyspark installed separately, for scale).",
    )
    link_spark_master: str = Field(
        default="local[2]", min_length=1,
        description="Spark master of the session `link_backend` spark starts when none is active (e.g. `local[8]`).",
    )
    link_spark_driver_memory: str = Field(
        default="2g", pattern=r"^[0-9]+[kmgt]?$",
        description="Driver memory of that local Spark session (`spark.driver.memory`, e.g. `8g`).",
    )
    link_spark_shuffle_partitions: int = Field(
        default=8, ge=1,
        description="`spark.sql.shuffle.partitions` of that session; raise it with the data and the cores.",
    )
    link_auto_merge_threshold: float = Field(
        default=0.999,
        ge=0.0,
        le=1.0,
        description=(
            "Match probability at or above which two person records merge without review (unless their names disagree "
            "outright with no shared strong identifier). Favours precision; `crosswalk eval-link` measures it."
        ),
    )
    link_review_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Match probability at or above which (and below the auto-merge threshold) a pair of person records goes to review; below it they stay apart.",
    )

    link_min_labels_to_retune: int = Field(
        default=20,
        ge=1,
        description=(
            "Supervisor-approved pairs (one person) among the linked records needed before `crosswalk link` "
            "re-estimates the model's m probabilities from the labels (Splink's pairwise-labels training)."
        ),
    )

    def memory_dir(self) -> Path:
        """The folder of the embedded retrieval memory (unused when ``memory_url`` is set)."""
        return self.data_dir.resolve() / MEMORY_FOLDER

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
