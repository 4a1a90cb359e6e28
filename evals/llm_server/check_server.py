"""Probe an OpenAI-compatible server for the structured-output modes crosswalk uses.

Run with the project's venv (it has ``openai``)::

    .venv/bin/python evals/llm_server/check_server.py [--base-url URL] [--model NAME]

Sends, through the ``openai`` package:

(a) a plain chat completion;
(b) ``response_format={"type": "json_object"}`` with the JSON schema in the prompt
    (the mode crosswalk falls back to on llama.cpp-style servers);
(c) ``response_format={"type": "json_schema", "json_schema": {..., "strict": true}}``;
(d) llama-cpp-python's extension ``{"type": "json_object", "schema": {...}}`` (grammar
    constrained to the schema; other servers ignore or reject the extra key).

For each it prints whether the server accepted the mode (HTTP 2xx), latency,
token counts, completion tokens/s, whether the content parses as JSON and whether it
has the schema's required keys. A small model such as SmolLM2-135M answers badly;
this only checks the modes work and responses are well-formed. Exit code 0 when the
server answered (a) and at least one JSON mode, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import openai

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "field": {"type": "string"},
        "target": {"type": "string", "enum": ["custody_id", "arrest_date", "offence_code", "none"]},
        "confidence": {"type": "number"},
    },
    "required": ["field", "target", "confidence"],
    "additionalProperties": False,
}

SYSTEM = "You map columns of a police dataset onto a target standard. Answer with JSON only."
QUESTION = (
    "Source column 'CUST_REF', type string, values look like 'AA999999'. "
    "Which target field is it? Choose target from custody_id, arrest_date, offence_code, none."
)


def _probe(client: openai.OpenAI, model: str, name: str, max_tokens: int, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"mode": name}
    t0 = time.perf_counter()
    try:
        resp = client.chat.completions.create(model=model, max_tokens=max_tokens, temperature=0, **kwargs)
    except openai.APIStatusError as exc:
        result.update(accepted=False, status=exc.status_code, error=str(exc)[:300])
        result["latency_s"] = round(time.perf_counter() - t0, 2)
        return result
    except openai.APIError as exc:  # connection / timeout
        result.update(accepted=False, status=None, error=f"{type(exc).__name__}: {exc}"[:300])
        result["latency_s"] = round(time.perf_counter() - t0, 2)
        return result
    latency = time.perf_counter() - t0
    choice = resp.choices[0]
    content = choice.message.content or ""
    usage = resp.usage
    result.update(
        accepted=True,
        status=200,
        latency_s=round(latency, 2),
        model=resp.model,
        finish_reason=choice.finish_reason,
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
        content=content[:400],
    )
    if usage and usage.completion_tokens:
        result["completion_tok_per_s"] = round(usage.completion_tokens / latency, 1)
    if name != "plain":
        try:
            parsed = json.loads(content)
            result["json_valid"] = True
            result["has_required_keys"] = isinstance(parsed, dict) and all(k in parsed for k in SCHEMA["required"])
        except json.JSONDecodeError as exc:
            result["json_valid"] = False
            result["json_error"] = str(exc)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", default=os.environ.get("CROSSWALK_LLM_BASE_URL", "http://127.0.0.1:8765/v1"))
    ap.add_argument("--model", default=os.environ.get("CROSSWALK_LLM_MODEL"), help="default: first id of /v1/models")
    ap.add_argument("--api-key", default=os.environ.get("CROSSWALK_LLM_API_KEY", "sk-local-no-key"))
    ap.add_argument("--max-tokens", type=int, default=96)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--json", action="store_true", help="print the results as one JSON document")
    args = ap.parse_args(argv)

    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, timeout=args.timeout, max_retries=0)
    t0 = time.perf_counter()
    models = [m.id for m in client.models.list().data]
    models_latency = round(time.perf_counter() - t0, 3)
    model = args.model or models[0]

    schema_text = json.dumps(SCHEMA)
    plain = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]
    with_schema = [
        {"role": "system", "content": f"{SYSTEM}\nThe JSON must match this JSON Schema:\n{schema_text}"},
        {"role": "user", "content": QUESTION},
    ]
    results = [
        _probe(client, model, "plain", args.max_tokens, messages=plain),
        _probe(
            client, model, "json_object", args.max_tokens,
            messages=with_schema, response_format={"type": "json_object"},
        ),
        _probe(
            client, model, "json_schema_strict", args.max_tokens,
            messages=with_schema,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "field_mapping", "schema": SCHEMA, "strict": True},
            },
        ),
        _probe(
            client, model, "json_object+schema (llama-cpp ext)", args.max_tokens,
            messages=with_schema, response_format={"type": "json_object", "schema": SCHEMA},
        ),
    ]

    if args.json:
        print(json.dumps({"base_url": args.base_url, "models": models, "model": model,
                          "models_latency_s": models_latency, "results": results}, indent=2))
    else:
        print(f"base_url: {args.base_url}")
        print(f"/v1/models: {models} ({models_latency}s); using model: {model}")
        for r in results:
            print(f"\n== {r['mode']}: {'ACCEPTED' if r['accepted'] else 'REJECTED'} (status {r['status']}, {r['latency_s']}s)")
            for k in ("finish_reason", "prompt_tokens", "completion_tokens", "completion_tok_per_s",
                      "json_valid", "has_required_keys", "json_error", "error"):
                if k in r:
                    print(f"   {k}: {r[k]}")
            if "content" in r:
                print(f"   content: {r['content']!r}")
        print("\nsummary:")
        for r in results:
            extra = ""
            if "json_valid" in r:
                extra = f" json_valid={r['json_valid']} required_keys={r.get('has_required_keys')}"
            print(f"  {r['mode']:<36} accepted={r['accepted']!s:<5} latency={r['latency_s']}s{extra}")

    plain_ok = results[0]["accepted"]
    json_ok = any(r["accepted"] for r in results[1:])
    return 0 if plain_ok and json_ok else 1


if __name__ == "__main__":
    sys.exit(main())
