"""Record-merge review items and the auditor's view of a run, in real headless Chromium.

A supervisor opens a record-merge item (two person records side by side, each compared field
with its comparison level and match weight), decides it with a reason and sees the decision.
An edited mapping item's confidence reads as the agent's, for its own proposal. Long record
keys (long dataset names) do not break the merge page. An auditor replays a run, verifies the
whole audit log, reads the timeline, and sees no decision buttons on a record-merge item.
Screenshots go to test-artifacts/browser/: merge_item.png, merge_item_decided.png,
queue_edited.png, item_edited.png, merge_item_long_keys_1280.png, merge_item_long_keys_720.png,
audit_replay.png, audit_timeline.png, audit_link_run.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from agent.jobs.link_job import link
from agent.jobs.review_job import decide_item
from agent.store.models import ReviewItem
from evals.linkage.make_forces import make_forces
from tests.browser.conftest import LiveServer, PageLog, review_items
from tests.browser.test_review_browser import facts, fits_the_window, no_problems, sign_in
from tests.web.test_auditor_view import decide_all
from tests.web.test_record_merge_items import HTML_NAME, conflict_item, grey_items, merge_items, stored

pytestmark = pytest.mark.slow

NewPage = Callable[..., tuple[Any, PageLog]]
POSTCODE = "/person/address/postcode"
# dataset names as long as real extracts' file names: record keys are ``<dataset>:<row>``
LONG_NAMES = ["northshire_constabulary_custody_records_extract_2024_final",
              "southmoor_police_detained_persons_register_2023_q4_export"]


@pytest.fixture(scope="module")
def link_run(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A link run by sam on two tiny synthetic forces (one record's given names hold HTML), in the live server's store.

    The same forces as ``tests.web.test_record_merge_items.linked_template``, linked into this server's database.
    """
    forces = make_forces(60, forces=2, seed=5)
    forces.records["force_a"][10]["record"]["person"]["given_names"] = HTML_NAME
    paths = forces.write(tmp_path_factory.mktemp("forces"))
    outcome = link(live_server.settings.model_copy(update={"user": "sam"}), paths)
    assert outcome.counts["conflicts"] >= 1 and outcome.counts["review_pairs"] >= 2, outcome.counts
    return outcome.run_id


