"""A thin client over ``openai`` for structured answers from any OpenAI-compatible endpoint.

``LlmClient.structured(messages, Model, context=...)`` returns a validated ``Model`` or
None with the reason, never raises for what the endpoint or the model does:

- structured output: ``json_schema`` sends the model's strict JSON Schema as the
  response format; ``json_object`` asks for a JSON object (the prompt carries the schema:
  llama.cpp's server and older vLLM/Ollama builds take only this); ``auto`` tries
  ``json_schema`` and, when the server refuses it (a 400), falls back to ``json_object``
  and remembers that for the endpoint (in the cache, so across runs too; llama-cpp-python's
  server answers a 500 naming ``response_format`` rather than a 400);
- every answer is validated with pydantic; an invalid one is sent back ONCE with the
  validation error appended, then the call gives up (the caller keeps the offline result);
- timeouts, connection errors, 429 and 5xx: ``openai``'s own retries with exponential
  backoff (``max_retries``), then give up;
- answers are cached by request hash; tokens and latency are recorded per call.

Azure OpenAI: when ``llm_api_version`` is set the client is ``openai.AzureOpenAI`` with
``llm_base_url`` as the Azure endpoint and ``llm_model`` as the deployment name.
The API key is read from settings (env only) and never logged.
"""

from __future__ import annotations

import json
import time
from typing import Any, TypeVar

import httpx
import openai
from pydantic import BaseModel, ValidationError

from agent.llm.cache import ResponseCache, request_key
from agent.llm.output import error_text, strict_json_schema
from agent.llm.usage import CallRecord, RunUsage
from agent.settings import Settings

T = TypeVar("T", bound=BaseModel)
NO_KEY = "not-needed"  # local servers take any key; openai insists on one
RETRY_INSTRUCTION = ("Your answer was not valid: {errors}. Answer again with one JSON object that fits the schema, "
                     "using only the offered ids, candidates, ops and values.")


