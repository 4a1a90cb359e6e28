"""Record merge items in the web app: the side-by-side page, merge/keep-apart decisions, four-eyes, queue, link run page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import select

from agent.settings import Settings
from agent.store import dispose_engines, open_session
from agent.store.linkage import ClusterVersionRow, LinkDecision, current_cluster
from agent.store.models import ReviewItem
from tests.web.conftest import MakeUser, csrf_of, install_template

Browser = Callable[[str], TestClient]
# sam ran the link and is a supervisor here, so the four-eyes rule (not the role) is what stops sam deciding
PEOPLE = {"sam": "supervisor", "sue": "supervisor", "sid": "supervisor", "stan": "staff", "avery": "auditor", "ada": "admin"}
HTML_NAME = 'Paula <script>alert("x")</script>'
_STEP_LABEL = re.compile(r'<span class="step-label">([^<]*)</span>')
HTML_KEY = "force_a:10"  # a record of a conflict pair (same PNC ID, dates of birth differ) in the seeded data


@pytest.fixture(scope="session")
def linked_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A link run by sam on two tiny synthetic forces (one record's given names hold HTML), made once."""
    from agent.jobs.link_job import link
    from evals.linkage.make_forces import make_forces

    root = tmp_path_factory.mktemp("linked")
    forces = make_forces(60, forces=2, seed=5)
    forces.records["force_a"][10]["record"]["person"]["given_names"] = HTML_NAME
    paths = forces.write(root / "forces")
    with pytest.MonkeyPatch.context() as env:
        for name in Settings.model_fields:
            env.delenv(f"CROSSWALK_{name.upper()}", raising=False)
        outcome = link(Settings(data_dir=root / "cw", user="sam"), paths)
    dispose_engines()
    assert outcome.counts["conflicts"] >= 1 and outcome.counts["review_pairs"] >= 2, outcome.counts
    return root / "cw", outcome.run_id


@pytest.fixture()
def link_run(linked_template: tuple[Path, str], web_settings: Settings, make_user: MakeUser) -> Iterator[str]:
    template, run = linked_template
    install_template(template, web_settings, make_user, PEOPLE)
    yield run


def merge_items(settings: Settings, run: str) -> list[ReviewItem]:
    with open_session(settings) as session:
        return list(session.exec(select(ReviewItem).where(ReviewItem.run_id == run).order_by(ReviewItem.target)).all())


def conflict_item(settings: Settings, run: str) -> ReviewItem:
    return next(i for i in merge_items(settings, run) if HTML_KEY in i.target)


def grey_items(settings: Settings, run: str) -> list[ReviewItem]:
    return [i for i in merge_items(settings, run) if not i.proposal["conflict"]]


def decide(browser: TestClient, item: ReviewItem, decision: str, reason: str = "checked both records") -> Any:
    token = csrf_of(browser, f"/items/{item.id}")
    return browser.post(f"/items/{item.id}/decide", data={"csrf_token": token, "decision": decision, "reason": reason,
                                                          "version": str(item.version)}, follow_redirects=False)


def stored(settings: Settings, item_id: str) -> ReviewItem:
    with open_session(settings) as session:
        found = session.get(ReviewItem, item_id)
    assert found is not None
    return found


@pytest.mark.parametrize("person", sorted(PEOPLE))
def test_every_role_sees_both_records_side_by_side(web_settings: Settings, link_run: str, client_as: Browser,
                                                    person: str) -> None:
    item = conflict_item(web_settings, link_run)
    left, right = item.proposal["left"], item.proposal["right"]
    page = client_as(person).get(f"/items/{item.id}")
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "Same person?" in text and "merge-table" in text
    assert html.escape(left["key"]) in text and html.escape(right["key"]) in text
    for side in (left, right):
        assert html.escape(side["person"]["date_of_birth"]) in text
    assert "Match weight" in text and "Total match weight" in text
    first = item.proposal["comparisons"][0]
    assert first["label"] in text and f"{first['match_weight']:+.2f}" in text
    assert "weight-pos" in text
    # the conflict in plain words, the datasets and rows, the current clusters
    assert "Both records carry the same PNC ID" in text and "dates of birth differ" in text.lower()
    assert "force_a" in text and "force_b" in text and "Current clusters" in text
    # HTML in a name is shown as text, never as markup
    assert "<script>alert" not in text
    assert str(escape(HTML_NAME)) in text  # Jinja autoescape: &lt;script&gt;alert(&#34;x&#34;)...
    # no field-mapping sections
    assert "Sample values before and after" not in text and "Edit the proposal" not in text and 'name="op"' not in text


