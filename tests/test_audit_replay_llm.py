"""Replaying runs that asked an LLM: every answer comes from the audit log, nothing is sent.

One run goes through a fake endpoint that refuses ``json_schema`` once, answers
invalidly once and then validly (so the replay must take the fallback and the retry
exactly as the run did), and is reviewed by people; another is the vcrpy cassette of a
real llama.cpp server answering the propose job. The replays run with the network
blocked and with the job's LLM factory made to fail, so an attempted request would show.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent.audit import list_events
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.jobs.replay_job import replay_run
from agent.jobs.review_job import decide_item
from agent.llm import LlmAssist
from agent.llm import rerank as rerank_module
from agent.settings import Settings
from agent.store import open_session
from agent.store.review import items_of_run
from tests.llm_fakes import FakeEndpoint, agreeing
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema
from tests.test_llm_cassettes import client as cassette_client

pytestmark = [pytest.mark.usefixtures("clean_crosswalk_env"), pytest.mark.block_network]
CONFIGURED = {"llm_base_url": "http://llm.test/v1", "llm_model": "test-model"}


def refuse_then_invalid_then_agree() -> FakeEndpoint:
    """json_schema refused (a 400 naming response_format), then a bad answer, then a good one; good ever after."""
    answers: list[Any] = [httpx.Response(400, json={"error": {"message": "response_format json_schema is not supported"}}),
                          '{"fields": "not a list"}']

    def respond(body: dict[str, Any]) -> httpx.Response | str:
        return answers.pop(0) if answers else agreeing(body)

    return FakeEndpoint(respond)


def use_llm(monkeypatch: pytest.MonkeyPatch, make: Any) -> None:
    monkeypatch.setattr(LlmAssist, "from_settings", staticmethod(make))


def no_llm_in_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(settings: Settings) -> LlmAssist:
        raise AssertionError("a replay must not build an LLM client")

    use_llm(monkeypatch, refuse)


def workspace(tmp_path: Path) -> tuple[Path, Path]:
    return write_csv(tmp_path / "export.csv", custody_rows()), write_schema(tmp_path / "target.schema.json", custody_schema())


def propose_with_llm(tmp_path: Path, user: str = "alice") -> tuple[Settings, str]:
    source, schema = workspace(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", user=user, **CONFIGURED)
    outcome = run_propose_job(settings, ProposeRequest(out_path=tmp_path / "proposal.json", source_path=source,
                                                       target_schema_path=schema))
    assert outcome.llm_usage is not None and outcome.llm_usage["requests"] >= 1
    return settings, outcome.run_id


def decide_all(settings: Settings, run_id: str) -> str:
    with open_session(settings) as session:
        queued = {i.target: i.id for i in items_of_run(session, run_id)}
    bob = settings.model_copy(update={"user": "bob"})
    outcome = None
    for number, (target, item_id) in enumerate(sorted(queued.items())):
        outcome = decide_item(bob, item_id, "reject" if number == 0 else "approve", f"checked {target}")
    assert outcome is not None and outcome.resumed is not None
    return outcome.resumed.mapping_version_id


def test_a_reviewed_llm_run_is_replayed_from_the_log_with_fallback_and_retry(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = refuse_then_invalid_then_agree()
    use_llm(monkeypatch, lambda settings: endpoint.assist())
    settings, run_id = propose_with_llm(tmp_path)
    reviewed = decide_all(settings, run_id)
    sent = len(endpoint.bodies)
    assert sent == 3  # refused, invalid, then the retry's valid answer
    with open_session(settings) as session:
        events = list_events(session, run_id=run_id)
    (request,) = [e for e in events if e.action == "llm_request"]
    in_force = next(e for e in events if e.action == "run_started").inputs["settings"]
    assert (in_force["llm_model"], in_force["llm_base_url"], in_force["llm_send_samples"]) == ("test-model", "http://llm.test/v1", False)
    assert "llm_api_key" not in in_force and in_force["reference_date"] and in_force["auto_accept_threshold"] == 0.9
    # what the log holds of the request: model, template and hash, the exact messages, every exchange's raw answer
    assert request.inputs["model"] == "test-model" and request.inputs["template"] == "rerank_fields.v1"
    assert request.inputs["messages"] == endpoint.bodies[0]["messages"] and len(request.inputs["request_hash"]) == 64
    exchanges = request.outputs["exchanges"]
    assert [e["outcome"] for e in exchanges] == ["refused", "answered", "answered"]
    assert exchanges[1]["response"] == '{"fields": "not a list"}' and exchanges[2]["appended"][-1]["role"] == "user"
    assert exchanges[2]["prompt_tokens"] == 100 and exchanges[2]["latency_after"] > 0
    assert "sk-test-secret" not in json.dumps([request.inputs, request.outputs])

    no_llm_in_replay(monkeypatch)
    report = replay_run(settings, run_id)
    assert report.reproduced and report.identical and report.recorded_version == reviewed, report.model_dump_json(indent=1)
    assert (report.llm_answers_replayed, report.llm_requests_missing) == (3, 0)
    assert report.decisions_reapplied >= 1 and len(endpoint.bodies) == sent


def test_a_request_the_log_does_not_hold_is_missing_and_keeps_the_offline_result(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = FakeEndpoint()
    use_llm(monkeypatch, lambda settings: endpoint.assist())
    settings, run_id = propose_with_llm(tmp_path)
    no_llm_in_replay(monkeypatch)
    monkeypatch.setattr(rerank_module, "SYSTEM", "A changed system prompt.")  # every request now hashes differently
    report = replay_run(settings, run_id)
    assert report.llm_answers_replayed == 0 and report.llm_requests_missing == 1 and len(endpoint.bodies) == 1
    assert any("not in the log" in note for note in report.notes) and not report.identical


@pytest.mark.vcr  # the recorded llama.cpp exchange of test_llm_cassettes (same data, hence the same request)
def test_a_run_answered_by_a_real_server_is_replayed_from_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_llm(monkeypatch, lambda settings: LlmAssist(cassette_client("json_object")))
    settings, run_id = propose_with_llm(tmp_path)
    with open_session(settings) as session:
        (request,) = [e for e in list_events(session, run_id=run_id) if e.action == "llm_request"]
    assert request.outputs["exchanges"] and all(e["response"] is not None for e in request.outputs["exchanges"])
    no_llm_in_replay(monkeypatch)
    report = replay_run(settings, run_id)
    assert report.reproduced and report.identical, report.model_dump_json(indent=1)
    assert report.llm_answers_replayed == len(request.outputs["exchanges"]) > 0 and report.llm_requests_missing == 0


def test_settings_are_recorded_without_credentials() -> None:
    from agent.replay.run_settings import settings_record, without_credentials

    assert without_credentials("https://user:pw@llm.example/v1") == "https://llm.example/v1"
    recorded = settings_record(Settings(llm_base_url="http://u:secret@h:8080/v1", llm_api_key="sk-x"), date(2024, 5, 1))
    assert recorded["llm_base_url"] == "http://h:8080/v1" and "secret" not in json.dumps(recorded) and "sk-x" not in json.dumps(recorded)
    assert recorded["reference_date"] == "2024-05-01"