@pytest.fixture(scope="module")
def long_named_link_run(live_server: LiveServer, link_run: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A second link run, on other forces whose datasets have long names (so long record keys)."""
    paths = make_forces(40, forces=2, seed=11).write(tmp_path_factory.mktemp("long_forces"))
    outcome = link(live_server.settings.model_copy(update={"user": "sam"}), paths, names=LONG_NAMES)
    assert outcome.counts["review_pairs"] >= 1, outcome.counts
    return outcome.run_id


def fits_its_box(page: Any, selector: str) -> None:
    """No element inside ``selector`` sticks out of it sideways (a long key, an unbroken value)."""
    overflow = page.evaluate("""(selector) => {
        const out = [];
        for (const box of document.querySelectorAll(selector)) {
            const right = box.getBoundingClientRect().right + 1;
            for (const el of box.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > right && !el.closest('.table-wrap')) {
                    out.push(el.tagName + ' ' + el.textContent.slice(0, 40));
                }
            }
        }
        return out;
    }""", selector)
    assert overflow == [], f"{selector}: content wider than its box: {overflow[:5]}"


def tables_fit(page: Any) -> None:
    """No table needs its own sideways scroll bar at this window width."""
    wide = page.evaluate("[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth + 1)"
                         ".map(w => w.querySelector('table').className)")
    assert wide == [], f"{page.url}: tables wider than the page: {wide}"


def test_a_supervisor_compares_a_record_pair_and_keeps_it_apart(live_server: LiveServer, link_run: str,
                                                                new_page: NewPage, artifacts: Path) -> None:
    item = conflict_item(live_server.settings, link_run)
    proposal = item.proposal
    left, right = proposal["left"], proposal["right"]
    page, log = new_page()
    sign_in(page, "sue", start=f"/items/{item.id}")
    expect(page).to_have_url(re.compile(rf"/items/{item.id}$"))

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Same person?")
    expect(heading).to_contain_text(left["key"])
    expect(heading).to_contain_text(right["key"])
    expect(page.locator(".item-head .badge").first).to_have_text("open")
    expect(page.locator(".item-head")).to_contain_text("conflict")

    # the conflict in plain words
    summary = page.locator("section.merge-summary")
    expect(summary).to_contain_text("Both records carry the same PNC ID")
    expect(summary.locator(".merge-source")).to_have_count(2)
    expect(summary).to_contain_text("force_a")
    expect(summary).to_contain_text("force_b")

    # both records side by side: a column per record, a row per compared field with its level and weight
    table = page.locator("table.merge-table").first
    headers = table.locator("thead th").all_inner_texts()
    assert headers[0] == "Field" and left["key"] in headers[1] and right["key"] in headers[2], headers
    assert headers[3:] == ["Comparison", "Match weight"], headers
    rows = table.locator("tbody tr")
    comparisons = proposal["comparisons"]
    expect(rows).to_have_count(len(comparisons))
    for row, comparison in zip(rows.all(), comparisons, strict=True):
        expect(row.locator("td").nth(2)).to_contain_text(comparison["label"])
        expect(row.locator("td").nth(3)).to_have_text(f"{comparison['match_weight']:+.2f}"
                                                      if round(comparison["match_weight"], 2) else "0.00")
        expect(row.locator(".verdict")).to_be_visible()
    dob = next(r for r in rows.all() if "Date of birth" in r.locator("th").inner_text())
    expect(dob.locator("td").nth(0)).to_contain_text(left["person"]["date_of_birth"])
    expect(dob.locator("td").nth(1)).to_contain_text(right["person"]["date_of_birth"])
    expect(table.locator("tfoot")).to_contain_text("Total match weight")
    # the HTML in a given name is shown as text
    expect(page.get_by_text(HTML_NAME).first).to_be_visible()
    assert page.evaluate("window.__xss === undefined && document.querySelectorAll('main script').length === 0")
    clusters = page.locator("section[aria-labelledby=clusters-title]")
    expect(clusters).to_contain_text(re.compile("(same|different) cluster"))

    decision = page.locator(".decision-panel")
    expect(decision.get_by_role("button", name="Merge: same person")).to_be_visible()
    expect(decision.get_by_role("button", name="Keep apart: different people")).to_be_visible()
    fits_the_window(page)
    tables_fit(page)
    fits_its_box(page, ".panel")
    page.screenshot(path=str(artifacts / "merge_item.png"), full_page=True)

    reason = "Different people: the dates of birth differ and one PNC ID was keyed onto the wrong record"
    decision.get_by_label(re.compile("^Reason")).fill(reason)
    decision.get_by_role("button", name="Keep apart: different people").click()
    expect(page.locator(".flash-success")).to_contain_text("kept apart as different people")
    expect(page.locator(".item-head .badge").first).to_have_text("rejected")
    decided = page.locator(".decision-panel")
    expect(decided).to_contain_text("sue")
    expect(decided.locator(".decision-reason")).to_have_text(reason)
    expect(decided.get_by_role("button")).to_have_count(0)
    outcome = page.locator("section.merge-outcome")
    expect(outcome).to_contain_text("Kept apart as different people by sue")
    fits_the_window(page)
    page.screenshot(path=str(artifacts / "merge_item_decided.png"), full_page=True)
    no_problems(log)

    after: ReviewItem = stored(live_server.settings, item.id)
    assert (after.state, after.decided_by, after.reason) == ("rejected", "sue", reason)


def test_an_edited_items_confidence_is_shown_as_the_agents_for_its_own_proposal(
        live_server: LiveServer, new_page: NewPage, artifacts: Path) -> None:
    item = review_items(live_server.settings, live_server.run_id)[POSTCODE]
    assert item.confidence is not None
    decide_item(live_server.settings.model_copy(update={"user": "sid"}), item.id, "edit", "keep the text as written",
                edit={"transform": {"op": "copy"}})
    shown = f"{int(item.confidence * 100)}%"
    page, log = new_page()
    sign_in(page, "sue")
    row = page.locator("table.queue-table tbody tr", has=page.get_by_role("link", name=POSTCODE, exact=True))
    expect(row.locator(".badge")).to_have_text("edited")
    expect(row.locator("td.num")).to_contain_text(shown)
    expect(row.locator("td.num .conf-note")).to_have_text("agent's, before the edit")
    fits_the_window(page)
    tables_fit(page)  # mapping items and record merges in one queue
    page.screenshot(path=str(artifacts / "queue_edited.png"), full_page=True)

    row.get_by_role("link", name=POSTCODE, exact=True).click()
    head = page.locator(".item-head")
    expect(head.locator(".badge")).to_have_text("edited")
    expect(head.locator(".item-confidence")).to_contain_text(f"agent's confidence for its proposal: {shown}")
    expect(head.locator(".edit-mark")).to_have_text("before sid's edit")
    fits_the_window(page)
    page.screenshot(path=str(artifacts / "item_edited.png"))
    no_problems(log)

    # an item nobody edited keeps the plain label
    other = review_items(live_server.settings, live_server.run_id)["/custody/arrested_at"]
    page.goto(f"/items/{other.id}")
    expect(page.locator(".item-head .item-confidence")).to_have_text(re.compile(r"^confidence \d+%$"))
    expect(page.locator(".item-head .edit-mark")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 720])
def test_long_record_keys_do_not_break_the_merge_page(live_server: LiveServer, long_named_link_run: str,
                                                      new_page: NewPage, artifacts: Path, width: int) -> None:
    item = merge_items(live_server.settings, long_named_link_run)[0]
    left, right = item.proposal["left"]["key"], item.proposal["right"]["key"]
    assert len(left) > 50 and len(right) > 50, (left, right)
    page, log = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "sid", start=f"/items/{item.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(left)
    expect(page.locator("table.merge-table").first).to_contain_text(right)
    expect(page.get_by_role("button", name="Merge: same person")).to_be_visible()
    page.screenshot(path=str(artifacts / f"merge_item_long_keys_{width}.png"), full_page=True)
    fits_the_window(page)
    fits_its_box(page, ".panel")
    fits_its_box(page, ".page-head")
    if width >= 1000:
        tables_fit(page)  # both records stay side by side; narrower windows may scroll the table itself
    no_problems(log)


def test_an_auditor_verifies_the_log_reads_the_timeline_and_cannot_decide(live_server: LiveServer, link_run: str,
                                                                           new_page: NewPage, artifacts: Path) -> None:
    decide_all(live_server.settings, live_server.run_id)  # sid edits, sue approves: the run resumes and can be replayed
    page, log = new_page()
    path = f"/runs/{live_server.run_id}/audit"
    sign_in(page, "avery", start=path)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Audit trail of run {live_server.run_id[:12]}")

    steps = page.locator(".timeline .step-label").all_inner_texts()
    assert steps[:3] == ["Run", "Read the source", "Profile"], steps
    assert "Review decisions" in steps, steps
    expect(page.locator(".audit-event").first).to_be_visible()

    # replay: the run re-run from its recorded inputs gives the recorded mapping version
    page.get_by_role("button", name="Replay this run").click()
    expect(page.locator(".replay-outcome")).to_contain_text("Reproduced")
    replayed = facts(page.locator(".replay-facts"))
    assert int(replayed["Decisions re-applied"]) >= 5 and replayed["LLM requests missing"] == "0", replayed
    expect(page.locator(".timeline .step-label", has_text="Replay")).to_have_count(1)
    fits_the_window(page)
    page.locator("#replay").screenshot(path=str(artifacts / "audit_replay.png"))

    # verify the whole log (the replay added an event): the status says who verified it
    status = page.locator(".chain-status")
    page.get_by_role("button", name="Verify the whole log now").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.locator(".flash-success")).to_contain_text("Audit log intact")
    expect(status.locator(".chain-badge")).to_have_text("Chain intact")
    expect(status).to_contain_text("by avery")
    expect(status).to_contain_text(re.compile(r"intact: \d+ events, head [0-9a-f]{64}"))
    fits_the_window(page)
    fits_its_box(page, ".audit-event")
    fits_its_box(page, ".chain-status")
    page.screenshot(path=str(artifacts / "audit_timeline.png"), full_page=True)
    no_problems(log)

    # the link run's trail, and a record merge seen by the auditor: no decision buttons, only the status
    page.goto(f"/runs/{link_run}/audit")
    expect(page.locator(".timeline .step-label").first).to_be_visible()
    expect(page.get_by_role("button", name="Replay this run")).to_have_count(0)
    fits_the_window(page)
    page.screenshot(path=str(artifacts / "audit_link_run.png"), full_page=True)

    item = grey_items(live_server.settings, link_run)[0]
    page.goto(f"/items/{item.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Same person?")
    expect(page.locator("table.merge-table").first).to_be_visible()
    for name in ("Merge: same person", "Keep apart: different people", "Approve", "Reject"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator(".decision-panel")).to_contain_text("Waiting for a supervisor's decision")
    expect(page.locator(".decision-panel textarea")).to_have_count(0)
    no_problems(log)
    assert stored(live_server.settings, item.id).state == "open"