def test_a_grey_zone_pair_shows_probability_and_agreement(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    text = client_as("sue").get(f"/items/{item.id}").text
    assert "grey zone" in text and "merge-agree" in text and "Match probability" in text
    assert "Merge: same person" in text and "Keep apart: different people" in text
    assert "Both records carry" not in text


def test_a_supervisor_merges_a_pair_into_a_new_cluster_version(web_settings: Settings, link_run: str,
                                                               client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    left, right = item.proposal["left"]["key"], item.proposal["right"]["key"]
    sue = client_as("sue")
    response = decide(sue, item, "approve", "same person: names, date of birth and postcode agree")
    assert response.status_code == 303, response.text[:500]
    assert stored(web_settings, item.id).state == "approved"
    with open_session(web_settings) as session:
        decision = session.exec(select(LinkDecision).where(LinkDecision.review_item_id == item.id)).one()
        assert decision.actor == "sue" and decision.clerical_match_score == 1.0
        assert current_cluster(session, left) == current_cluster(session, right)
        version = session.get(ClusterVersionRow, decision.version) if decision.version else None
    assert version is not None and version.cause == "decision" and version.actor == "sue"
    page = sue.get(f"/items/{item.id}")
    assert f"cluster version {version.version}" in page.text  # flash and the outcome panel
    assert "Merged as one person" in page.text and "same cluster" in page.text
    assert 'name="decision"' not in page.text


def test_another_supervisor_keeps_a_pair_apart(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    first, second = grey_items(web_settings, link_run)[:2]
    assert decide(client_as("sue"), first, "approve").status_code == 303
    sid = client_as("sid")
    response = decide(sid, second, "reject", "different people: twins at one address")
    assert response.status_code == 303, response.text[:500]
    assert stored(web_settings, second.id).state == "rejected"
    left, right = second.proposal["left"]["key"], second.proposal["right"]["key"]
    with open_session(web_settings) as session:
        decision = session.exec(select(LinkDecision).where(LinkDecision.review_item_id == second.id)).one()
        assert decision.actor == "sid" and decision.clerical_match_score == 0.0
        assert current_cluster(session, left) != current_cluster(session, right)
    page = sid.get(f"/items/{second.id}").text
    assert "Kept apart as different people" in page and "different clusters" in page


def test_a_reason_is_required(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    response = decide(client_as("sue"), item, "approve", reason="  ")
    assert response.status_code == 400 and "A reason is needed" in response.text
    assert stored(web_settings, item.id).state == "open"


def test_the_person_who_ran_the_link_may_not_decide(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    sam = client_as("sam")  # a supervisor, but the one who ran `crosswalk link`
    page = sam.get(f"/items/{item.id}").text
    assert "Merge: same person" not in page and "another supervisor must decide" in page
    for decision in ("approve", "reject"):
        response = decide(sam, item, decision, "mine")
        assert response.status_code == 403 and "Four-eyes rule" in response.text
    assert stored(web_settings, item.id).state == "open"
    with open_session(web_settings) as session:
        assert session.exec(select(LinkDecision)).first() is None


@pytest.mark.parametrize("person", ["avery", "stan"])
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_auditors_and_staff_cannot_decide(web_settings: Settings, link_run: str, client_as: Browser, person: str,
                                          decision: str) -> None:
    item = grey_items(web_settings, link_run)[0]
    response = decide(client_as(person), item, decision)
    assert response.status_code == 403
    assert stored(web_settings, item.id).state == "open"
    with open_session(web_settings) as session:
        assert session.exec(select(LinkDecision)).first() is None


def test_a_record_merge_cannot_be_edited(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    sue = client_as("sue")
    token = csrf_of(sue, f"/items/{item.id}")
    edit = sue.post(f"/items/{item.id}/decide", data={"csrf_token": token, "decision": "edit", "reason": "x",
                                                       "version": str(item.version), "op": "copy", "source_1": "A"})
    assert edit.status_code == 400
    preview = sue.post(f"/items/{item.id}/preview", data={"csrf_token": token, "op": "copy", "source_1": "A"})
    assert preview.status_code == 400
    assert stored(web_settings, item.id).state == "open"


def test_the_queue_lists_record_merges_as_pairs(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    items = merge_items(web_settings, link_run)
    browser = client_as("avery")
    page = browser.get("/queue", params={"kind": "record_merge"})
    assert page.status_code == 200, page.text[:500]
    for item in items:
        left, right = sorted((item.proposal["left"]["key"], item.proposal["right"]["key"]))
        assert f'<code class="record-key">{left}</code>' in page.text and f'<code class="record-key">{right}</code>' in page.text
        assert f"/items/{item.id}" in page.text
    assert "↔" in page.text and "Record merge" in page.text
    grey = grey_items(web_settings, link_run)[0]
    from review_ui.rendering import probability

    assert probability(grey.proposal["match_probability"]) in page.text
    none_left = browser.get("/queue", params={"kind": "value_map"})
    assert none_left.status_code == 200 and "No items match this filter" in none_left.text
    export = client_as("sue").get("/queue.csv", params={"kind": "record_merge"})
    assert export.status_code == 200 and "↔" in export.text


def test_the_link_run_page_shows_the_link_summary(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    page = client_as("avery").get(f"/runs/{link_run}")
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "Link run" in text and "Auto-merged pairs" in text and "Conflicts" in text and "Clusters" in text
    assert "force_a" in text and "force_b" in text and "cluster version" in text.lower()
    assert f"/queue?run_id={link_run}&amp;kind=record_merge" in text or "kind=record_merge" in text
    runs = client_as("sue").get("/runs")
    assert runs.status_code == 200


def test_the_item_audit_trail_renders(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    assert decide(client_as("sue"), item, "approve").status_code == 303
    trail = client_as("avery").get(f"/items/{item.id}/audit")
    assert trail.status_code == 200, trail.text[:500]


def test_the_link_run_timeline_groups_link_events_by_step(web_settings: Settings, link_run: str, client_as: Browser) -> None:
    item = grey_items(web_settings, link_run)[0]
    assert decide(client_as("sue"), item, "approve").status_code == 303
    page = client_as("avery").get(f"/runs/{link_run}/audit").text
    labels = [html.unescape(label) for label in _STEP_LABEL.findall(page)]
    assert labels[:3] == ["Link records", "Cluster version stored", "Queued for review"]
    assert "Review decisions" in labels and "Other events" not in labels
