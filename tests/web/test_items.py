"""The item page: evidence, roles, the decision and edit forms, preview, four-eyes, conflicts and resume."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select

from agent.settings import Settings
from agent.store import AuditEvent, MappingVersion, Run, open_session
from agent.store.models import ReviewItem
from agent.store.review import items_of_run
from tests.web.conftest import MakeUser, csrf_of, install_template

Browser = Callable[[str], TestClient]
PEOPLE = {"sam": "staff", "sue": "supervisor", "sid": "supervisor", "avery": "auditor", "ada": "admin"}


@pytest.fixture()
def run_id(proposed_template: tuple[Path, str], web_settings: Settings, make_user: MakeUser) -> Iterator[str]:
    template, run = proposed_template
    install_template(template, web_settings, make_user, PEOPLE)
    yield run


def items(settings: Settings, run: str) -> dict[str, ReviewItem]:
    """The run's items by target."""
    with open_session(settings) as session:
        return {i.target: i for i in items_of_run(session, run)}


def stored(settings: Settings, item_id: str) -> ReviewItem:
    with open_session(settings) as session:
        found = session.get(ReviewItem, item_id)
    assert found is not None
    return found


def postcode(settings: Settings, run: str) -> ReviewItem:
    return items(settings, run)["/person/address/postcode"]


def decide(browser: TestClient, item: ReviewItem, decision: str, reason: str = "checked the samples",
           version: int | None = None, **extra: str) -> Any:
    token = csrf_of(browser, f"/items/{item.id}")
    data = {"csrf_token": token, "decision": decision, "reason": reason,
            "version": str(item.version if version is None else version), **extra}
    return browser.post(f"/items/{item.id}/decide", data=data, follow_redirects=False)


def edit_fields(op: str, params: dict[str, str], sources: list[str]) -> dict[str, str]:
    """The edit form as a browser submits it: sources in slots, the op's parameters by input name."""
    data = {f"source_{n}": s for n, s in enumerate(sources, start=1)}
    data.update({f"p_{op}_{k}": v for k, v in params.items()})
    return {**data, "op": op}


SEX_MAP = "M = male\nF = female\nU = unknown\nm = male\nf = female\nQ = unknown\nA = unknown"


def sex_edit() -> dict[str, str]:
    return edit_fields("value_map", {"mapping": SEX_MAP, "case_insensitive": "on", "on_unmapped": "error", "null_values": ""}, ["SEX"])


# ---- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", sorted(PEOPLE))
def test_every_role_can_view_an_item(web_settings: Settings, run_id: str, client_as: Browser, person: str) -> None:
    item = postcode(web_settings, run_id)
    page = client_as(person).get(f"/items/{item.id}")
    assert page.status_code == 200
    assert "/person/address/postcode" in page.text and "Why it needs review" in page.text
    assert "Another candidate scored almost as well" in page.text  # conflicting_candidates in plain words
    assert "/location/postcode" in page.text  # the alternative it names
    assert "Most common values" in page.text and "ADDRESS POSTCODE" in page.text  # the source profile (from the checkpoint)
    assert f'href="/items/{item.id}/audit"' in page.text
    assert ("Approve</button>" in page.text) == (person in ("sue", "sid"))
    assert ("Reject</button>" in page.text) == (person in ("sue", "sid"))
    assert ("Save edit</button>" in page.text) == (person in ("sam", "sue", "sid"))
    if person == "sue":  # every source field is offered for an edit, not only the proposed one
        assert "<option value=\"CUSTODY_REF\">CUSTODY_REF</option>" in page.text


def test_signed_out_people_are_sent_to_sign_in_and_unknown_items_are_404(web_settings: Settings, run_id: str,
                                                                         client: TestClient, client_as: Browser) -> None:
    item = postcode(web_settings, run_id)
    response = client.get(f"/items/{item.id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")
    assert client_as("sue").get("/items/doesnotexist").status_code == 404


