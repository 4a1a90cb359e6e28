"""The LLM paths against a real OpenAI-compatible server, replayed from vcrpy cassettes.

Recorded against llama-cpp-python's server with SmolLM2-135M-Instruct on loopback
(``evals/llm_server/record_cassettes.sh tests/test_llm_cassettes.py``); replayed with
record mode ``none`` and the network blocked, so these run anywhere. The model answers
badly: the assertions are the safety properties that must hold whatever it says.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from agent.llm import LlmAssist, LlmClient
from tests.conftest import CASSETTES, recording
from tests.llm_graph import run_llm_graph
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tests.test_graph import ListSink
from tools.propose import reason_code

# What the cassettes were recorded against; while recording, the script's server and model.
RECORDED_BASE_URL = "http://127.0.0.1:8765/v1"
RECORDED_MODEL = "SmolLM2-135M-Instruct"
PERSONAL = ("CUST_NO", "SNAME", "FNAMES", "D.O.B", "HOME_PCODE", "NHS_NO", "VEH_REG", "OIC_COLLAR")

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]


def client(mode: str) -> LlmClient:
    base = os.environ.get("CROSSWALK_LLM_BASE_URL", RECORDED_BASE_URL) if recording() else RECORDED_BASE_URL
    model = os.environ.get("CROSSWALK_LLM_MODEL", RECORDED_MODEL) if recording() else RECORDED_MODEL
    api = openai.OpenAI(base_url=base, api_key="sk-local-no-key", max_retries=0, timeout=300,
                        http_client=httpx.Client())
    return LlmClient(api, model=model, mode=mode, cache=None)


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    target: str


MESSAGES = [{"role": "system", "content": "You answer with JSON only."},
            {"role": "user", "content": 'Map the source field "SURNAME" onto one of: /person/family_name, /person/given_name. '
                                        'Answer as {"field": "SURNAME", "target": "<pointer>"}.'}]


@pytest.mark.parametrize("mode", ["json_object", "auto"])
def test_a_structured_answer_is_valid_or_the_call_gives_up_cleanly(mode: str) -> None:
    llm = client(mode)
    answer, record = llm.structured(MESSAGES, Verdict)
    assert (answer is None) == (record.error is not None)
    assert record.requests >= 1 and record.mode in ("json_schema", "json_object")
    if answer is not None:
        assert isinstance(answer, Verdict)
    if mode == "auto":  # llama-cpp-python's server refuses json_schema (a 500): the client fell back
        assert record.mode == "json_object" and record.fallback is not None and record.requests >= 2


@pytest.fixture(scope="module")
def custody(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("llm-cassette")
    rows = custody_rows()
    return write_csv(folder / "export.csv", rows), write_schema(folder / "target.schema.json", custody_schema()), rows


def test_the_small_model_never_lowers_auto_accept_precision(custody: tuple[Path, Path, list[dict[str, str]]]) -> None:
    source, schema, _ = custody
    offline = {f["target"]: f for f in run_llm_graph(source, schema, ListSink(), offline=True)["document"]["fields"]}
    sink = ListSink()
    final = run_llm_graph(source, schema, sink, llm=LlmAssist(client("json_object")))
    merged = {f["target"]: f for f in final["document"]["fields"]}
    assert {t: f["sources"] for t, f in merged.items()} == {t: f["sources"] for t, f in offline.items()}
    assert {t for t, f in merged.items() if f["status"] == "auto_accepted"} <= \
        {t for t, f in offline.items() if f["status"] == "auto_accepted"}
    hard = sink.named("graph_rerank")[0][3]["hard_fields"]
    assert hard and len(sink.named("llm_request")) == 1  # all hard fields in one request (plus at most one retry)
    assert final["llm_usage"]["requests"] <= 2
    for target in hard:
        field = merged[target]
        (note,) = field["llm_suggestions"]
        assert field["status"] == "needs_review" and note["reason"]
        if not note["used"]:
            assert "LLM:" not in field["rationale"]
            assert {reason_code(r) for r in field["review_reasons"]} & {"llm_disagrees", "llm_unavailable"} or \
                note["reason"] == "the LLM gave no answer for this field"


def test_recorded_cassettes_hold_no_personal_value_and_no_key(custody: tuple[Path, Path, list[dict[str, str]]]) -> None:
    _, _, rows = custody
    files = sorted((CASSETTES / "test_llm_cassettes").glob("*.yaml"))
    if recording():
        pytest.skip("checked on replay, once the cassettes are written")
    assert files, "no cassettes recorded yet"
    requests = [i["request"] for f in files for i in yaml.safe_load(f.read_text(encoding="utf-8"))["interactions"]]
    assert requests and all("authorization" not in {k.lower() for k in r["headers"]} for r in requests)
    bodies = "\n".join(r["body"] if isinstance(r["body"], str) else r["body"].decode("utf-8") for r in requests)
    assert "sk-local-no-key" not in bodies
    # whole values only: a four-digit collar number also turns up inside token counts and ids
    leaked: list[Any] = sorted({row[name] for row in rows for name in PERSONAL
                                if re.search(rf"(?<![\w/]){re.escape(row[name])}(?![\w/])", bodies)})
    assert leaked == []
