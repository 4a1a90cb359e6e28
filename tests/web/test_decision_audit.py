"""A decision's audit event records the decider's role at the time, as the web app and the CLI take it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from agent.audit import list_events
from agent.jobs.review_job import NO_ACCOUNT_ROLE, decide_item
from agent.settings import Settings
from agent.store import open_session
from agent.store import users as user_store
from agent.store.review import items_of_run
from tests.web.conftest import csrf_of

Browser = Callable[[str], TestClient]


def _decision_events(settings: Settings, run_id: str) -> list[dict]:
    with open_session(settings) as session:
        return [{"actor": e.actor, "action": e.action, **e.inputs} for e in list_events(session, run_id=run_id)
                if e.subject.startswith("review_item:")]


def test_the_web_decision_records_the_role_and_a_later_role_change_does_not_rewrite_it(
        web_settings: Settings, seeded_run: str, users: dict, client_as: Browser) -> None:
    with open_session(web_settings) as session:
        item = next(i for i in items_of_run(session, seeded_run) if i.target == "/person/address/postcode")
    sue = client_as("sue")
    token = csrf_of(sue, f"/items/{item.id}")
    answer = sue.post(f"/items/{item.id}/decide", data={"csrf_token": token, "decision": "reject", "reason": "wrong field",
                                                        "version": str(item.version)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    with open_session(web_settings) as session:
        user_store.set_role(session, "sue", "auditor")
    [event] = _decision_events(web_settings, seeded_run)
    assert (event["actor"], event["action"], event["role"]) == ("sue", "review_rejected", "supervisor")


def test_a_command_line_decider_without_an_account_is_recorded_as_such(web_settings: Settings, seeded_run: str) -> None:
    with open_session(web_settings) as session:
        item = next(i for i in items_of_run(session, seeded_run) if i.target == "/person/address/postcode")
    decide_item(web_settings.model_copy(update={"user": "carol"}), item.id, "reject", "not a postcode field")
    [event] = _decision_events(web_settings, seeded_run)
    assert (event["actor"], event["role"]) == ("carol", NO_ACCOUNT_ROLE)


def test_the_timeline_shows_the_recorded_role(web_settings: Settings, seeded_run: str, users: dict,
                                              client_as: Browser) -> None:
    with open_session(web_settings) as session:
        item = next(i for i in items_of_run(session, seeded_run) if i.target == "/person/address/postcode")
    decide_item(web_settings.model_copy(update={"user": "sid"}), item.id, "reject", "not a postcode field")
    with open_session(web_settings) as session:
        user_store.set_role(session, "sid", "auditor")  # a later change must not alter what the page says he was
    page = client_as("avery").get(f"/runs/{seeded_run}/audit")
    assert page.status_code == 200
    marker = 'by <strong>sid</strong>'
    assert marker in page.text
    badge = page.text[page.text.index(marker):page.text.index(marker) + 300]
    assert "Role recorded with the event" in badge and ">supervisor<" in badge and "(today)" not in badge
