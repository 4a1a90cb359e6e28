"""``crosswalk propose --llm`` / ``--llm-send-samples`` and ``crosswalk eval --llm`` on a fake endpoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from agent.audit import list_events
from agent.cli import app
from agent.llm import LlmAssist
from agent.llm.cache import ResponseCache
from agent.settings import Settings
from agent.store import Run, open_session
from tests.llm_fakes import FakeEndpoint
from tests.propose_data import custody_rows, custody_schema, write_csv, write_schema

WIDE = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}
CONFIGURED = {**WIDE, "CROSSWALK_LLM_BASE_URL": "http://llm.test/v1", "CROSSWALK_LLM_MODEL": "test-model",
              "CROSSWALK_LLM_API_KEY": "sk-cli-secret"}


pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


@pytest.fixture()
def endpoint(monkeypatch: pytest.MonkeyPatch) -> FakeEndpoint:
    """The fake endpoint behind every LlmAssist the job builds (cached in the run's data dir)."""
    fake = FakeEndpoint()

    def from_settings(settings: Settings) -> LlmAssist:
        assist = fake.assist(cache=ResponseCache.in_data_dir(settings.data_dir), send_samples=settings.llm_send_samples)
        return assist

    monkeypatch.setattr(LlmAssist, "from_settings", staticmethod(from_settings))
    return fake


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    write_csv(tmp_path / "export.csv", custody_rows())
    write_schema(tmp_path / "target.schema.json", custody_schema())
    return tmp_path


def propose(work: Path, *extra: str, env: dict[str, str] = CONFIGURED) -> Result:
    args = ["--data-dir", str(work / "data"), "propose", str(work / "export.csv"), "--target-schema",
            str(work / "target.schema.json"), "--out", str(work / "proposal.json"), *extra]
    return CliRunner().invoke(app, args, env=env)


def test_propose_with_the_llm_prints_requests_tokens_and_latency(work: Path, endpoint: FakeEndpoint) -> None:
    result = propose(work, "--llm")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("mode: LLM"))
    assert line.startswith("mode: LLM test-model (json_schema, no raw samples): 4 hard field(s) in 1 batch(es) of up to 10; "
                           "1 request(s) (0 retries, 0 mode probe(s)), 0 cached; tokens 100 in + 20 out = 120; latency ")
    doc = json.loads((work / "proposal.json").read_text(encoding="utf-8"))
    assert doc["proposed_by"]["mode"] == "llm" and doc["proposed_by"]["llm"]["requests"] == 1
    assert "sk-cli-secret" not in (work / "proposal.json").read_text(encoding="utf-8")
    with open_session(Settings(data_dir=work / "data")) as session:
        (run,) = session.exec(select(Run)).all()
        events = list_events(session, run_id=run.id)
    started = next(e for e in events if e.action == "run_started")
    assert started.inputs["llm"] == "test-model" and started.inputs["llm_send_samples"] is False
    assert [e.action for e in events].count("llm_request") == 1
    assert all("sk-cli-secret" not in json.dumps([e.inputs, e.outputs]) for e in events)
    # the same run again: answered from the cache in the data dir, no request
    again = propose(work)
    assert again.exit_code == 0, again.output
    assert "0 request(s) (0 retries, 0 mode probe(s)), 1 cached" in again.stdout and len(endpoint.bodies) == 1


def test_llm_send_samples_is_recorded(work: Path, endpoint: FakeEndpoint) -> None:
    result = propose(work, "--llm-send-samples")
    assert result.exit_code == 0, result.output
    assert "(json_schema, raw samples sent)" in result.stdout
    with open_session(Settings(data_dir=work / "data")) as session:
        events = list_events(session)
    assert next(e for e in events if e.action == "run_started").inputs["llm_send_samples"] is True
    assert {e.inputs["send_samples"] for e in events if e.action == "llm_request"} == {True}


def test_offline_makes_no_request_even_when_configured(work: Path, endpoint: FakeEndpoint) -> None:
    result = propose(work, "--offline")
    assert result.exit_code == 0, result.output
    assert "mode: offline" in result.stdout and endpoint.bodies == []


def test_llm_without_an_endpoint_is_refused(work: Path) -> None:
    result = propose(work, "--llm", env=WIDE)
    assert result.exit_code == 2
    assert "--llm needs an endpoint: set CROSSWALK_LLM_BASE_URL and CROSSWALK_LLM_MODEL" in result.stderr


def test_eval_with_the_llm_runs_both_paths_side_by_side(endpoint: FakeEndpoint) -> None:
    case = Path(__file__).parents[1] / "evals" / "cases" / "custody_niche_cp1252"
    result = CliRunner().invoke(app, ["eval", str(case), "--llm", "--json"], env=CONFIGURED)
    assert result.exit_code == 0, result.output
    suites: list[dict[str, Any]] = json.loads(result.stdout)["suites"]
    assert [s["label"] for s in suites] == ["crosswalk offline", "crosswalk LLM test-model"]
    offline, llm = (s["summary"] for s in suites)
    assert offline["llm_requests"] == 0 and llm["llm_requests"] == len(endpoint.bodies) >= 1
    assert llm["llm_tokens"] == 120 * llm["llm_requests"]
    assert llm["auto_precision"] >= offline["auto_precision"]


def test_eval_llm_without_an_endpoint_is_refused() -> None:
    case = Path(__file__).parents[1] / "evals" / "cases" / "custody_niche_cp1252"
    result = CliRunner().invoke(app, ["eval", str(case), "--llm"], env=WIDE)
    assert result.exit_code == 2 and "--llm needs an endpoint" in result.stderr
