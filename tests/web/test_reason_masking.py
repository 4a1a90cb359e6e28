"""Reviewers' reasons are minimised in the audit log: quoted evidence values masked, codes and words kept.

The mapping decisions run on a copy of the web tests' demo propose run (sam proposed, so
sue decides); the record merges on a copy of their two-force link run (sam linked).
The review item row and the link decision row keep the reason as typed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from agent.audit import list_events
from agent.jobs.review_job import decide_item
from agent.link_commands import link_decide_command
from agent.minimisation import masked_value, value_digest
from agent.reason_masking import audit_reason, mask_reason_values
from agent.settings import Settings
from agent.store import AuditEvent, dispose_engines, open_session
from agent.store.linkage import LinkDecision
from agent.store.models import ReviewItem
from agent.store.review import items_of_run
from tests.cli_apps import command_app
from tests.web.test_items import decide as web_decide
from tests.web.test_record_merge_items import PEOPLE as MERGE_PEOPLE
from tests.web.test_record_merge_items import decide as web_decide_merge
from tests.web.test_record_merge_items import grey_items, link_run, linked_template  # noqa: F401 (fixtures)

POSTCODE = "/person/address/postcode"
CODES_AND_WORDS = "Q means unknown, M is Male, F is female; checked the samples"


def masked_text(value: str) -> str:
    masked = masked_value(value)
    return f"[{masked['shape']} {masked['sha256']}]"


def copied(template: Path, tmp_path: Path, user: str, **options: Any) -> Settings:
    shutil.copytree(template, tmp_path / "cw")
    return Settings(data_dir=tmp_path / "cw", user=user, **options)


def postcode_item(settings: Settings, run_id: str) -> ReviewItem:
    with open_session(settings) as session:
        return next(i for i in items_of_run(session, run_id) if i.target == POSTCODE)


def stored_item(settings: Settings, item_id: str) -> ReviewItem:
    with open_session(settings) as session:
        found = session.get(ReviewItem, item_id)
    assert found is not None
    return found


def events(settings: Settings, action: str) -> list[AuditEvent]:
    with open_session(settings) as session:
        return [e for e in list_events(session) if e.action == action]


@pytest.fixture()
def proposed(proposed_template: tuple[Path, str]) -> Iterator[tuple[Path, str]]:  # noqa: F811
    yield proposed_template
    dispose_engines()


# ---- the masking itself ------------------------------------------------------------------------


def test_whole_values_are_masked_case_insensitively_and_codes_and_words_are_not() -> None:
    reason = f"row with smith, john 12/03/1981 and SW1A 1AA; {CODES_AND_WORDS}; Mmm"
    masked, changed = mask_reason_values(reason, ["SMITH, John", "1981-03-12", "SW1A 1AA", "M", "Q", "unknown"],
                                         codes=["unknown"])
    assert changed
    assert masked == (f"row with {masked_text('SMITH, John')} {masked_text('12/03/1981')} and {masked_text('SW1A 1AA')}; "
                      f"{CODES_AND_WORDS}; Mmm")


def test_a_value_inside_a_longer_word_is_not_masked_and_nothing_quoted_changes_nothing() -> None:
    assert mask_reason_values("Smithson and Johnny agree", ["Smith", "John"]) == ("Smithson and Johnny agree", False)
    assert audit_reason("checked", ["SMITH"], raw=False) == {"reason": "checked"}
    assert audit_reason("SMITH checked", ["SMITH"], raw=True) == {"reason": "SMITH checked"}
    assert audit_reason("SMITH checked", ["SMITH"], raw=False) == {
        "reason": f"{masked_text('SMITH')} checked", "reason_masked": True, "reason_sha256": value_digest("SMITH checked")}


# ---- mapping review items ----------------------------------------------------------------------


def test_a_reason_quoting_a_sampled_value_is_masked_in_the_log_but_not_in_the_item(proposed: tuple[Path, str],
                                                                                  tmp_path: Path) -> None:
    template, run_id = proposed
    settings = copied(template, tmp_path, "sue")
    item = postcode_item(settings, run_id)
    sample = item.proposal["preview"]["samples"][0]["inputs"][0]
    assert len(sample) >= 5, sample  # a whole postcode from the demo export
    reason = f"row with {sample.lower()} shows the real format; {CODES_AND_WORDS}"
    decide_item(settings, item.id, "approve", reason)
    [event] = events(settings, "review_approved")
    assert event.inputs["reason"] == f"row with {masked_text(sample)} shows the real format; {CODES_AND_WORDS}"
    assert event.inputs["reason_masked"] is True and event.inputs["reason_sha256"] == value_digest(reason)
    assert sample.lower() not in event.inputs["reason"].lower()
    assert stored_item(settings, item.id).reason == reason  # the operational row keeps what the supervisor typed


def test_with_audit_raw_values_on_the_reason_is_logged_as_typed(proposed: tuple[Path, str], tmp_path: Path) -> None:
    template, run_id = proposed
    settings = copied(template, tmp_path, "sue", audit_raw_values=True)
    item = postcode_item(settings, run_id)
    sample = item.proposal["preview"]["samples"][0]["inputs"][0]
    reason = f"row with {sample} shows the real format"
    decide_item(settings, item.id, "reject", reason)
    [event] = events(settings, "review_rejected")
    assert event.inputs["reason"] == reason and "reason_masked" not in event.inputs


def test_a_reason_with_only_codes_and_words_is_logged_unchanged(proposed: tuple[Path, str], tmp_path: Path) -> None:
    template, run_id = proposed
    settings = copied(template, tmp_path, "sue")
    with open_session(settings) as session:
        sex = next(i for i in items_of_run(session, run_id) if i.target == "/person/sex")
    inputs = {str(v) for s in sex.proposal["preview"]["samples"] for v in s["inputs"]}
    assert {"M", "F"} <= inputs or {"Male", "Female"} & inputs, inputs  # the reason below quotes the field's own codes
    decide_item(settings, sex.id, "approve", CODES_AND_WORDS)
    [event] = events(settings, "review_approved")
    assert event.inputs["reason"] == CODES_AND_WORDS and "reason_masked" not in event.inputs


# ---- record merges -----------------------------------------------------------------------------


def quotable(item: ReviewItem) -> bool:
    """Names long enough to be masked (two-letter names count as codes)."""
    person = item.proposal["left"]["person"]
    return not item.proposal["conflict"] and len(person["given_names"]) >= 3 and len(person["family_name"]) >= 3


def merge_reason(item: ReviewItem) -> tuple[str, list[str]]:
    """A reason quoting the left record's family name and (UK-typed) date of birth, and those values as logged."""
    person = item.proposal["left"]["person"]
    year, month, day = person["date_of_birth"].split("-")
    typed_dob = f"{day}/{month}/{year}"
    return (f"{person['family_name']}, {person['given_names']} {typed_dob} is the same person; both male",
            [person["family_name"], person["given_names"], typed_dob])


