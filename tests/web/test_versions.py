"""The mapping version pages: list, one version, its JSON download and the diff between versions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from agent.jobs.review_job import decide_item
from agent.settings import Settings
from agent.store import MappingVersion, Run, open_session
from agent.store.review import items_of_run

ClientAs = Callable[[str], TestClient]
ROLES = ("sam", "sue", "avery", "ada")
POSTCODE = "/person/address/postcode"
NO_SPACE = {"op": "postcode", "space": False}


def proposal_version(web_settings: Settings, run_id: str) -> str:
    with open_session(web_settings) as session:
        run = session.get(Run, run_id)
        assert run is not None and run.mapping_version_id
        return run.mapping_version_id


def review_with_an_edit(web_settings: Settings, run_id: str) -> str:
    """sid edits the postcode transform, sue approves it and decides the rest; returns the reviewed version id."""
    as_user = {name: web_settings.model_copy(update={"user": name}) for name in ("sid", "sue")}
    with open_session(web_settings) as session:
        items = {i.target: i for i in items_of_run(session, run_id)}
    decide_item(as_user["sid"], items[POSTCODE].id, "edit", "keep postcodes unspaced", edit={"transform": NO_SPACE})
    decide_item(as_user["sue"], items[POSTCODE].id, "approve", "edit checked on the sample")
    for target, item in items.items():
        if target != POSTCODE:
            outcome = decide_item(as_user["sue"], item.id, "approve", "samples look right")
    assert outcome.resumed is not None, "the last decision resumes the run"
    return outcome.resumed.mapping_version_id


@pytest.mark.parametrize("username", ROLES)
def test_every_role_sees_versions_and_downloads_json(users: object, seeded_run: str, client_as: ClientAs,
                                                    web_settings: Settings, username: str) -> None:
    version_id = proposal_version(web_settings, seeded_run)
    browser = client_as(username)
    listing = browser.get("/versions")
    assert listing.status_code == 200 and version_id[:12] in listing.text and seeded_run[:8] in listing.text
    page = browser.get(f"/versions/{version_id}")
    assert page.status_code == 200
    assert f"crosswalk apply --mapping-version {version_id} SOURCE" in page.text
    assert "/custody/arrested_at" in page.text and "combine_date_time" in page.text
    assert browser.get(f"/versions/{version_id}.json").status_code == 200
    assert browser.get(f"/versions/{version_id}/diff").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, seeded_run: str, web_settings: Settings) -> None:
    version_id = proposal_version(web_settings, seeded_run)
    for path in ("/versions", f"/versions/{version_id}", f"/versions/{version_id}.json", f"/versions/{version_id}/diff"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in"), path


def test_the_json_download_is_the_stored_document(users: object, seeded_run: str, client_as: ClientAs,
                                                 web_settings: Settings) -> None:
    version_id = proposal_version(web_settings, seeded_run)
    response = client_as("avery").get(f"/versions/{version_id}.json")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="mapping-{version_id[:12]}.json"'
    with open_session(web_settings) as session:
        stored = session.get(MappingVersion, version_id)
        assert stored is not None
    assert json.loads(response.content) == stored.document


def test_a_prefix_redirects_to_the_full_id_and_unknown_versions_are_404(users: object, seeded_run: str,
                                                                       client_as: ClientAs, web_settings: Settings) -> None:
    version_id = proposal_version(web_settings, seeded_run)
    browser = client_as("sue")
    short = browser.get(f"/versions/{version_id[:10]}", follow_redirects=False)
    assert short.status_code == 303 and short.headers["location"] == f"/versions/{version_id}"
    for path in (f"/versions/{'f' * 64}", f"/versions/{version_id[:4]}", f"/versions/{'f' * 64}.json",
                 f"/versions/{version_id}/diff?against={'e' * 64}"):
        assert browser.get(path).status_code == 404, path


def test_a_proposal_has_no_parent_to_diff_against(users: object, seeded_run: str, client_as: ClientAs,
                                                 web_settings: Settings) -> None:
    version_id = proposal_version(web_settings, seeded_run)
    page = client_as("sue").get(f"/versions/{version_id}/diff")
    assert "has no parent" in page.text
    same = client_as("sue").get(f"/versions/{version_id}/diff?against={version_id}")
    assert "map every field the same way" in same.text


def test_the_diff_shows_the_transform_changed_by_an_edit_and_approval(users: object, seeded_run: str,
                                                                     client_as: ClientAs, web_settings: Settings) -> None:
    proposal = proposal_version(web_settings, seeded_run)
    reviewed = review_with_an_edit(web_settings, seeded_run)
    browser = client_as("avery")
    listing = browser.get("/versions").text
    assert reviewed[:12] in listing and f'href="/versions/{reviewed}/diff"' in listing

    page = browser.get(f"/versions/{reviewed}")
    assert f'href="/versions/{proposal}"' in page.text  # the parent link
    assert f"crosswalk apply --mapping-version {reviewed} SOURCE" in page.text
    # named by its dataset and number too, as `crosswalk review versions` lists it
    assert re.search(r"<dt>Approved as</dt><dd><code>[^<]+\.csv@1</code> <span class=\"muted\">by sue</span>", page.text)
    assert "Approved as" not in browser.get(f"/versions/{proposal}").text
    assert f'href="/versions/{reviewed}"' in browser.get(f"/versions/{proposal}").text  # "reviewed into"

    diff = browser.get(f"/versions/{reviewed}/diff")
    assert diff.status_code == 200 and "(its parent)" in diff.text
    section = re.search(r'<section class="diff-field diff-field-changed" aria-label="changed /person/address/postcode">(.*?)</section>',
                        diff.text, re.S)
    assert section is not None, diff.text
    body = section.group(1)
    assert "&#34;space&#34;: true" in body and "&#34;space&#34;: false" in body  # transform before and after, pretty JSON
    assert "needs_review" in body and "approved" in body  # the status changed too
    # the other approved fields changed status only
    assert 'aria-label="changed /custody/arrested_at"' in diff.text
    # the run page now shows the reviewed version and links the diff since the proposal
    run_page = browser.get(f"/runs/{seeded_run}").text
    assert f'href="/versions/{reviewed}/diff?against={proposal}"' in run_page


def test_the_diff_against_another_version_works_in_either_direction(users: object, seeded_run: str,
                                                                   client_as: ClientAs, web_settings: Settings) -> None:
    proposal = proposal_version(web_settings, seeded_run)
    reviewed = review_with_an_edit(web_settings, seeded_run)
    backwards = client_as("sue").get(f"/versions/{proposal}/diff?against={reviewed[:10]}")
    assert backwards.status_code == 200
    assert 'aria-label="changed /person/address/postcode"' in backwards.text
    assert "(its parent)" not in backwards.text


def test_the_versions_list_is_paginated(users: object, client_as: ClientAs, web_settings: Settings,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.store import store_mapping_version
    from review_ui.routes import versions as version_routes
    from tools.mapping import parse_mapping

    monkeypatch.setattr(version_routes, "VERSIONS_PER_PAGE", 2)
    with open_session(web_settings) as session:
        made = [store_mapping_version(session, parse_mapping({"fields": [], "unmapped_sources": [f"F{i}"]}), created_by="sam").id
                for i in range(3)]
    browser = client_as("avery")
    first = browser.get("/versions").text
    assert "Page 1 of 2" in first and made[2][:12] in first and made[0][:12] not in first
    assert made[0][:12] in browser.get("/versions?page=2").text