@pytest.mark.parametrize(("person", "decision", "allowed"), [
    ("sam", "approve", False), ("sam", "reject", False), ("avery", "approve", False), ("avery", "edit", False),
    ("ada", "approve", False), ("ada", "reject", False), ("ada", "edit", False), ("sid", "reject", True),
    ("sid", "edit", True), ("sam", "edit", True),  # staff propose edits, even to the run they started
])
def test_deciding_is_refused_on_the_server_for_roles_without_the_permission(
        web_settings: Settings, run_id: str, client_as: Browser, person: str, decision: str, allowed: bool) -> None:
    item = items(web_settings, run_id)["/person/sex"]
    extra = sex_edit() if decision == "edit" else {}
    response = decide(client_as(person), item, decision, **extra)
    assert response.status_code == (303 if allowed else 403), response.text[:400]
    after = stored(web_settings, item.id)
    if not allowed:
        assert "Your role" in response.text and (after.state, after.version) == ("open", 1)
    else:
        assert after.state == {"reject": "rejected", "edit": "edited"}[decision]


@pytest.mark.parametrize(("person", "status"), [("sam", 200), ("sue", 200), ("avery", 403), ("ada", 403)])
def test_preview_needs_the_edit_permission(web_settings: Settings, run_id: str, client_as: Browser, person: str,
                                           status: int) -> None:
    item = items(web_settings, run_id)["/person/sex"]
    browser = client_as(person)
    token = csrf_of(browser, f"/items/{item.id}")
    response = browser.post(f"/items/{item.id}/preview", data={"csrf_token": token, "action": "preview",
                                                              "version": "1", **sex_edit()})
    assert response.status_code == status


def test_forms_without_the_csrf_token_are_refused(web_settings: Settings, run_id: str, client_as: Browser) -> None:
    item = postcode(web_settings, run_id)
    sue = client_as("sue")
    for path in (f"/items/{item.id}/decide", f"/items/{item.id}/preview"):
        response = sue.post(path, data={"decision": "approve", "reason": "ok", "version": "1", "action": "preview"})
        assert response.status_code == 403 and "did not come from this site" in response.text
        wrong = sue.post(path, data={"csrf_token": "forged", "decision": "approve", "reason": "ok", "version": "1"})
        assert wrong.status_code == 403
    assert stored(web_settings, item.id).state == "open"


# ---- preview and edit -----------------------------------------------------------------------


def test_preview_shows_the_edit_on_sample_rows_and_changes_nothing(web_settings: Settings, run_id: str,
                                                                  client_as: Browser) -> None:
    item = items(web_settings, run_id)["/person/sex"]
    sue = client_as("sue")
    token = csrf_of(sue, f"/items/{item.id}")
    response = sue.post(f"/items/{item.id}/preview", data={"csrf_token": token, "action": "preview", "version": "1",
                                                          "reason": "Q and A are unknown", **sex_edit()})
    assert response.status_code == 200
    text = response.text
    assert "Preview of your edit" in text and "nothing saved yet" in text
    preview = text.split("Preview of your edit", 1)[1].split("</table>", 1)[0]
    assert "unknown" in preview and "is not in the value map" not in preview  # Q now placed
    assert "Q = unknown" in html.unescape(text)  # the form is still filled as typed
    assert "Q and A are unknown" in text
    after = stored(web_settings, item.id)
    assert (after.state, after.version, after.proposal) == (item.state, item.version, item.proposal)


def test_change_operation_re_renders_the_form_for_the_new_op_without_javascript(web_settings: Settings, run_id: str,
                                                                              client_as: Browser) -> None:
    item = items(web_settings, run_id)["/custody/arrested_at"]
    sue = client_as("sue")
    token = csrf_of(sue, f"/items/{item.id}")
    form = {"csrf_token": token, "action": "change_op", "version": "1", **edit_fields("parse_datetime", {}, ["ARREST DATE"])}
    page = sue.post(f"/items/{item.id}/preview", data=form)
    assert page.status_code == 200
    enabled = re.findall(r'<fieldset class="op-params" data-op="([a-z_]+)">', page.text)
    assert enabled == ["parse_datetime"]  # only the chosen op's inputs are live; the others are hidden and disabled
    assert 'name="p_parse_datetime_format"' in page.text and 'value="Europe/London"' in page.text
    assert '<option value="parse_datetime" selected>' in page.text
    assert stored(web_settings, item.id).version == 1


