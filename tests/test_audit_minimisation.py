"""Data minimisation: no raw personal value from a dataset reaches the audit log unless a setting allows it.

The demo custody export (surnames, forenames, dates of birth, postcodes, PNC IDs, NHS
numbers) goes through propose, review decisions (an edit, approvals, a rejection, the
resume) and apply, and the whole serialized log is searched for every such value.
``audit_raw_values`` lets the review evidence keep raw sample values; ``llm_send_samples``
puts raw samples into the LLM messages, which are logged exactly as sent.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from agent.audit import list_events
from agent.jobs.apply_job import ApplyRequest, run_apply_job
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.jobs.review_job import decide_item
from agent.llm import LlmAssist
from agent.minimisation import masked_reason, masked_value, value_digest
from agent.settings import Settings
from agent.store import open_session
from agent.store.review import items_of_run
from evals.demo.make_demo_data import ENCODING
from tests.llm_fakes import FakeEndpoint

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")
DEMO = Path(__file__).resolve().parent.parent / "evals" / "demo" / "custody_export.csv"
# collar numbers and row versions are short numbers that turn up as counts; these columns are what identifies a person
PERSONAL = ("SURNAME", "FORENAME(S)", "DOB", "ADDRESS POSTCODE", "PNC ID", "NHS NO")


def personal_values() -> set[str]:
    rows = list(csv.reader(io.StringIO(DEMO.read_bytes().decode(ENCODING), newline=""), delimiter=";"))
    header, data = rows[2], rows[3:]
    columns = [header.index(name) for name in PERSONAL]
    return {row[i].strip() for row in data for i in columns if len(row) > i and len(row[i].strip()) >= 3}


def leaked(text: str, values: set[str]) -> list[str]:
    """Values that appear whole in ``text`` (JSON escapes undone first)."""
    return sorted(v for v in values if v in text and re.search(rf"(?<![\w/]){re.escape(v)}(?![\w/])", text))


def serialized_log(settings: Settings) -> str:
    with open_session(settings) as session:
        events = [{"actor": e.actor, "action": e.action, "subject": e.subject, "inputs": e.inputs, "outputs": e.outputs}
                  for e in list_events(session)]
    return json.dumps(events, ensure_ascii=False)


def propose_review_apply(work: Path, **options: Any) -> Settings:
    """Alice proposes (offline unless an LLM is patched in), bob and carol decide every item, the result is applied."""
    alice = Settings(data_dir=work / "data", user="alice", **options)
    run = run_propose_job(alice, ProposeRequest(out_path=work / "proposal.json", source_path=DEMO,
                                                offline=not options.get("llm_base_url")))
    with open_session(alice) as session:
        queued = {i.target: i.id for i in items_of_run(session, run.run_id)}
    assert "/person/address/postcode" in queued, queued
    bob, carol = alice.model_copy(update={"user": "bob"}), alice.model_copy(update={"user": "carol"})
    decide_item(bob, queued["/person/address/postcode"], "edit", "keep the text as written", edit={"transform": {"op": "copy"}})
    decide_item(carol, queued["/person/address/postcode"], "approve", "fine")
    outcome = None
    for number, target in enumerate(sorted(t for t in queued if t != "/person/address/postcode")):
        outcome = decide_item(bob, queued[target], "reject" if number == 0 else "approve", "checked")
    assert outcome is not None and outcome.resumed is not None
    run_apply_job(alice, ApplyRequest(mapping_path=None, mapping_version_id=outcome.resumed.mapping_version_id,
                                      source_path=DEMO, out_path=work / "records.jsonl", rejects_path=work / "rejects.jsonl"))
    return alice


def test_no_raw_personal_value_reaches_the_audit_log(tmp_path: Path) -> None:
    settings = propose_review_apply(tmp_path)
    log = serialized_log(settings)
    assert '"review_edited"' in log and '"apply_finished"' in log and '"evidence"' in log
    assert leaked(log, personal_values()) == []
    # the evidence is still there, masked: shapes and digests of the previewed postcodes
    assert '"shape": "AA9 9AA"' in log or '"shape": "A9 9AA"' in log


def test_with_audit_raw_values_on_the_review_evidence_keeps_raw_values(tmp_path: Path) -> None:
    settings = propose_review_apply(tmp_path, audit_raw_values=True)
    log = serialized_log(settings)
    assert leaked(log, personal_values())  # the previewed postcodes, and the values apply's error examples quote
    with open_session(settings) as session:
        (edited,) = [e for e in list_events(session) if e.action == "review_edited"]
    previewed = [v for sample in edited.outputs["evidence"]["samples"] for v in sample["inputs"]]
    assert previewed and all(isinstance(v, str) for v in previewed) and set(previewed) & personal_values()


@pytest.fixture()
def endpoint(monkeypatch: pytest.MonkeyPatch) -> FakeEndpoint:
    fake = FakeEndpoint()
    monkeypatch.setattr(LlmAssist, "from_settings",
                        staticmethod(lambda settings: fake.assist(send_samples=settings.llm_send_samples)))
    return fake


@pytest.mark.parametrize("send_samples", [False, True])
def test_llm_messages_are_logged_as_sent_raw_samples_only_with_llm_send_samples(tmp_path: Path, endpoint: FakeEndpoint,
                                                                                send_samples: bool) -> None:
    settings = propose_review_apply(tmp_path, llm_base_url="http://llm.test/v1", llm_model="test-model",
                                    llm_send_samples=send_samples)
    log = serialized_log(settings)
    assert '"llm_request"' in log and endpoint.bodies
    sent = leaked(json.dumps([b["messages"] for b in endpoint.bodies], ensure_ascii=False), personal_values())
    logged = leaked(log, personal_values())
    assert logged == sent  # exactly what went to the model, nothing more
    assert bool(logged) is send_samples


def test_masking_keeps_shape_and_digest_only() -> None:
    assert masked_value("SW1A 1AA") == {"shape": "AA9A 9AA", "sha256": value_digest("SW1A 1AA")}
    assert masked_value(["O'BRIEN", None]) == [{"shape": "A'AAAAA", "sha256": value_digest("O'BRIEN")}, None]
    assert masked_reason("'ZZ9 9ZZ' is not a valid UK postcode") == "'AA9 9AA' is not a valid UK postcode"
    assert masked_reason("4594397999 is not a valid NHS number (check digit should be 3, not 9)").startswith("9999999999 is not")
