"""A fake OpenAI-compatible endpoint for the LLM tests: httpx.MockTransport with scripted answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import openai

from agent.llm import LlmAssist, LlmClient
from agent.llm.cache import ResponseCache

Answer = Callable[[dict[str, Any]], httpx.Response]


def completion(content: str, *, prompt_tokens: int = 100, completion_tokens: int = 20) -> httpx.Response:
    """A chat.completions response carrying ``content``."""
    return httpx.Response(200, json={
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    })


def data_fields(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The field payloads of a rerank request (the JSON between <<<DATA and DATA>>>)."""
    text = body["messages"][1]["content"]
    block = text.rsplit("<<<DATA", 1)[1].split("DATA>>>", 1)[0]
    return list(json.loads(block)["fields"])


def agreeing(body: dict[str, Any]) -> str:
    """An answer that agrees with every offered top candidate."""
    return json.dumps({"fields": [{"id": f["id"], "target": f["offered_target"], "transform": "keep", "value_map": [],
                                   "rationale": f"{f['source_fields'][0]['name']} fits {f['offered_target']}."}
                                  for f in data_fields(body)]})


class FakeEndpoint:
    """Records every request body and answers with ``respond(body)`` (a Response or the content text)."""

    def __init__(self, respond: Callable[[dict[str, Any]], httpx.Response | str] = agreeing) -> None:
        self.respond = respond
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.raw.append(request.content)
        self.headers.append(request.headers)
        body = json.loads(request.content)
        self.bodies.append(body)
        found = self.respond(body)
        return completion(found) if isinstance(found, str) else found

    def client(self, *, mode: str = "auto", cache: ResponseCache | None = None, max_tokens_per_run: int = 0,
               timeout: float = 5.0) -> LlmClient:
        api = openai.OpenAI(base_url="http://llm.test/v1", api_key="sk-test-secret", max_retries=0, timeout=timeout,
                            http_client=httpx.Client(transport=httpx.MockTransport(self)))
        return LlmClient(api, model="test-model", mode=mode, cache=cache, max_tokens_per_run=max_tokens_per_run)

    def assist(self, **kwargs: Any) -> LlmAssist:
        batch_size = kwargs.pop("batch_size", 10)
        send_samples = kwargs.pop("send_samples", False)
        return LlmAssist(self.client(**kwargs), batch_size=batch_size, send_samples=send_samples)
