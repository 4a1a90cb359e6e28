"""An LLM client that answers from a run's logged exchanges and never sends a request.

``RecordedLlmClient`` is an ``LlmClient`` whose one network step (``_ask``) looks the
request up by its hash (model, structured-output mode, messages) among the exchanges
the run logged, and plays back what happened then: the raw answer with its tokens and
latency, a refused ``json_schema`` (so the client falls back exactly as it did), an
error, or a cache hit. Everything else (validation, the one retry, the fallback, the
token budget) is the real client's code, so the replay takes the same path the run did.
A request whose hash was not logged is counted as missing and fails like an unreachable
endpoint: the field keeps its offline result, as in normal operation. Its ``openai``
client sits on a transport that refuses every request, in case anything tried.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

import httpx
import openai
from pydantic import BaseModel

from agent.llm import LlmAssist, LlmClient
from agent.llm.cache import request_key
from agent.llm.usage import CallRecord
from agent.replay.recorded_inputs import RecordedRun

T = TypeVar("T", bound=BaseModel)
NOT_LOGGED = "not in the audit log (a replay never sends a request)"
REPLAY_URL = "http://replay.invalid/v1"


class ReplayRequestRefused(RuntimeError):
    """Raised by the transport if anything tried to reach an endpoint during a replay."""


def _refuse(request: httpx.Request) -> httpx.Response:
    raise ReplayRequestRefused(f"a replay never sends a request (tried {request.url})")


class RecordedLlmClient(LlmClient):
    """Answers from logged exchanges, matched by request hash; counts answered and missing requests."""

    def __init__(self, exchanges: list[dict[str, Any]], *, model: str, mode: str, first_mode: str | None,
                 max_tokens_per_run: int = 0) -> None:
        api = openai.OpenAI(base_url=REPLAY_URL, api_key="replay", max_retries=0,
                            http_client=httpx.Client(transport=httpx.MockTransport(_refuse)))
        super().__init__(api, model=model, mode=mode, cache=None, endpoint=REPLAY_URL, max_tokens_per_run=max_tokens_per_run)
        self.first_mode = first_mode
        self.logged: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for exchange in exchanges:
            self.logged[str(exchange.get("request_hash"))].append(exchange)
        self.answered = 0
        self.missing: list[str] = []  # request hashes the log does not hold

    def current_mode(self) -> str:
        # an "auto" client started where the run did (the endpoint's mode the run's cache remembered)
        if self.mode != "auto":
            return self.mode
        if self.endpoint in self._refused:
            return "json_object"
        return self.first_mode or "json_schema"

    def _ask(self, record: CallRecord, messages: list[dict[str, Any]], output: type[T], max_tokens: int | None,
             appended: list[dict[str, Any]] | None = None) -> str | None:
        key = request_key(self.model, record.mode, messages)
        queue = self.logged.get(key)
        if not queue:
            self.missing.append(key)
            record.error = f"request {key[:16]}... {NOT_LOGGED}"
            return None
        exchange = queue.pop(0) if len(queue) > 1 else queue[0]  # the same request twice: in logged order
        self.answered += 1
        record.exchanges.append(exchange)
        outcome = exchange.get("outcome")
        if outcome == "cached":
            record.cached = True
            return str(exchange.get("response") or "")
        record.requests += 1
        record.prompt_tokens += int(exchange.get("prompt_tokens") or 0)
        record.completion_tokens += int(exchange.get("completion_tokens") or 0)
        record.latency_s = float(exchange.get("latency_after") or record.latency_s)
        if outcome == "refused":
            self._refused.add(self.endpoint)
            record.fallback = exchange.get("fallback") or "json_schema refused; json_object used"
            record.mode = "json_object"
            return None
        if outcome == "failed":
            record.error = exchange.get("error") or "failed"
            return None
        return str(exchange.get("response") or "")


def recorded_assist(recorded: RecordedRun, settings_max_tokens: int = 0) -> tuple[LlmAssist, RecordedLlmClient] | None:
    """The LLM of the run, answering from its log; None when no LLM took part."""
    if not recorded.llm_model:
        return None
    mode = str(recorded.settings.get("llm_structured_mode") or recorded.llm_first_mode or "auto")
    budget = int(recorded.settings.get("llm_max_tokens_per_run", settings_max_tokens) or 0)
    client = RecordedLlmClient(recorded.exchanges(), model=recorded.llm_model, mode=mode, first_mode=recorded.llm_first_mode,
                               max_tokens_per_run=budget)
    return LlmAssist(client, batch_size=recorded.llm_batch_size, send_samples=recorded.llm_send_samples), client
