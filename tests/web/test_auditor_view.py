"""The auditor's view of a run: the timeline with its evidence, verifying the whole log, and replaying the run."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from agent.audit import latest_event, list_events, record_event
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.jobs.review_job import decide_item
from agent.settings import Settings
from agent.store import open_session
from agent.store.review import items_of_run
from review_ui.routes import audit_trail
from tests.web.conftest import DEMO_EXPORT, csrf_of
from tests.web.test_audit_trail import tamper
from tools.propose import value_maps
from tools.standards import bundled_standard_path

ClientAs = Callable[[str], TestClient]
ROLES = {"sam": "staff", "sue": "supervisor", "avery": "auditor", "ada": "admin"}
MAY_REPLAY = {"sue", "avery", "ada"}


@pytest.fixture(autouse=True)
def _fresh_verifications() -> Iterator[None]:
    audit_trail.VERIFICATIONS.clear()
    yield
    audit_trail.VERIFICATIONS.clear()


def decide_all(settings: Settings, run_id: str) -> None:
    """sid edits the sex codes, sue approves everything (the last approval resumes the run)."""
    with open_session(settings) as session:
        items = {i.target: i.id for i in items_of_run(session, run_id)}
    sid, sue = settings.model_copy(update={"user": "sid"}), settings.model_copy(update={"user": "sue"})
    decide_item(sid, items["/person/sex"], "edit", "lower-case codes too",
                edit={"transform": {"op": "value_map", "mapping": {"M": "male", "F": "female", "U": "unknown"},
                                    "case_insensitive": True}})
    for target in sorted(items):
        outcome = decide_item(sue, items[target], "approve", f"checked {target}")
    assert outcome.resumed is not None


def post_replay(browser: TestClient, run_id: str, *, live: bool = False) -> httpx.Response:
    token = csrf_of(browser, f"/runs/{run_id}/audit")
    data = {"csrf_token": token, **({"live": "1"} if live else {})}
    return browser.post(f"/runs/{run_id}/audit/replay", data=data)


def text_of(html: str) -> str:
    """The page's text with tags dropped and whitespace folded (for phrases that span markup)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ---- timeline ---------------------------------------------------------------------------------------------


def test_the_timeline_groups_the_runs_events_by_step_with_their_evidence(users: object, seeded_run: str,
                                                                         client_as: ClientAs) -> None:
    page = client_as("avery").get(f"/runs/{seeded_run}/audit").text
    steps = re.findall(r'<span class="step-label">([^<]+)</span>', page)
    assert steps[:8] == ["Run", "Read the source", "Profile", "Retrieve from memory", "Propose", "Rerank with the LLM",
                         "Validate and repair", "Route"]
    assert "Queued for review" in steps and "Mapping version stored" in steps
    assert "custody_export.csv: 15 fields, csv" in page  # the read step's summary
    assert "cp1252" in page  # ... and its recorded outputs
    assert "sam" in page and "integration staff (today)" in page  # the actor and the account's role


def test_an_llm_request_shows_model_template_tokens_latency_and_folded_messages(users: object, seeded_run: str,
                                                                               client_as: ClientAs, web_settings: Settings) -> None:
    messages = [{"role": "system", "content": "You map fields."}, {"role": "user", "content": "SEX <img src=x onerror=alert(1)>"}]
    with open_session(web_settings) as session:
        record_event(session, "sam", "llm_request", f"run:{seeded_run}",
                     {"template": "rerank", "template_sha256": "ab" * 32, "model": "gpt-test", "mode": "json_schema",
                      "fields": ["/person/sex"], "request_hash": "cd" * 32, "messages": messages},
                     {"prompt_tokens": 812, "completion_tokens": 64, "latency_s": 1.234, "requests": 1, "cached": False,
                      "mode": "json_schema", "exchanges": [{"request_hash": "cd" * 32, "mode": "json_schema", "outcome": "answered",
                                                            "response": '{"fields": [{"id": "f1", "note": "<b>ok</b>"}]}',
                                                            "prompt_tokens": 812, "completion_tokens": 64}],
                      "answered": ["/person/sex"]}, seeded_run)
    page = client_as("ada").get(f"/runs/{seeded_run}/audit").text
    shown = text_of(page)
    assert "LLM request" in page and "gpt-test" in page and "rerank" in page
    assert f'title="{"ab" * 32}"' in page and "abababababababab…" in page  # the template's hash
    assert "812 prompt · 64 completion" in shown and "1.23 s" in shown
    assert "Messages sent (2)" in page and "Raw response (1)" in page
    assert "<details class=\"llm-messages\">" in page  # folded
    assert "<img src=x" not in page and "SEX &lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>ok</b>" not in page and "&lt;b&gt;ok&lt;/b&gt;" in page


