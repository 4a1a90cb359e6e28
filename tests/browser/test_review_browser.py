"""The review web app in real headless Chromium (Debian's package, driven by Playwright).

A supervisor signs in, edits a transform, previews and saves it; the four-eyes rule keeps her
from approving her own edit and a second supervisor approves it. An auditor sees no decision
buttons and a forged decision is refused. Sign-in failure, and the pages without JavaScript.
Screenshots go to test-artifacts/browser/ (queue.png, item_preview.png, item_approved.png, and
sign_in_error.png, item_no_js.png).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, LiveServer, PageLog, review_items

pytestmark = pytest.mark.slow

NewPage = Callable[..., tuple[Any, PageLog]]
SEX = "/person/sex"
ARRESTED_AT = "/custody/arrested_at"


def sign_in(page: Any, username: str, password: str = PASSWORD, *, start: str = "/queue") -> None:
    """Go to ``start`` signed out (sent to the sign-in form), fill the form and submit it like a person would."""
    page.goto(start)
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def item_url(live_server: LiveServer, target: str) -> str:
    return f"/items/{review_items(live_server.settings, live_server.run_id)[target].id}"


def facts(scope: Any) -> dict[str, str]:
    """A <dl class="facts"> as {term: description}."""
    return {row.locator("dt").inner_text().strip(): row.locator("dd").inner_text().strip()
            for row in scope.locator("div").all()}


def fits_the_window(page: Any) -> None:
    """Nothing (a wide table, a long path) makes the page scroll sideways."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide in a {width[1]} px window"


def no_problems(log: PageLog, *, allow: tuple[str, ...] = ()) -> None:
    assert log.problems(allow=allow) == [], "the browser reported errors (console, page errors, failed requests)"
    assert log.blocked == [], f"the page tried to reach another host: {log.blocked}"


def test_supervisor_edits_previews_and_saves_and_a_second_supervisor_approves(
        live_server: LiveServer, new_page: NewPage, artifacts: Any) -> None:
    page, log = new_page()
    sign_in(page, "sue")
    expect(page).to_have_url(re.compile(r"/queue$"))
    expect(page.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("header")).to_contain_text("sue")
    # styled: the stylesheet loaded (the header is laid out as a flex row, not as plain block text)
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header__inner')).display") != "block"
    fits_the_window(page)
    page.screenshot(path=str(artifacts / "queue.png"), full_page=True)

    page.get_by_role("link", name=SEX, exact=True).click()
    expect(page).to_have_url(re.compile(r"/items/[0-9a-f-]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(SEX)
    expect(page.locator(".item-head .badge")).to_have_text("open")
    op = page.get_by_label("Operation", exact=True)
    expect(op).to_have_value("value_map")
    mapping = page.locator('textarea[name="p_value_map_mapping"]')
    expect(mapping).to_be_visible()
    before = mapping.input_value()
    assert "Q =" not in before, before
    # the stored preview: Q is not in the value map, so its rows fail the transform
    stored_samples = page.locator("section[aria-labelledby=samples-title] table.samples-table")
    expect(stored_samples.locator("tr", has_text="Q").first).to_contain_text("not in the value map")
    stored_validation = facts(page.locator("section[aria-labelledby=samples-title] .validation-facts"))
    assert stored_validation["Failed the transform"] == "1", stored_validation
    fits_the_window(page)

    mapping.fill(before.rstrip("\n") + "\nQ = unknown")
    page.get_by_label(re.compile("^Reason for the edit")).fill("Q means not known in this export")
    page.get_by_role("button", name="Preview on sample rows").click()

    preview = page.locator(".preview-result")
    expect(preview.get_by_role("heading", name=re.compile("Preview of your edit"))).to_be_visible()
    q_row = preview.locator("table.samples-table tbody tr", has=page.locator("td code", has_text=re.compile(r"^Q$")))
    expect(q_row).to_have_count(1)
    expect(q_row.locator("code.value-out")).to_have_text("unknown")
    expect(preview).not_to_contain_text("not in the value map")
    checked = facts(preview.locator(".validation-facts"))
    assert checked["Pass rate"] == "100.0%", checked
    assert checked["Rows passed"] == checked["Rows checked"] == stored_validation["Rows checked"], checked
    assert checked["Failed the transform"] == "0", checked
    # the form still holds what she typed, and nothing is saved yet
    expect(mapping).to_have_value(re.compile(r"Q = unknown"))
    expect(page.locator(".item-head .badge")).to_have_text("open")
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "item_preview.png"), full_page=True)

    page.get_by_role("button", name="Save edit").click()
    expect(page.locator(".flash-success")).to_contain_text("saved as your proposal")
    expect(page.locator(".item-head .badge")).to_have_text("edited")
    decision = page.locator(".decision-panel")
    expect(decision.get_by_role("button", name="Approve")).to_have_count(0)  # four eyes: not her own edit
    expect(decision).to_contain_text("another supervisor must approve it")
    expect(page.get_by_role("heading", name="Edit history")).to_be_visible()
    no_problems(log)

    item_path = page.url.removeprefix(live_server.url)
    second, second_log = new_page()
    sign_in(second, "sid", start=item_path)
    expect(second).to_have_url(re.compile(re.escape(item_path) + "$"))
    expect(second.locator(".item-head .badge")).to_have_text("edited")
    second.locator(".decision-panel").get_by_label(re.compile("^Reason")).fill("Agree: Q is the export's code for not known")
    second.get_by_role("button", name="Approve").click()
    expect(second.locator(".flash-success").first).to_contain_text("approved")
    expect(second.locator(".item-head .badge")).to_have_text("approved")
    expect(second.locator(".decision-panel")).to_contain_text("sid")
    expect(second.locator(".decision-panel form")).to_have_count(0)
    fits_the_window(second)
    second.screenshot(path=str(artifacts / "item_approved.png"), full_page=True)
    no_problems(second_log)

    stored = review_items(live_server.settings, live_server.run_id)[SEX]
    assert (stored.state, stored.decided_by, stored.proposed_by) == ("approved", "sid", "sue")
    assert stored.proposal["field"]["transform"]["mapping"]["Q"] == "unknown"