def test_an_invalid_edit_is_shown_back_with_its_errors(web_settings: Settings, run_id: str, client_as: Browser) -> None:
    item = items(web_settings, run_id)["/custody/arrested_at"]
    sue = client_as("sue")
    bad = edit_fields("combine_date_time", {"date_format": "%d/%m/%Y", "time_format": "", "timezone": "Mars/Olympus",
                                            "century_pivot": "69", "on_ambiguous": "error", "missing_time": "error",
                                            "null_values": ""}, ["ARREST DATE", "ARREST TIME"])
    response = decide(sue, item, "edit", reason="fix the zone", **bad)
    assert response.status_code == 400
    assert "Time format: Field required" in response.text and "unknown time zone" in response.text
    assert 'value="Mars/Olympus"' in response.text and "fix the zone" in response.text
    assert stored(web_settings, item.id).version == 1
    unknown = decide(sue, item, "edit", reason="try eval", op="eval", p_eval_code="1+1", source_1="ARREST DATE")
    assert unknown.status_code == 400 and "unknown operation" in unknown.text


def test_an_edit_needs_a_reason_and_a_decision_needs_one_too(web_settings: Settings, run_id: str, client_as: Browser) -> None:
    item = items(web_settings, run_id)["/person/sex"]
    sue = client_as("sue")
    assert decide(sue, item, "edit", reason="  ", **sex_edit()).status_code == 400
    response = decide(sue, item, "reject", reason="")
    assert response.status_code == 400 and "A reason is needed" in response.text
    assert stored(web_settings, item.id).version == 1


def test_four_eyes_an_editor_cannot_approve_their_own_edit_another_supervisor_can(web_settings: Settings, run_id: str,
                                                                                  client_as: Browser) -> None:
    item = items(web_settings, run_id)["/person/sex"]
    sue, sid = client_as("sue"), client_as("sid")
    saved = decide(sue, item, "edit", reason="Q and A are unknown", **sex_edit())
    assert saved.status_code == 303 and saved.headers["location"] == f"/items/{item.id}"
    page = sue.get(saved.headers["location"])
    assert "saved as your proposal" in page.text  # the flash message after the redirect
    edited = stored(web_settings, item.id)
    assert (edited.state, edited.proposed_by, edited.version) == ("edited", "sue", 2)
    assert edited.proposal["field"]["transform"]["mapping"]["Q"] == "unknown"
    assert "Approve</button>" not in page.text and "another supervisor must approve it" in page.text
    assert "Edit history" in page.text and "Q and A are unknown" in page.text
    refused = decide(sue, edited, "approve", reason="looks right now")
    assert refused.status_code == 403 and "another person must approve it" in refused.text
    assert "looks right now" in refused.text  # nothing typed is lost
    assert stored(web_settings, item.id).state == "edited"
    approved = decide(sid, edited, "approve", reason="agree with the edit")
    assert approved.status_code == 303
    final = stored(web_settings, item.id)
    assert (final.state, final.decided_by, final.reason) == ("approved", "sid", "agree with the edit")


def test_the_person_who_started_the_run_cannot_decide_its_items(web_settings: Settings, run_id: str,
                                                                 client_as: Browser) -> None:
    with open_session(web_settings) as session:
        session.execute(update(Run).where(Run.id == run_id).values(actor="sue"))  # type: ignore[arg-type]
        session.commit()
    item = postcode(web_settings, run_id)
    sue = client_as("sue")
    page = sue.get(f"/items/{item.id}")
    assert "Approve</button>" not in page.text and "Reject</button>" not in page.text
    assert "another supervisor must decide its items" in page.text
    for decision in ("approve", "reject"):
        refused = decide(sue, item, decision)
        assert refused.status_code == 403 and f"sue started run {run_id}" in refused.text
    assert stored(web_settings, item.id).state == "open"


# ---- concurrency and resume -------------------------------------------------------------------


