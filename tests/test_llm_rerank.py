"""The rerank node in the graph: no-op offline, batching, merging, fallback, caching; never auto-accepts."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent.llm.cache import ResponseCache
from agent.llm.merge import LLM_DISAGREES, LLM_UNAVAILABLE, LLM_VALUE_MAP
from prompts import load_prompt
from tests.llm_fakes import FakeEndpoint, agreeing, data_fields
from tests.llm_graph import run_llm_graph
from tests.propose_data import custody_rows, custody_schema, leaf_schema, write_csv, write_schema
from tests.test_graph import ListSink
from tools.propose import ProposeSettings, reason_code

# with this threshold no field can be auto-accepted, so every proposed field is hard
ALL_HARD = ProposeSettings(auto_accept_threshold=1.0)


@pytest.fixture(scope="module")
def custody(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("llm-custody")
    return write_csv(folder / "export.csv", custody_rows()), write_schema(folder / "target.schema.json", custody_schema())


@pytest.fixture(scope="module")
def offline_doc(custody: tuple[Path, Path]) -> dict[str, Any]:
    return run_llm_graph(*custody, ListSink(), offline=True)["document"]


def fields_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["target"]: f for f in doc["fields"]}


def test_offline_the_rerank_node_changes_nothing_and_says_why(custody: tuple[Path, Path], offline_doc: dict[str, Any]) -> None:
    endpoint = FakeEndpoint()
    sink = ListSink()
    final = run_llm_graph(*custody, sink, offline=True, llm=endpoint.assist())
    assert endpoint.bodies == [] and "llm_usage" not in final
    (event,) = sink.named("graph_rerank")
    assert event[2:] == ({"llm": "offline"}, {"skipped": True, "reason": "offline"})
    assert final["document"]["fields"] == offline_doc["fields"]


def test_without_a_configured_llm_the_rerank_node_changes_nothing(custody: tuple[Path, Path], offline_doc: dict[str, Any]) -> None:
    sink = ListSink()
    final = run_llm_graph(*custody, sink, offline=False)
    (event,) = sink.named("graph_rerank")
    assert event[2:] == ({"llm": "LLM not configured"}, {"skipped": True, "reason": "LLM not configured"})
    assert final["document"]["fields"] == offline_doc["fields"]
    assert final["document"]["proposed_by"]["llm"] == "not configured"


def test_agreement_adds_the_rationale_and_changes_no_status(custody: tuple[Path, Path], offline_doc: dict[str, Any]) -> None:
    endpoint = FakeEndpoint()
    sink = ListSink()
    final = run_llm_graph(*custody, sink, llm=endpoint.assist())
    offline, merged = fields_of(offline_doc), fields_of(final["document"])
    hard = sink.named("graph_rerank")[0][3]["hard_fields"]
    assert hard == [t for t, f in offline.items() if f["status"] == "needs_review"]
    assert {t: (f["sources"], f["transform"], f["status"]) for t, f in merged.items()} == \
        {t: (f["sources"], f["transform"], f["status"]) for t, f in offline.items()}
    for target in hard:
        (note,) = merged[target]["llm_suggestions"]
        assert note["used"] is True and note["reason"] == "agrees with the deterministic top candidate"
        assert merged[target]["rationale"] == offline[target]["rationale"] + " LLM: " + note["rationale"]
    usage = final["document"]["proposed_by"]["llm"]
    assert (usage["requests"], usage["prompt_tokens"], usage["completion_tokens"], usage["model"]) == (1, 100, 20, "test-model")
    assert final["document"]["proposed_by"]["mode"] == "llm"
    (request,) = sink.named("llm_request")
    template = load_prompt("rerank_fields.v1")
    assert (request[2]["template"], request[2]["template_sha256"]) == ("rerank_fields.v1", template.sha256)
    assert request[2]["send_samples"] is False and request[2]["fields"] == hard
    assert endpoint.bodies[0]["max_tokens"] == 64 + 160 * len(hard)  # a rambling model cannot run to its context's end


def test_the_llm_alone_never_auto_accepts(custody: tuple[Path, Path]) -> None:
    """With every field hard, an LLM agreeing on everything still leaves every field to review."""
    final = run_llm_graph(*custody, ListSink(), llm=FakeEndpoint().assist(), settings=ALL_HARD)
    assert {f["status"] for f in final["document"]["fields"]} == {"needs_review"}


def test_at_most_one_request_per_batch_of_hard_fields(custody: tuple[Path, Path]) -> None:
    endpoint = FakeEndpoint()
    sink = ListSink()
    run_llm_graph(*custody, sink, llm=endpoint.assist(), settings=ALL_HARD)
    hard = sink.named("graph_rerank")[0][3]["hard_fields"]
    assert len(hard) == 12 and len(endpoint.bodies) == math.ceil(12 / 10) == 2
    assert [len(data_fields(b)) for b in endpoint.bodies] == [10, 2]
    small = FakeEndpoint()
    run_llm_graph(*custody, ListSink(), llm=small.assist(batch_size=5), settings=ALL_HARD)
    assert [len(data_fields(b)) for b in small.bodies] == [5, 5, 2]


def disagreeing(body: dict[str, Any]) -> str:
    """Every field: the second candidate when there is one, else 'none'."""
    answers = []
    for field in data_fields(body):
        others = [c["pointer"] for c in field["candidates"] if c["pointer"] != field["offered_target"]]
        answers.append({"id": field["id"], "target": others[0] if others else "none", "transform": "keep", "value_map": [],
                        "rationale": "I prefer another target."})
    return json.dumps({"fields": answers})


def test_disagreement_sends_the_field_to_review_and_keeps_the_suggestion(custody: tuple[Path, Path],
                                                                          offline_doc: dict[str, Any]) -> None:
    final = run_llm_graph(*custody, ListSink(), llm=FakeEndpoint(disagreeing).assist(), settings=ALL_HARD)
    offline = fields_of(offline_doc)
    for target, field in fields_of(final["document"]).items():
        assert field["sources"] == offline[target]["sources"] and field["transform"] == offline[target]["transform"]
        assert field["status"] == "needs_review" and "LLM:" not in field["rationale"]
        assert LLM_DISAGREES in [reason_code(r) for r in field["review_reasons"]]
        (note,) = field["llm_suggestions"]
        assert note["used"] is False and note["target"] != target
        assert note["reason"].startswith(f"disagrees with the deterministic top candidate {target}")


def test_invalid_answers_fall_back_to_the_offline_result_with_review_and_audit(custody: tuple[Path, Path],
                                                                              offline_doc: dict[str, Any]) -> None:
    endpoint = FakeEndpoint(lambda body: '{"fields": "not a list"}')
    sink = ListSink()
    final = run_llm_graph(*custody, sink, llm=endpoint.assist())
    assert len(endpoint.bodies) == 2  # the answer, and one retry with the validation error
    (request,) = sink.named("llm_request")
    assert request[3]["retried"] is True and request[3]["error"].startswith("invalid answer after one retry: fields:")
    offline, merged = fields_of(offline_doc), fields_of(final["document"])
    for target, field in merged.items():
        assert (field["sources"], field["transform"]) == (offline[target]["sources"], offline[target]["transform"])
        if target in request[2]["fields"]:
            assert field["status"] == "needs_review"
            assert LLM_UNAVAILABLE in [reason_code(r) for r in field["review_reasons"]]
            assert field["llm_suggestions"][0]["used"] is False
        else:
            assert field["status"] == offline[target]["status"] and "llm_suggestions" not in field
    assert sink.named("graph_rerank")[0][3]["unavailable"] == {t: request[3]["error"] for t in request[2]["fields"]}


def test_a_timeout_falls_back_to_the_offline_result(custody: tuple[Path, Path], offline_doc: dict[str, Any]) -> None:
    def slow(body: dict[str, Any]) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    sink = ListSink()
    final = run_llm_graph(*custody, sink, llm=FakeEndpoint(slow).assist())
    assert sink.named("llm_request")[0][3]["error"] == "timed out"
    merged, offline = fields_of(final["document"]), fields_of(offline_doc)
    assert {t: f["sources"] for t, f in merged.items()} == {t: f["sources"] for t, f in offline.items()}
    assert [t for t, f in merged.items() if f["status"] == "auto_accepted"] == \
        [t for t, f in offline.items() if f["status"] == "auto_accepted"]
    assert final["document"]["proposed_by"]["llm"]["failed"] == 1


def test_a_second_identical_run_is_answered_from_the_cache(custody: tuple[Path, Path], tmp_path: Path) -> None:
    endpoint = FakeEndpoint()
    cache = ResponseCache(tmp_path / "llm_cache.sqlite3")
    first = run_llm_graph(*custody, ListSink(), llm=endpoint.assist(cache=cache))
    second = run_llm_graph(*custody, ListSink(), llm=endpoint.assist(cache=cache), run_id="run-again")
    assert len(endpoint.bodies) == 1
    assert second["llm_usage"]["requests"] == 0 and second["llm_usage"]["cached"] == 1
    assert second["llm_usage"]["total_tokens"] == 0
    assert fields_of(second["document"]) == fields_of(first["document"])


CRIME_ENUM = ["burglary", "robbery", "vehicle-crime", "other-crime"]


@pytest.fixture(scope="module")
def crimes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A force's own crime groups: most are police.uk categories, one is local and unplaced."""
    folder = tmp_path_factory.mktemp("crimes")
    groups = ["Burglary"] * 40 + ["Robbery"] * 30 + ["Vehicle crime"] * 20 + ["Misc Local Group"] * 10
    rows = [{"CRIME_CATEGORY": g, "REF": f"R{i:05d}"} for i, g in enumerate(groups)]
    schema = leaf_schema({"crime_category": {"type": "string", "enum": CRIME_ENUM, "description": "police.uk crime category"},
                          "reference": {"type": "string", "title": "Crime reference"}})
    return write_csv(folder / "crimes.csv", rows), write_schema(folder / "target.schema.json", schema)