def test_an_auditor_sees_no_decision_buttons_and_a_forged_decision_is_refused(
        live_server: LiveServer, new_page: NewPage) -> None:
    page, log = new_page()
    path = item_url(live_server, ARRESTED_AT)
    sign_in(page, "avery", start=path)
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ARRESTED_AT)
    for name in ("Approve", "Reject", "Save edit", "Preview on sample rows"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator(".decision-panel")).to_contain_text("Waiting for a supervisor's decision")
    no_problems(log)

    token = page.locator('input[name="csrf_token"]').first.input_value()
    assert token
    for decision in ("approve", "reject"):
        forged = page.request.post(f"{path}/decide", form={"csrf_token": token, "decision": decision, "version": "1",
                                                            "reason": "forged by the auditor"}, max_redirects=0)
        assert forged.status == 403, (decision, forged.status)
        assert "cannot" in forged.text()
    page.reload()
    expect(page.locator(".item-head .badge")).to_have_text("open")
    stored = review_items(live_server.settings, live_server.run_id)[ARRESTED_AT]
    assert (stored.state, stored.version, stored.decided_by) == ("open", 1, None)


def test_sign_in_failure_shows_the_error_and_pages_work_without_javascript(
        live_server: LiveServer, new_page: NewPage, artifacts: Any) -> None:
    page, log = new_page()
    sign_in(page, "sue", "not the password")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Unknown user name or wrong password.")
    expect(page.get_by_label("User name")).to_have_value("sue")
    expect(page.get_by_label("Password")).to_have_value("")
    # the refused sign-in itself answers 401, which Chromium also logs to the console
    no_problems(log, allow=(f"HTTP 401: POST {live_server.url}/sign-in",
                            "Failed to load resource: the server responded with a status of 401"))
    fits_the_window(page)
    page.screenshot(path=str(artifacts / "sign_in_error.png"), full_page=True)

    plain, plain_log = new_page(java_script_enabled=False)
    sign_in(plain, "sid")
    expect(plain).to_have_url(re.compile(r"/queue$"))
    undecided = [i for i in review_items(live_server.settings, live_server.run_id).values() if i.state in ("open", "edited")]
    expect(plain.locator("table.queue-table tbody tr")).to_have_count(len(undecided))
    # the filter form works as a plain GET form
    plain.get_by_label("Kind").select_option(value="value_map")
    plain.get_by_role("button", name="Show").click()
    expect(plain).to_have_url(re.compile(r"kind=value_map"))
    rows = plain.locator("table.queue-table tbody tr")
    expect(rows.first).to_be_visible()
    assert all(text == "Value map" for text in rows.locator("td:nth-child(3)").all_inner_texts())
    target = rows.first.locator("td.target-cell a").inner_text().strip()
    rows.first.locator("td.target-cell a").click()
    expect(plain.get_by_role("heading", level=1)).to_contain_text(target)
    expect(plain.get_by_role("button", name="Approve")).to_be_visible()
    # without JavaScript, switching the operation goes through the server
    expect(plain.get_by_role("button", name="Change operation")).to_be_visible()
    fits_the_window(plain)
    plain.screenshot(path=str(artifacts / "item_no_js.png"), full_page=True)
    no_problems(plain_log)