def test_two_supervisors_deciding_the_same_item_one_wins_the_other_gets_409(web_settings: Settings, run_id: str,
                                                                              client_as: Browser) -> None:
    item = postcode(web_settings, run_id)
    sue, sid = client_as("sue"), client_as("sid")
    seen = item.version  # both opened the page at version 1
    first = decide(sue, item, "approve", reason="postcode is right", version=seen)
    second = decide(sid, item, "reject", reason="should be /location/postcode", version=seen)
    assert first.status_code == 303
    assert second.status_code == 409
    assert "Someone else decided or edited this item first" in second.text
    assert "It is now approved (version 2, by sue)" in second.text
    assert "should be /location/postcode" in second.text  # the loser's reason is shown back
    final = stored(web_settings, item.id)
    assert (final.state, final.decided_by, final.reason, final.version) == ("approved", "sue", "postcode is right", 2)


def test_deciding_the_last_item_resumes_the_run_and_links_the_new_mapping_version(web_settings: Settings, run_id: str,
                                                                                  client_as: Browser) -> None:
    sue = client_as("sue")
    pending = items(web_settings, run_id)
    with open_session(web_settings) as session:
        proposal_version = session.get(Run, run_id).mapping_version_id  # type: ignore[union-attr]
    last = pending.pop("/person/address/postcode")
    for item in pending.values():
        assert decide(sue, item, "approve" if item.kind != "field_merge" else "reject").status_code == 303
    with open_session(web_settings) as session:
        assert session.get(Run, run_id).status == "review"  # type: ignore[union-attr]
    response = decide(sue, last, "approve", reason="last one")
    assert response.status_code == 303
    page = sue.get(response.headers["location"])
    with open_session(web_settings) as session:
        run = session.get(Run, run_id)
        assert run is not None and run.status == "succeeded" and run.mapping_version_id != proposal_version
        version = session.get(MappingVersion, run.mapping_version_id)
        assert version is not None and version.parent_version == proposal_version and version.created_by == "sue"
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.run_id == run_id)).all()]
    assert "run_resumed" in actions and "mapping_approved" in actions
    assert "the run resumed and stored mapping version" in page.text
    assert f'href="/versions/{run.mapping_version_id}"' in page.text
    status = {f["target"]: f["status"] for f in version.document["fields"]}
    assert status["/person/address/postcode"] == "approved" and status["/custody/arrested_at"] == "rejected"


def test_a_decided_item_offers_no_forms_and_cannot_be_previewed(web_settings: Settings, run_id: str, client_as: Browser) -> None:
    item = postcode(web_settings, run_id)
    sue = client_as("sue")
    assert decide(sue, item, "reject", reason="wrong target").status_code == 303
    page = sue.get(f"/items/{item.id}")
    assert "Approve</button>" not in page.text and "Save edit</button>" not in page.text and "wrong target" in page.text
    token = csrf_of(sue, f"/items/{item.id}")
    response = sue.post(f"/items/{item.id}/preview", data={"csrf_token": token, "action": "preview", **sex_edit()})
    assert response.status_code == 409


def test_a_decided_run_that_has_not_resumed_says_why(web_settings: Settings, run_id: str, client_as: Browser) -> None:
    item = postcode(web_settings, run_id)
    with open_session(web_settings) as session:  # as if every item was decided and resuming then failed
        session.execute(update(ReviewItem).where(ReviewItem.run_id == run_id)  # type: ignore[arg-type]
                        .values(state="approved", decided_by="sid", reason="ok", version=2))
        session.commit()
    sue = client_as("sue")
    assert "the run has not resumed" in sue.get(f"/items/{item.id}").text
    assert f"crosswalk review resume {run_id}" in sue.get(f"/items/{item.id}").text
    with open_session(web_settings) as session:
        session.execute(update(Run).where(Run.id == run_id).values(status="resuming"))  # type: ignore[arg-type]
        session.commit()
    assert "The run is resuming" in sue.get(f"/items/{item.id}").text


# ---- escaping -------------------------------------------------------------------------------


