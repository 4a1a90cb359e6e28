"""The audit trail pages of a run and of a review item: read-only events, with the chain's verification."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from agent.audit import list_events, record_event
from agent.jobs.review_job import decide_item
from agent.settings import Settings
from agent.store import open_session
from agent.store.review import items_of_run
from review_ui.routes import audit_trail
from tests.web.conftest import csrf_of

ClientAs = Callable[[str], TestClient]
ROLES = ("sam", "sue", "avery", "ada")
SEQ_CELL = re.compile(r'<li class="audit-event" id="event-(\d+)">')


def first_item(web_settings: Settings, run_id: str, target: str = "/person/sex") -> str:
    with open_session(web_settings) as session:
        return next(i.id for i in items_of_run(session, run_id) if i.target == target)


def tamper(web_settings: Settings, seq: int) -> None:
    """Change a stored event behind crosswalk's back, as someone with file access could."""
    database = make_url(web_settings.resolved_database_url()).database
    assert database
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = ?", (seq,))


@pytest.mark.parametrize("username", ROLES)
def test_every_role_reads_the_audit_trails(users: object, seeded_run: str, client_as: ClientAs, web_settings: Settings,
                                          username: str) -> None:
    item_id = first_item(web_settings, seeded_run)
    browser = client_as(username)
    run_page = browser.get(f"/runs/{seeded_run}/audit")
    assert run_page.status_code == 200 and "Chain intact" in run_page.text
    assert "run started" in run_page.text and "run waiting for review" in run_page.text
    item_page = browser.get(f"/items/{item_id}/audit")
    assert item_page.status_code == 200 and "No audit events about this item yet" in item_page.text
    # the events cannot be changed: the only forms are sign-out, "verify the whole log now" and (if allowed) replay
    replay_form = f'action="/runs/{seeded_run}/audit/replay"' in run_page.text
    assert replay_form == (username != "sam")
    assert run_page.text.count("<form") == 2 + replay_form and item_page.text.count("<form") == 2
    assert f'action="/runs/{seeded_run}/audit/verify"' in run_page.text
    assert f'action="/items/{item_id}/audit/verify"' in item_page.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, seeded_run: str, web_settings: Settings) -> None:
    for path in (f"/runs/{seeded_run}/audit", f"/items/{first_item(web_settings, seeded_run)}/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in"), path


def test_audit_pages_accept_no_changes(users: object, seeded_run: str, client_as: ClientAs, web_settings: Settings) -> None:
    browser = client_as("ada")
    token = csrf_of(browser, f"/runs/{seeded_run}/audit")
    assert browser.post(f"/runs/{seeded_run}/audit", data={"csrf_token": token}).status_code == 405


def test_unknown_run_and_item_are_404(users: object, client_as: ClientAs) -> None:
    browser = client_as("avery")
    assert browser.get(f"/runs/{'0' * 32}/audit").status_code == 404
    assert browser.get(f"/items/{'0' * 32}/audit").status_code == 404


def test_the_item_trail_lists_its_decisions_in_chain_order(users: object, seeded_run: str, client_as: ClientAs,
                                                          web_settings: Settings) -> None:
    item_id = first_item(web_settings, seeded_run)
    decide_item(web_settings.model_copy(update={"user": "sid"}), item_id, "edit", "add the lower-case codes",
                edit={"transform": {"op": "value_map", "mapping": {"M": "male", "F": "female", "U": "unknown"},
                                    "case_insensitive": True}})
    decide_item(web_settings.model_copy(update={"user": "sue"}), item_id, "approve", "checked <b>every</b> code")
    page = client_as("avery").get(f"/items/{item_id}/audit").text
    assert "review edited" in page and "review approved" in page
    assert page.index("review edited") < page.index("review approved")
    assert "add the lower-case codes" in page and "sid" in page and "sue" in page
    assert "checked &lt;b&gt;every&lt;/b&gt; code" in page  # reasons are data: escaped
    assert "Chain intact" in page
    assert f"review_item:{item_id}" in page
    # the run's trail has the same decisions among its events
    run_page = client_as("avery").get(f"/runs/{seeded_run}/audit").text
    assert "review approved" in run_page


def test_nested_values_are_shown_as_escaped_pretty_json(users: object, seeded_run: str, client_as: ClientAs,
                                                       web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        record_event(session, "sam", "note_added", f"run:{seeded_run}", {"text": "<script>alert(1)</script>"},
                     {"nested": {"a": [1, 2], "html": "<i>x</i>"}}, seeded_run)
    page = client_as("sue").get(f"/runs/{seeded_run}/audit").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;html&#34;: &#34;&lt;i&gt;x&lt;/i&gt;&#34;" in page
    assert '<pre class="json">{\n  &#34;a&#34;' in page


def test_the_run_trail_is_paginated_in_chain_order(users: object, seeded_run: str, client_as: ClientAs,
                                                  web_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_trail, "EVENTS_PER_PAGE", 5)
    with open_session(web_settings) as session:
        seqs = [e.seq for e in list_events(session, seeded_run)]
    browser = client_as("avery")
    first = browser.get(f"/runs/{seeded_run}/audit").text
    assert [int(s) for s in SEQ_CELL.findall(first)] == seqs[:5]
    pages = -(-len(seqs) // 5)
    assert f"Page 1 of {pages}" in first and f'href="/runs/{seeded_run}/audit?page=2"' in first
    last = browser.get(f"/runs/{seeded_run}/audit?page={pages}").text
    assert [int(s) for s in SEQ_CELL.findall(last)] == seqs[(pages - 1) * 5:]
    beyond = browser.get(f"/runs/{seeded_run}/audit?page=999").text
    assert f"Page {pages} of {pages}" in beyond


def test_a_tampered_log_shows_the_chain_as_broken(users: object, seeded_run: str, client_as: ClientAs,
                                                 web_settings: Settings) -> None:
    item_id = first_item(web_settings, seeded_run)
    tamper(web_settings, 3)
    browser = client_as("avery")
    for path in (f"/runs/{seeded_run}/audit", f"/items/{item_id}/audit"):
        page = browser.get(path).text
        assert "Chain broken" in page and "Chain intact" not in page, path
        assert "event 3: content does not match its hash" in page
    assert "mallory" in browser.get(f"/runs/{seeded_run}/audit").text