def test_review_decisions_and_the_replay_appear_in_the_timeline_escaped(users: object, seeded_run: str, client_as: ClientAs,
                                                                       web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        item = next(i for i in items_of_run(session, seeded_run) if i.target == "/person/address/postcode")
    decide_item(web_settings.model_copy(update={"user": "sue"}), item.id, "reject", "<script>alert('x')</script> wrong")
    page = client_as("avery").get(f"/runs/{seeded_run}/audit").text
    assert "Review decisions" in page and "review rejected" in page
    assert "<script>alert(" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; wrong" in page
    # the decision event records the decider's role, so it is shown as recorded, not as "(today)"
    assert 'title="Role recorded with the event">supervisor</span>' in page


# ---- verify -----------------------------------------------------------------------------------------------


def test_verify_now_reports_intact_then_the_broken_event_after_tampering(users: object, seeded_run: str, client_as: ClientAs,
                                                                         web_settings: Settings) -> None:
    browser = client_as("avery")
    token = csrf_of(browser, f"/runs/{seeded_run}/audit")
    done = browser.post(f"/runs/{seeded_run}/audit/verify", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/runs/{seeded_run}/audit"
    with open_session(web_settings) as session:
        head, events = latest_event(session), len(list_events(session))
    assert head is not None
    page = browser.get(done.headers["location"]).text
    assert f"Audit log intact: {events} events, head {head.hash}." in page  # the flash
    assert f"intact: {events} events, head" in text_of(page) and head.hash in page
    assert "by avery" in page

    tamper(web_settings, 5)
    cached = browser.get(f"/runs/{seeded_run}/audit").text
    assert "Chain intact" in cached  # the head did not move: the page shows the latest verification...
    token = csrf_of(browser, f"/runs/{seeded_run}/audit")
    page = browser.post(f"/runs/{seeded_run}/audit/verify", data={"csrf_token": token}).text  # ...until verified again
    assert "Chain broken" in page and "Chain intact" not in page
    assert "Audit log broken: 1 problem(s); first: event 5: content does not match its hash" in page
    assert 'First broken link: <a href="#event-5">event 5</a>' in page
    assert "hash recomputed from the content" in page and "hash stored with the event" in page
    assert "mallory" in page


def test_a_new_event_invalidates_the_cached_status_of_a_large_log(users: object, seeded_run: str, client_as: ClientAs,
                                                                  web_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_trail, "AUTO_VERIFY_MAX_EVENTS", 0)  # as if the log were too large to verify on view
    browser = client_as("sue")
    first = browser.get(f"/runs/{seeded_run}/audit").text
    assert "Not verified" in first and "Verify the whole log now" in first
    browser.post(f"/runs/{seeded_run}/audit/verify", data={"csrf_token": csrf_of(browser, f"/runs/{seeded_run}/audit")})
    assert "Chain intact" in browser.get(f"/runs/{seeded_run}/audit").text
    with open_session(web_settings) as session:
        record_event(session, "sam", "note_added", f"run:{seeded_run}", {}, {}, seeded_run)
        head = latest_event(session)
    assert head is not None
    stale = text_of(browser.get(f"/runs/{seeded_run}/audit").text)
    assert f"The log has grown to event #{head.seq} since it was last verified (up to event #{head.seq - 1}" in stale
    assert "Chain intact" not in stale


# ---- replay -----------------------------------------------------------------------------------------------


def test_replaying_the_decided_seeded_run_reports_reproduced(users: object, seeded_run: str, client_as: ClientAs,
                                                             web_settings: Settings) -> None:
    decide_all(web_settings, seeded_run)
    response = post_replay(client_as("avery"), seeded_run)
    assert response.status_code == 200, response.text[-2000:]
    shown = text_of(response.text)
    assert "Reproduced The replay produced the recorded mapping version (identical document)" in shown
    assert "Decisions re-applied 5" in shown and "LLM answers replayed 0" in shown and "LLM requests missing 0" in shown
    assert "run replayed" in response.text  # the replay's own event, by the auditor
    with open_session(web_settings) as session:
        logged = list_events(session, seeded_run)[-1]
    assert (logged.action, logged.actor, logged.outputs["reproduced"]) == ("run_replayed", "avery", True)


def test_replay_after_a_matcher_changed_shows_the_field_diff(users: object, seeded_run: str, client_as: ClientAs,
                                                            web_settings: Settings, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    decide_all(web_settings, seeded_run)
    vocab = json.loads(value_maps.VOCAB_PATH.read_text(encoding="utf-8"))
    vocab["domains"]["sex"]["values"]["female"] = [s for s in vocab["domains"]["sex"]["values"]["female"] if s != "f"]
    (tmp_path / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    changed = value_maps.load_vocabulary(str(tmp_path / "vocab.json"))
    monkeypatch.setattr(value_maps, "load_vocabulary", lambda path=None: changed)
    response = post_replay(client_as("sue"), seeded_run)
    assert response.status_code == 200, response.text[-2000:]
    page, shown = response.text, text_of(response.text)
    assert "Not reproduced" in shown and "field(s) differ from the recorded version" in shown
    # sid's explicit value map keeps the field, but the matcher no longer vouches for 'f': its confidence drops
    section = page[page.index('aria-label="changed /person/sex"'):]
    section = section[:section.index("</section>")]
    recorded, replayed = re.findall(r'<th scope="row">confidence</th><td class="diff-before"><pre class="json">([^<]+)</pre>'
                                    r'</td><td class="diff-after"><pre class="json">([^<]+)</pre>', section)[0]
    assert float(replayed) < float(recorded)
    assert "<th scope=\"col\">Recorded</th><th scope=\"col\">Replayed</th>" in section


def test_added_and_removed_fields_list_every_part_of_the_field() -> None:
    from agent.replay.compare import ReplayReport
    from tools.mapping_diff import FieldChange, MappingDiff

    field = {"target": "/person/sex", "sources": ["SEX"], "transform": {"op": "value_map", "mapping": {"F": "<female>"}},
             "status": "approved", "confidence": 0.99}
    report = ReplayReport(run_id="r", reproduced=False, recorded_version="a" * 64, replayed_version="b" * 64,
                          diff=MappingDiff(fields=[FieldChange(target="/person/sex", kind="removed", before=field)]))
    (row,) = audit_trail.replay_rows(report)
    assert row["kind"] == "removed" and [p[0] for p in row["parts"]] == ["sources", "transform", "status", "confidence"]
    assert all(after == "—" for _, _, after in row["parts"]) and '"<female>"' in row["parts"][1][1]


def test_a_live_replay_says_it_uses_todays_matchers_and_memory(users: object, seeded_run: str, client_as: ClientAs) -> None:
    page = client_as("ada").get(f"/runs/{seeded_run}/audit").text
    assert 'name="live"' in page and "today's" in page and "matchers and memory" in page
    response = post_replay(client_as("ada"), seeded_run, live=True)
    assert response.status_code == 200
    assert "live, with today's matchers and memory" in response.text
    assert 'name="live" value="1" checked' in response.text


def test_a_run_whose_source_file_changed_shows_the_error_not_a_500(users: object, client_as: ClientAs, web_settings: Settings,
                                                                   tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    shutil.copyfile(DEMO_EXPORT, source)
    outcome = run_propose_job(web_settings.model_copy(update={"user": "sam"}),
                              ProposeRequest(out_path=tmp_path / "proposal.json", source_path=source,
                                             target_schema_path=bundled_standard_path(), offline=True))
    source.write_bytes(source.read_bytes().replace(b"SMITH", b"SMYTH", 1))
    browser = client_as("avery")
    response = post_replay(browser, outcome.run_id)
    assert response.status_code == 409
    assert "This run could not be replayed." in response.text
    assert f"source file {source} is not the file the run read" in response.text and "sha256 now" in response.text
    source.unlink()
    gone = post_replay(browser, outcome.run_id)
    assert gone.status_code == 409 and "the file is gone" in gone.text
    with open_session(web_settings) as session:
        assert "run_replayed" not in [e.action for e in list_events(session)]


# ---- who may do what --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(ROLES))
def test_role_matrix_for_verify_and_replay(users: object, seeded_run: str, client_as: ClientAs, username: str) -> None:
    browser = client_as(username)
    token = csrf_of(browser, f"/runs/{seeded_run}/audit")
    verify = browser.post(f"/runs/{seeded_run}/audit/verify", data={"csrf_token": token}, follow_redirects=False)
    assert verify.status_code == 303  # every role may check the log
    replayed = browser.post(f"/runs/{seeded_run}/audit/replay", data={"csrf_token": token})
    if username in MAY_REPLAY:
        assert replayed.status_code == 200 and "Reproduced" in replayed.text
    else:
        assert replayed.status_code == 403 and "cannot replay runs from the audit log" in replayed.text
        page = browser.get(f"/runs/{seeded_run}/audit").text
        assert "audit/replay" not in page and "Integration staff may not" in page


def test_verify_and_replay_need_the_csrf_token_and_a_session(users: object, seeded_run: str, client_as: ClientAs,
                                                             client: TestClient, web_settings: Settings) -> None:
    browser = client_as("avery")
    with open_session(web_settings) as session:
        before = len(list_events(session))
    for path in (f"/runs/{seeded_run}/audit/verify", f"/runs/{seeded_run}/audit/replay"):
        refused = browser.post(path, data={"csrf_token": "forged"})
        assert refused.status_code == 403 and "The form expired" in refused.text, path
        assert browser.post(path, data={}).status_code == 403, path
        assert client.post(path, data={}, follow_redirects=False).status_code in (401, 403), path
    with open_session(web_settings) as session:
        assert len(list_events(session)) == before  # nothing replayed


def test_unknown_runs_and_items_are_404_for_the_new_routes(users: object, client_as: ClientAs) -> None:
    browser = client_as("ada")
    token = csrf_of(browser, "/runs")
    for path in (f"/runs/{'0' * 32}/audit/verify", f"/runs/{'0' * 32}/audit/replay", f"/items/{'0' * 32}/audit/verify"):
        assert browser.post(path, data={"csrf_token": token}).status_code == 404, path


def test_verify_from_the_item_trail_returns_there(users: object, seeded_run: str, client_as: ClientAs,
                                                  web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        item_id = items_of_run(session, seeded_run)[0].id
    browser = client_as("sam")
    token = csrf_of(browser, f"/items/{item_id}/audit")
    done = browser.post(f"/items/{item_id}/audit/verify", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/items/{item_id}/audit"
    assert "Audit log intact" in browser.get(done.headers["location"]).text


def test_a_run_that_is_not_a_propose_run_offers_no_replay_and_refuses_one(users: object, client_as: ClientAs,
                                                                          web_settings: Settings) -> None:
    from agent.jobs.profile_job import run_profile_job

    outcome = run_profile_job(web_settings.model_copy(update={"user": "sam"}), DEMO_EXPORT)
    browser = client_as("avery")
    page = browser.get(f"/runs/{outcome.run_id}/audit").text
    assert "Replay this run" not in page and "Profile" in page
    refused = post_replay(browser, outcome.run_id)
    assert refused.status_code == 400 and "This run could not be replayed." in refused.text
    assert "only propose runs can be replayed" in refused.text and "cannot replay runs" not in refused.text