def placing_the_local_group(body: dict[str, Any]) -> str:
    answers = json.loads(agreeing(body))
    for answer, field in zip(answers["fields"], data_fields(body)):
        answer["value_map"] = [{"source_value": v, "target_value": "other-crime"} for v in field["unplaced_values"]]
    return json.dumps(answers)


def test_value_map_entries_for_unplaced_codes_are_added_for_review(crimes: tuple[Path, Path]) -> None:
    offline = fields_of(run_llm_graph(*crimes, ListSink(), offline=True)["document"])["/crime_category"]
    assert offline["transform"]["mapping"] == {"Burglary": "burglary", "Robbery": "robbery", "Vehicle crime": "vehicle-crime"}
    endpoint = FakeEndpoint(placing_the_local_group)
    final = run_llm_graph(*crimes, ListSink(), llm=endpoint.assist())
    (payload,) = [f for f in data_fields(endpoint.bodies[0]) if f["offered_target"] == "/crime_category"]
    assert payload["unplaced_values"] == ["Misc Local Group"]
    assert payload["source_fields"][0]["distinct_values"] == ["Burglary", "Robbery", "Vehicle crime", "Misc Local Group"]
    field = fields_of(final["document"])["/crime_category"]
    assert field["transform"]["mapping"] == {**offline["transform"]["mapping"], "Misc Local Group": "other-crime"}
    assert field["status"] == "needs_review"
    codes = [reason_code(r) for r in field["review_reasons"]]
    assert LLM_VALUE_MAP in codes and "unplaced_values" not in codes
    assert field["llm_suggestions"][0]["used"] is True and field["validation"]["pass_rate"] == 1.0