def test_proposal_text_is_escaped(web_settings: Settings, run_id: str, client_as: Browser) -> None:
    item = postcode(web_settings, run_id)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    field = {**item.proposal["field"], "rationale": evil, "review_reasons": [f"low_confidence: {evil}"]}
    with open_session(web_settings) as session:
        session.execute(update(ReviewItem).where(ReviewItem.id == item.id)  # type: ignore[arg-type]
                        .values(proposal={**item.proposal, "field": field}))
        session.commit()
    page = client_as("avery").get(f"/items/{item.id}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert page.text.count("<script") == page.text.count('<script src="/static/')  # only our own file


# ---- the transform form (review_ui.transform_form) -------------------------------------------


def _submitted(op: str, transform: dict[str, Any]) -> dict[str, str]:
    """What a browser sends for a fieldset filled from ``transform`` (unchecked boxes are absent)."""
    from review_ui.transform_form import fieldset

    return {i.name: ("on" if i.widget == "checkbox" else i.value) for i in fieldset(op, transform).inputs
            if i.widget != "checkbox" or i.checked}


@pytest.mark.parametrize("transform", [
    {"op": "copy"}, {"op": "text", "case": "title", "trim": False}, {"op": "to_integer", "thousands_separator": ","},
    {"op": "to_boolean", "true_values": ["J", "ja"], "false_values": ["N"]},
    {"op": "parse_date", "format": "%d/%m/%y", "century_pivot": 30, "null_values": ["N/A", "UNKNOWN"]},
    {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H%M", "on_ambiguous": "later"},
    {"op": "join", "separator": ""}, {"op": "bng_to_wgs84", "output": "latitude", "decimals": 5},
    {"op": "value_map", "mapping": {"M": "male", "a=b": True, "12": "12", " pad": None, "#x": 3, '"q"': "quoted"},
     "case_insensitive": False, "on_unmapped": "keep"},
    {"op": "constant", "value": {"nested": [1, "two"]}},
    {"op": "pipeline", "steps": [{"op": "text", "case": "upper"}, {"op": "postcode"}]},
])
def test_every_kind_of_parameter_survives_the_form_round_trip(transform: dict[str, Any]) -> None:
    from review_ui.transform_form import parse_form
    from tools.transforms import parse_transform

    expected = parse_transform(transform).model_dump(mode="json")
    result = parse_form(_submitted(transform["op"], expected), transform["op"])
    assert result.errors == [] and result.transform == expected


def test_every_op_of_the_vocabulary_gets_a_fieldset_with_typed_inputs() -> None:
    from review_ui.transform_form import all_fieldsets
    from tools.transforms import ALL_OPS

    sets = {fs.op: fs for fs in all_fieldsets({"op": "postcode", "space": False}, "postcode")}
    assert list(sets) == list(ALL_OPS)
    widgets = {(fs.op, i.param): i.widget for fs in sets.values() for i in fs.inputs}
    assert widgets[("text", "trim")] == "checkbox" and widgets[("text", "case")] == "select"
    assert widgets[("parse_date", "century_pivot")] == "number" and widgets[("parse_date", "format")] == "text"
    assert widgets[("value_map", "mapping")] == "pairs" and widgets[("to_boolean", "true_values")] == "lines"
    assert widgets[("constant", "value")] == "json" and widgets[("pipeline", "steps")] == "json"
    assert not next(i for i in sets["postcode"].inputs if i.param == "space").checked  # filled from the transform
    assert sets["combine_date_time"].arity == "2 source fields"


def test_typed_text_is_data_never_code() -> None:
    from review_ui.transform_form import parse_form

    sneaky = {"p_constant_value": "__import__('os').system('echo hacked')"}
    result = parse_form(sneaky, "constant")
    assert result.transform is None and result.errors and "not valid JSON" in result.errors[0]
    mapped = parse_form({"p_value_map_mapping": "x = __import__('os')", "p_value_map_on_unmapped": "error"}, "value_map")
    assert mapped.transform is not None and mapped.transform["mapping"] == {"x": "__import__('os')"}
    assert parse_form({}, "exec").errors == ["unknown operation 'exec'"]