def test_a_record_merge_reason_quoting_a_name_and_date_of_birth_is_masked(
        linked_template: tuple[Path, str], tmp_path: Path) -> None:  # noqa: F811
    template, run_id = linked_template
    settings = copied(template, tmp_path, "sue")
    with open_session(settings) as session:
        item = next(i for i in items_of_run(session, run_id) if quotable(i))
    reason, quoted = merge_reason(item)
    decide_item(settings, item.id, "approve", reason)
    expected = (f"{masked_text(quoted[0])}, {masked_text(quoted[1])} {masked_text(quoted[2])} "
                "is the same person; both male")  # "male" is a code of the standard, not personal data
    [decided] = events(settings, "review_approved")
    [merged] = events(settings, "link_merge")
    for event in (decided, merged):
        assert event.inputs["reason"] == expected and event.inputs["reason_masked"] is True
    with open_session(settings) as session:
        row = session.exec(select(LinkDecision).where(LinkDecision.review_item_id == item.id)).one()
    assert row.reason == reason and stored_item(settings, item.id).reason == reason
    dispose_engines()


def test_link_decide_masks_the_records_values_read_from_their_files(linked_template: tuple[Path, str],  # noqa: F811
                                                                     tmp_path: Path) -> None:
    template, run_id = linked_template
    settings = copied(template, tmp_path, "kim")
    with open_session(settings) as session:
        item = next(i for i in items_of_run(session, run_id) if quotable(i))
    reason, quoted = merge_reason(item)
    left, right = item.proposal["left"]["key"], item.proposal["right"]["key"]
    app = command_app("link-decide", link_decide_command, settings)
    result = CliRunner().invoke(app, ["link-decide", left, right, "--split", "--reason", reason])
    assert result.exit_code == 0, result.output
    [event] = events(settings, "link_split")
    assert event.inputs["reason"] == (f"{masked_text(quoted[0])}, {masked_text(quoted[1])} {masked_text(quoted[2])} "
                                      "is the same person; both male")
    dispose_engines()