def make_openai(settings: Settings, http_client: httpx.Client | None = None) -> openai.OpenAI:
    """The ``openai`` client the settings describe (AzureOpenAI when an API version is set)."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else NO_KEY
    if settings.llm_api_version:
        return openai.AzureOpenAI(azure_endpoint=settings.llm_base_url or "", api_key=key,
                                  api_version=settings.llm_api_version, timeout=settings.llm_timeout_s,
                                  max_retries=settings.llm_max_retries, http_client=http_client)
    return openai.OpenAI(base_url=settings.llm_base_url, api_key=key, timeout=settings.llm_timeout_s,
                         max_retries=settings.llm_max_retries, http_client=http_client)


class LlmClient:
    """Structured, validated, cached chat completions against one endpoint and model."""

    def __init__(self, api: openai.OpenAI, *, model: str, mode: str = "auto", cache: ResponseCache | None = None,
                 endpoint: str = "", max_tokens_per_run: int = 0) -> None:
        self.api = api
        self.model = model
        self.mode = mode
        self.cache = cache
        self.endpoint = f"{endpoint or api.base_url}|{model}"
        self.max_tokens_per_run = max_tokens_per_run  # 0 = no budget
        self.usage = RunUsage(model=model)
        self._refused: set[str] = set()  # endpoints that refused json_schema in this process

    @classmethod
    def from_settings(cls, settings: Settings, *, http_client: httpx.Client | None = None) -> "LlmClient":
        """The client of the settings, caching in the data dir."""
        return cls(make_openai(settings, http_client), model=settings.llm_model or "", mode=settings.llm_structured_mode,
                   cache=ResponseCache.in_data_dir(settings.data_dir), endpoint=settings.llm_base_url or "",
                   max_tokens_per_run=settings.llm_max_tokens_per_run)

    def current_mode(self) -> str:
        """The structured-output mode the next request uses."""
        if self.mode != "auto":
            return self.mode
        if self.endpoint in self._refused:
            return "json_object"
        remembered = self.cache.endpoint_mode(self.endpoint) if self.cache is not None else None
        return remembered or "json_schema"

    def budget_left(self) -> bool:
        return not self.max_tokens_per_run or self.usage.total_tokens < self.max_tokens_per_run

    def structured(self, messages: list[dict[str, Any]], output: type[T], *, template: str = "", template_sha256: str = "",
                   context: dict[str, Any] | None = None, max_tokens: int | None = None) -> tuple[T | None, CallRecord]:
        """A validated answer (or None) and the record of how it was obtained.

        ``max_tokens`` caps each completion (a small model can otherwise ramble to the end of its context).
        """
        mode = self.current_mode()
        record = CallRecord(template=template, template_sha256=template_sha256, mode=mode, first_mode=mode,
                            request_hash=request_key(self.model, mode, messages))
        self.usage.add(record)
        cached = self._cached(record, mode, messages, output, context)
        if cached is not None:
            record.cached = True
            return cached, record
        if not self.budget_left():
            record.error = f"token budget of {self.max_tokens_per_run} spent"
            return None, record
        content = self._ask(record, messages, output, max_tokens)
        if content is None and record.error is None and record.mode == "json_object" and mode == "json_schema":
            cached = self._cached(record, "json_object", messages, output, context)  # fell back: the other key may be cached
            if cached is not None:
                record.cached = True
                return cached, record
            content = self._ask(record, messages, output, max_tokens)
        if content is None:
            return None, record
        answer, errors = _validate(content, output, context)
        if answer is None:
            record.retried = True
            again = [*messages, {"role": "assistant", "content": content},
                     {"role": "user", "content": RETRY_INSTRUCTION.format(errors=errors)}]
            content = self._ask(record, again, output, max_tokens, appended=again[len(messages):])
            if content is None:
                return None, record
            answer, errors = _validate(content, output, context)
            if answer is None:
                record.error = f"invalid answer after one retry: {errors}"
                return None, record
        if self.cache is not None:
            self.cache.put(request_key(self.model, record.mode, messages), self.model, record.mode, content)
        return answer, record

    def _cached(self, record: CallRecord, mode: str, messages: list[dict[str, Any]], output: type[T],
                context: dict[str, Any] | None) -> T | None:
        if self.cache is None:
            return None
        key = request_key(self.model, mode, messages)
        content = self.cache.get(key)
        if content is None:
            return None
        answer, _ = _validate(content, output, context)
        if answer is not None:  # the log keeps the cached text too: a replay answers from the log, not from a cache
            record.exchanges.append({"request_hash": key, "mode": mode, "outcome": "cached", "response": content})
        return answer

    def _ask(self, record: CallRecord, messages: list[dict[str, Any]], output: type[T], max_tokens: int | None,
             appended: list[dict[str, Any]] | None = None) -> str | None:
        """One chat completion in the record's mode; None with ``record.error`` (or a mode change) on failure.

        Every exchange is kept on the record (request hash, raw response or error, tokens,
        latency) so the audit log can answer the same request again in a replay.
        """
        exchange: dict[str, Any] = {"request_hash": request_key(self.model, record.mode, messages), "mode": record.mode,
                                    "appended": list(appended or []), "max_tokens": max_tokens}
        tokens = (record.prompt_tokens, record.completion_tokens)
        content = self._send(record, messages, output, max_tokens)
        outcome = "answered" if content is not None else "refused" if record.mode != exchange["mode"] else "failed"
        exchange.update(outcome=outcome, response=content, error=record.error, fallback=record.fallback,
                        prompt_tokens=record.prompt_tokens - tokens[0], completion_tokens=record.completion_tokens - tokens[1],
                        latency_after=record.latency_s)
        record.exchanges.append(exchange)
        return content

    def _send(self, record: CallRecord, messages: list[dict[str, Any]], output: type[T], max_tokens: int | None) -> str | None:
        started = time.perf_counter()
        extra: dict[str, Any] = {"max_tokens": max_tokens} if max_tokens else {}
        try:
            response = self.api.chat.completions.create(model=self.model, messages=messages,  # type: ignore[arg-type]
                                                        response_format=_response_format(record.mode, output),  # type: ignore[arg-type]
                                                        temperature=0, **extra)
        except openai.APIStatusError as exc:
            record.requests += 1
            record.latency_s += time.perf_counter() - started
            if record.mode == "json_schema" and self.mode == "auto" and _refuses_schema(exc):
                # the server does not take strict schemas: json_object from now on, for this endpoint
                self._refused.add(self.endpoint)
                if self.cache is not None:
                    self.cache.remember_mode(self.endpoint, "json_object")
                record.fallback = f"json_schema refused ({exc.status_code}); json_object used"
                record.mode = "json_object"
                return None
            if isinstance(exc, openai.BadRequestError):
                record.error = f"request refused: {_short(exc.message)}"  # openai's message starts with the status
            else:
                record.error = f"{type(exc).__name__}: {_short(str(exc))}"
            return None
        except openai.APITimeoutError:
            record.requests += 1
            record.latency_s += time.perf_counter() - started
            record.error = "timed out"
            return None
        except openai.APIConnectionError as exc:
            record.requests += 1
            record.latency_s += time.perf_counter() - started
            record.error = f"{type(exc).__name__}: {_short(str(exc))}"
            return None
        record.requests += 1
        record.latency_s = round(record.latency_s + time.perf_counter() - started, 4)
        usage = getattr(response, "usage", None)
        if usage is not None:
            record.prompt_tokens += int(usage.prompt_tokens or 0)
            record.completion_tokens += int(usage.completion_tokens or 0)
        choices = response.choices or []
        content = choices[0].message.content if choices else None
        return content or ""


def _refuses_schema(exc: openai.APIStatusError) -> bool:
    """Did the server refuse the json_schema response format (rather than, say, a too long prompt)?
    OpenAI and vLLM answer 400 naming it; llama-cpp-python's server a 500 with its validation message."""
    text = str(exc).lower()
    return exc.status_code in (400, 422, 500, 501) and ("response_format" in text or "json_schema" in text)


def _response_format(mode: str, output: type[BaseModel]) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema",
                "json_schema": {"name": output.__name__, "strict": True, "schema": strict_json_schema(output)}}
    return {"type": "json_object"}


def _validate(content: str, output: type[T], context: dict[str, Any] | None) -> tuple[T | None, str]:
    try:
        return output.model_validate_json(_unfenced(content), context=context), ""
    except ValidationError as exc:
        return None, error_text(exc)


def _unfenced(content: str) -> str:
    """Small models wrap JSON in a Markdown fence even in JSON mode; take what is inside."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip() or json.dumps(None)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
