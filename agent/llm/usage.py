"""Tokens, latency and request counts of LLM calls: per call, summed per run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CallRecord:
    """One answer obtained (or not): from the endpoint, possibly after a retry, or from the cache."""

    template: str
    template_sha256: str
    mode: str
    requests: int = 0  # HTTP requests actually made (0 when cached)
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    retried: bool = False  # an invalid answer was sent back once with its validation error
    fallback: str | None = None  # e.g. "json_schema refused: json_object"
    error: str | None = None  # why no valid answer was obtained
    first_mode: str = ""  # the mode the call started in (``mode`` is where it ended, after a fallback)
    request_hash: str = ""  # sha256 of (model, first mode, messages): the cache key, and what a replay answers by
    exchanges: list[dict[str, Any]] = field(default_factory=list)  # each request (or cache hit): hash, raw answer, tokens

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunUsage:
    """The sums over a run's calls, as printed by ``propose`` and kept in the proposal."""

    model: str = ""
    calls: list[CallRecord] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self.calls.append(record)

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.calls)

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def latency_s(self) -> float:
        return round(sum(c.latency_s for c in self.calls), 3)

    def summary(self) -> dict[str, Any]:
        """Plain JSON for the graph state, the audit log and the proposal document."""
        return {"model": self.model, "requests": self.requests, "batches": len(self.calls),
                "retries": sum(1 for c in self.calls if c.retried),
                "mode_probes": sum(1 for c in self.calls if c.fallback),
                "cached": sum(1 for c in self.calls if c.cached),
                "failed": sum(1 for c in self.calls if c.error), "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "total_tokens": self.total_tokens, "latency_s": self.latency_s}
