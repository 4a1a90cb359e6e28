"""The LLM client on a fake endpoint: structured-output modes, fallback, retry, timeout, cache, budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from agent.llm import LlmAssist
from agent.llm.cache import ResponseCache, request_key
from agent.llm.client import RETRY_INSTRUCTION, make_openai
from agent.llm.output import FieldOffer, RerankAnswer, strict_json_schema
from agent.settings import Settings
from prompts import PromptError, load_prompt
from tests.llm_fakes import FakeEndpoint


class Colour(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    hex: str


MESSAGES = [{"role": "system", "content": "JSON only."}, {"role": "user", "content": "A colour, please."}]
GOOD = '{"name": "teal", "hex": "#008080"}'


def test_json_schema_mode_sends_the_strict_schema_and_validates_the_answer() -> None:
    endpoint = FakeEndpoint(lambda body: GOOD)
    client = endpoint.client(mode="json_schema")
    answer, record = client.structured(MESSAGES, Colour, template="t.v1", template_sha256="abc")
    assert answer == Colour(name="teal", hex="#008080")
    (body,) = endpoint.bodies
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "Colour", "strict": True, "schema": strict_json_schema(Colour)}}
    assert body["model"] == "test-model" and body["messages"] == MESSAGES and body["temperature"] == 0
    assert (record.mode, record.requests, record.cached, record.retried, record.error) == ("json_schema", 1, False, False, None)
    assert (record.prompt_tokens, record.completion_tokens) == (100, 20)
    assert client.usage.summary()["total_tokens"] == 120 and client.usage.requests == 1


def test_the_strict_schema_closes_every_object_and_requires_every_property() -> None:
    schema = strict_json_schema(RerankAnswer)
    suggestion = schema["$defs"]["FieldSuggestion"]
    assert suggestion["additionalProperties"] is False
    assert suggestion["required"] == ["id", "target", "transform", "value_map", "rationale"]
    assert schema["$defs"]["ValueMapEntry"]["required"] == ["source_value", "target_value"]
    assert schema["required"] == ["fields"] and schema["additionalProperties"] is False


def test_json_object_mode_asks_for_a_json_object() -> None:
    endpoint = FakeEndpoint(lambda body: GOOD)
    answer, record = endpoint.client(mode="json_object").structured(MESSAGES, Colour)
    assert answer is not None and record.mode == "json_object"
    assert endpoint.bodies[0]["response_format"] == {"type": "json_object"}


def refuses_json_schema(body: dict[str, Any]) -> httpx.Response | str:
    if body["response_format"]["type"] == "json_schema":
        return httpx.Response(400, json={"error": {"message": "response_format json_schema is not supported", "type": "invalid_request_error"}})
    return GOOD


def test_auto_falls_back_to_json_object_when_the_server_refuses_json_schema_and_remembers(tmp_path: Path) -> None:
    endpoint = FakeEndpoint(refuses_json_schema)
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    client = endpoint.client(mode="auto", cache=cache)
    answer, record = client.structured(MESSAGES, Colour)
    assert answer == Colour(name="teal", hex="#008080")
    assert [b["response_format"]["type"] for b in endpoint.bodies] == ["json_schema", "json_object"]
    assert record.mode == "json_object" and record.requests == 2 and record.fallback is not None
    # the next request goes straight to json_object, in this client and in a new one on the same cache
    client.structured([*MESSAGES, {"role": "user", "content": "another"}], Colour)
    endpoint.client(mode="auto", cache=cache).structured([*MESSAGES, {"role": "user", "content": "a third"}], Colour)
    assert [b["response_format"]["type"] for b in endpoint.bodies] == ["json_schema", "json_object", "json_object", "json_object"]


def test_a_refused_request_in_a_fixed_mode_gives_up_without_fallback() -> None:
    endpoint = FakeEndpoint(refuses_json_schema)
    answer, record = endpoint.client(mode="json_schema").structured(MESSAGES, Colour)
    assert answer is None and record.error is not None and record.error.startswith("request refused: Error code: 400 - ")
    assert len(endpoint.bodies) == 1


def test_an_invalid_answer_is_retried_once_with_the_validation_error() -> None:
    answers = iter(['{"name": "teal"}', GOOD])
    endpoint = FakeEndpoint(lambda body: next(answers))
    answer, record = endpoint.client(mode="json_object").structured(MESSAGES, Colour)
    assert answer == Colour(name="teal", hex="#008080") and record.retried and record.requests == 2
    retry = endpoint.bodies[1]["messages"]
    assert retry[:2] == MESSAGES and retry[2] == {"role": "assistant", "content": '{"name": "teal"}'}
    assert retry[3]["role"] == "user" and retry[3]["content"] == RETRY_INSTRUCTION.format(errors="hex: Field required")


def test_invalid_json_twice_gives_up_with_the_reason() -> None:
    endpoint = FakeEndpoint(lambda body: "Sure! Here is the colour: teal")
    answer, record = endpoint.client(mode="json_object").structured(MESSAGES, Colour)
    assert answer is None and record.requests == 2 and record.retried
    assert record.error is not None and record.error.startswith("invalid answer after one retry: answer: Invalid JSON")


def test_a_fenced_json_answer_is_read() -> None:
    endpoint = FakeEndpoint(lambda body: f"```json\n{GOOD}\n```")
    answer, _ = endpoint.client(mode="json_object").structured(MESSAGES, Colour)
    assert answer == Colour(name="teal", hex="#008080")


def test_a_timeout_gives_up_with_the_reason() -> None:
    def slow(body: dict[str, Any]) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    answer, record = FakeEndpoint(slow).client(mode="json_object").structured(MESSAGES, Colour)
    assert answer is None and record.error == "timed out"


def test_a_server_error_gives_up_with_the_reason() -> None:
    endpoint = FakeEndpoint(lambda body: httpx.Response(500, json={"error": {"message": "boom"}}))
    answer, record = endpoint.client(mode="json_object").structured(MESSAGES, Colour)
    assert answer is None and record.error is not None and record.error.startswith("InternalServerError")


def test_answers_are_cached_by_request_hash(tmp_path: Path) -> None:
    endpoint = FakeEndpoint(lambda body: GOOD)
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    first, _ = endpoint.client(mode="json_schema", cache=cache).structured(MESSAGES, Colour)
    again = endpoint.client(mode="json_schema", cache=cache)
    second, record = again.structured(MESSAGES, Colour)
    assert first == second and len(endpoint.bodies) == 1
    assert record.cached and record.requests == 0 and again.usage.total_tokens == 0
    assert cache.get(request_key("test-model", "json_schema", MESSAGES)) == GOOD
    # another mode or other messages are another request
    endpoint.client(mode="json_object", cache=cache).structured(MESSAGES, Colour)
    assert len(endpoint.bodies) == 2


def test_an_invalid_answer_is_never_cached(tmp_path: Path) -> None:
    endpoint = FakeEndpoint(lambda body: "not json")
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    endpoint.client(mode="json_object", cache=cache).structured(MESSAGES, Colour)
    endpoint.client(mode="json_object", cache=cache).structured(MESSAGES, Colour)
    assert len(endpoint.bodies) == 4


def test_the_token_budget_stops_further_requests() -> None:
    endpoint = FakeEndpoint(lambda body: GOOD)
    client = endpoint.client(mode="json_object", max_tokens_per_run=100)
    client.structured(MESSAGES, Colour)
    answer, record = client.structured([*MESSAGES, {"role": "user", "content": "more"}], Colour)
    assert answer is None and record.error == "token budget of 100 spent" and len(endpoint.bodies) == 1


def test_answers_outside_the_offer_fail_validation() -> None:
    offer = FieldOffer(id="f1", target="/a", sources=["A"], op="value_map", candidates={"/a": ["x", "y"], "/b": None},
                       unplaced=["Q"])
    context = {"offers": {"f1": offer}}

    def answer(**changes: Any) -> str:
        base = {"id": "f1", "target": "/a", "transform": "keep", "value_map": [], "rationale": "r"}
        return json.dumps({"fields": [{**base, **changes}]})

    RerankAnswer.model_validate_json(answer(value_map=[{"source_value": "Q", "target_value": "y"}]), context=context)
    bad = [answer(id="f9"), answer(target="/person/nhs_number"), answer(transform='{"op": "constant", "value": "x"}'),
           answer(transform='{"op": "pipeline", "steps": [{"op": "constant", "value": 1}]}'), answer(transform="__import__('os')"),
           answer(value_map=[{"source_value": "x", "target_value": "y"}]), answer(value_map=[{"source_value": "Q", "target_value": "z"}]),
           json.dumps({"fields": [json.loads(answer())["fields"][0]] * 2})]
    for text in bad:
        with pytest.raises(ValueError):
            RerankAnswer.model_validate_json(text, context=context)


def test_the_client_follows_the_settings_and_never_shows_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROSSWALK_LLM_API_KEY", "sk-very-secret")
    settings = Settings(data_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_timeout_s=7, llm_max_retries=3)
    assert "sk-very-secret" not in repr(settings) and "sk-very-secret" not in settings.model_dump_json()
    api = make_openai(settings)
    assert (str(api.base_url), api.timeout, api.max_retries, api.api_key) == ("http://127.0.0.1:9/v1/", 7, 3, "sk-very-secret")
    azure = make_openai(settings.model_copy(update={"llm_api_version": "2024-06-01"}))
    assert type(azure).__name__ == "AzureOpenAI"
    assist = LlmAssist.from_settings(settings)
    assert assist is not None and assist.client.cache is not None and assist.client.cache.path == tmp_path / "llm_cache.sqlite3"
    assert LlmAssist.from_settings(Settings(data_dir=tmp_path)) is None


def test_prompt_templates_are_versioned_and_hashed() -> None:
    template = load_prompt("rerank_fields.v1")
    assert template.placeholders() == {"allowed_ops", "output_schema", "fields_json"}
    assert len(template.sha256) == 64
    text = template.render(allowed_ops="copy", output_schema="{}", fields_json='{"x": "{allowed_ops}"}')
    assert '{"x": "{allowed_ops}"}' in text  # a value is never substituted into again
    with pytest.raises(PromptError):
        template.render(allowed_ops="copy")
    with pytest.raises(PromptError):
        load_prompt("../secrets")


def test_auto_also_falls_back_on_llama_cpp_pythons_500_naming_the_response_format() -> None:
    def llama_cpp(body: dict[str, Any]) -> httpx.Response | str:
        if body["response_format"]["type"] == "json_schema":
            message = "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or 'json_object'"
            return httpx.Response(500, json={"error": {"message": message, "type": "internal_server_error"}})
        return GOOD

    endpoint = FakeEndpoint(llama_cpp)
    answer, record = endpoint.client(mode="auto").structured(MESSAGES, Colour)
    assert answer is not None and record.mode == "json_object" and record.requests == 2
    other = FakeEndpoint(lambda body: httpx.Response(500, json={"error": {"message": "out of memory"}}))
    answer, record = other.client(mode="auto").structured(MESSAGES, Colour)
    assert answer is None and record.mode == "json_schema" and len(other.bodies) == 1


def test_a_400_for_another_reason_is_not_taken_for_a_refused_schema() -> None:
    endpoint = FakeEndpoint(lambda body: httpx.Response(400, json={"error": {"message": "maximum context length exceeded"}}))
    answer, record = endpoint.client(mode="auto").structured(MESSAGES, Colour)
    assert answer is None and record.mode == "json_schema" and record.fallback is None
    assert record.error == "request refused: Error code: 400 - maximum context length exceeded"