# ---- the web app -------------------------------------------------------------------------------


def test_a_web_decision_ends_with_a_masked_reason_in_the_audit_log(
        web_settings: Settings, proposed_template: tuple[Path, str], make_user: Any,  # noqa: F811
        client_as: Any) -> None:  # noqa: F811
    template, run_id = proposed_template
    shutil.copytree(template, web_settings.data_dir)
    make_user("sue", "supervisor")
    item = postcode_item(web_settings, run_id)
    sample = item.proposal["preview"]["samples"][1]["inputs"][0]
    reason = f"{sample} is a real postcode"
    response = web_decide(client_as("sue"), item, "approve", reason)
    assert response.status_code == 303, response.text[:500]
    [event] = events(web_settings, "review_approved")
    assert event.actor == "sue" and event.inputs["reason"] == f"{masked_text(sample)} is a real postcode"
    assert event.inputs["reason_masked"] is True
    assert stored_item(web_settings, item.id).reason == reason


def test_a_web_merge_decision_ends_with_a_masked_reason_in_the_audit_log(
        web_settings: Settings, link_run: str, client_as: Any) -> None:  # noqa: F811
    assert "sue" in MERGE_PEOPLE
    item = next(i for i in grey_items(web_settings, link_run) if quotable(i))
    reason, quoted = merge_reason(item)
    response = web_decide_merge(client_as("sue"), item, "reject", reason)
    assert response.status_code == 303, response.text[:500]
    for action in ("review_rejected", "link_split"):
        [event] = events(web_settings, action)
        assert event.inputs["reason_masked"] is True
        assert not any(re.search(rf"(?<!\w){re.escape(q)}(?!\w)", event.inputs["reason"], re.IGNORECASE) for q in quoted)


# ---- replay ------------------------------------------------------------------------------------


def test_a_replay_of_a_run_decided_with_masked_reasons_is_identical(proposed: tuple[Path, str], tmp_path: Path) -> None:
    from agent.jobs.replay_job import replay_run

    template, run_id = proposed
    settings = copied(template, tmp_path, "sue")
    with open_session(settings) as session:
        queued = items_of_run(session, run_id)
    for item in queued:  # every reason quotes the item's first sampled value (sex and ethnicity: codes)
        sample = str(item.proposal["preview"]["samples"][0]["inputs"][0])
        decide_item(settings, item.id, "approve", f"{sample} looks right")
    logged = events(settings, "review_approved")
    assert len(logged) == 4 and sum(bool(e.inputs.get("reason_masked")) for e in logged) == 2  # a date, a postcode
    report = replay_run(settings.model_copy(update={"user": "avery"}), run_id)
    assert report.reproduced and report.identical and report.decisions_reapplied == 4, report.model_dump_json(indent=1)
    assert not any("masked" in note for note in report.notes)
