"""The runs pages: list, upload to start a propose run, a run's overview, release and resume."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from agent.audit import list_events
from agent.settings import Settings
from agent.jobs.upload_run import new_upload_dir
from agent.store import AuditEvent, Run, close_run, open_run, open_session
from agent.store.review import decide, items_of_run
from review_ui.app import create_app
from tests.web.conftest import BASE_URL, DEMO_EXPORT, csrf_of, sign_in

ClientAs = Callable[[str], TestClient]
ROLES = {"sam": "staff", "sue": "supervisor", "avery": "auditor", "ada": "admin"}
UPLOAD_FORM = 'action="/runs" enctype="multipart/form-data"'


def upload(browser: TestClient, name: str, content: bytes, **fields: str) -> object:
    """POST /runs with a file as a browser form would, returning the response (redirects not followed)."""
    token = csrf_of(browser, "/runs")
    return browser.post("/runs", data={"csrf_token": token, **fields}, files={"source": (name, content, "text/csv")},
                        follow_redirects=False)


def run_of(web_settings: Settings, run_id: str) -> Run:
    with open_session(web_settings) as session:
        run = session.get(Run, run_id)
        assert run is not None
        return run


def decide_all_without_resuming(web_settings: Settings, run_id: str, actor: str) -> None:
    """Approve every item in the store directly, so the run stays in ``review`` (as after a failed resume)."""
    with open_session(web_settings) as session:
        for item in items_of_run(session, run_id):
            decide(session, item.id, "approve", actor, "fine", item.version)


@pytest.mark.parametrize("username", sorted(ROLES))
def test_every_role_sees_the_runs_list_and_a_run(users: object, seeded_run: str, client_as: ClientAs, username: str) -> None:
    browser = client_as(username)
    listing = browser.get("/runs")
    assert listing.status_code == 200
    assert seeded_run[:12] in listing.text and "custody_export.csv" in listing.text
    assert "waiting for review" in listing.text
    # the upload form only for roles that may start runs (staff, supervisor)
    assert (UPLOAD_FORM in listing.text) == (ROLES[username] in ("staff", "supervisor"))
    page = browser.get(f"/runs/{seeded_run}")
    assert page.status_code == 200
    assert "/custody/arrested_at" in page.text and "ROWVER" in page.text  # a field, and an unmapped source
    assert f'href="/runs/{seeded_run}/audit"' in page.text and 'href="/versions/' in page.text
    assert page.text.count('href="/items/') == 4
    assert ("another supervisor must approve" in page.text.lower()) == (username == "sam")


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, seeded_run: str) -> None:
    for path in ("/runs", f"/runs/{seeded_run}"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in?next=")
    assert client.post("/runs", files={"source": ("a.csv", b"a\n1\n")}).status_code in (401, 403)


def test_run_page_lists_fields_with_status_confidence_and_unmapped_reasons(users: object, seeded_run: str,
                                                                          client_as: ClientAs) -> None:
    page = client_as("sue").get(f"/runs/{seeded_run}").text
    assert "field-status-auto_accepted" in page and "field-status-needs_review" in page
    assert "ARREST DATE" in page and "combine_date_time" in page
    assert "97%" in page  # the family name's confidence, as a percentage
    assert "Unmapped source fields" in page


def test_unknown_run_is_a_404_page(users: object, client_as: ClientAs) -> None:
    response = client_as("sue").get("/runs/" + "0" * 32)
    assert response.status_code == 404 and "Page not found" in response.text


@pytest.mark.parametrize("username", ["avery", "ada"])
def test_auditor_and_admin_cannot_start_runs(users: object, client_as: ClientAs, web_settings: Settings,
                                             username: str) -> None:
    browser = client_as(username)
    token = csrf_of(browser, "/runs")
    response = browser.post("/runs", data={"csrf_token": token}, files={"source": ("x.csv", DEMO_EXPORT.read_bytes())})
    assert response.status_code == 403 and "cannot start propose runs" in response.text
    assert not (web_settings.data_dir / "uploads").exists()


def test_upload_without_csrf_token_is_refused(users: object, client_as: ClientAs, web_settings: Settings) -> None:
    response = client_as("sue").post("/runs", files={"source": ("x.csv", b"a,b\n1,2\n")})
    assert response.status_code == 403
    assert not (web_settings.data_dir / "uploads").exists()


def test_upload_starts_a_propose_run_as_the_signed_in_person(users: object, client_as: ClientAs,
                                                            web_settings: Settings) -> None:
    browser = client_as("sue")
    response = upload(browser, "custody_export.csv", DEMO_EXPORT.read_bytes())
    assert response.status_code == 303 and response.headers["location"].startswith("/runs/uploads/")
    # the TestClient ran the background task before returning: the run exists and paused for review
    forwarded = browser.get(response.headers["location"], follow_redirects=False)
    assert forwarded.status_code == 303
    run_id = forwarded.headers["location"].rsplit("/", 1)[1]
    run = run_of(web_settings, run_id)
    assert (run.kind, run.actor, run.status) == ("propose", "sue", "review")
    page = browser.get(f"/runs/{run_id}")
    assert "waiting for review" in page.text and "custody_export.csv" in page.text
    assert "you started this run" in page.text.lower()  # four-eyes: sue may not decide her own run
    with open_session(web_settings) as session:
        assert len(items_of_run(session, run_id)) == 4
        actions = [e.action for e in list_events(session, run_id)]
    assert actions[0] == "run_started" and "source_uploaded" in actions
    assert "Uploaded custody_export.csv" in page.text  # the flash message
    assert run_id[:12] in browser.get("/runs").text


@pytest.mark.parametrize("client_name", ["../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd"])
def test_a_malicious_file_name_cannot_choose_where_the_upload_is_stored(users: object, client_as: ClientAs,
                                                                       web_settings: Settings, client_name: str) -> None:
    browser = client_as("sam")
    response = upload(browser, client_name, b"root:x:0:0:root:/root:/bin/bash\n")
    assert response.status_code == 303
    uploads = web_settings.data_dir / "uploads"
    stored = [p for p in uploads.rglob("*") if p.is_file() and p.name not in ("run.json", "proposal.json")]
    assert len(stored) == 1
    assert stored[0].parent.parent == uploads and stored[0].name in ("passwd", "win.ini")
    assert stored[0].read_bytes() == b"root:x:0:0:root:/root:/bin/bash\n"


def test_a_file_name_with_markup_is_stored_plainly_and_shown_escaped(users: object, client_as: ClientAs,
                                                                    web_settings: Settings) -> None:
    browser = client_as("sam")
    name = "<img src=x onerror=alert(1)>.csv"
    response = upload(browser, name, b"not, really\x00 a csv\xff\xfe")
    run_page = browser.get(response.headers["location"])
    assert run_page.status_code == 200
    assert "<img src=x" not in run_page.text
    run_id = str(run_page.url).rsplit("/", 1)[1]
    stored = next((web_settings.data_dir / "uploads").rglob("*.csv"))
    assert "<" not in stored.name and ">" not in stored.name
    audit = browser.get(f"/runs/{run_id}/audit")
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in audit.text  # the name the browser sent, escaped
    assert "<img src=x" not in audit.text


def test_an_unreadable_upload_becomes_a_failed_run_with_its_message(users: object, client_as: ClientAs,
                                                                   web_settings: Settings) -> None:
    browser = client_as("sam")
    response = upload(browser, "empty.csv", b"")
    page = browser.get(response.headers["location"])
    assert page.status_code == 200 and "The run failed" in page.text
    run_id = str(page.url).rsplit("/", 1)[1]
    run = run_of(web_settings, run_id)
    assert run.status == "failed" and run.error and run.actor == "sam"
    assert run.error.split(":")[0] in page.text
    assert str(web_settings.data_dir) not in run.error  # the person knows the file by its name, not the server path
    listing = browser.get("/runs").text
    assert "empty.csv" in listing and "failed" in listing


def test_only_the_bundled_standard_can_be_chosen_as_target(users: object, client_as: ClientAs,
                                                          web_settings: Settings) -> None:
    response = upload(client_as("sue"), "x.csv", b"a,b\n1,2\n", target_schema="/etc/passwd")
    assert response.status_code == 400 and "unknown target schema" in response.text
    assert not list((web_settings.data_dir / "uploads").glob("*")) if (web_settings.data_dir / "uploads").exists() else True


def test_an_oversized_upload_is_refused_with_413(users: object, web_settings: Settings) -> None:
    small = web_settings.model_copy(update={"web_upload_max_mb": 0.01})  # 10 kB
    with TestClient(create_app(small), base_url=BASE_URL) as browser:
        sign_in(browser, "sue")
        token = csrf_of(browser, "/runs")
        response = browser.post("/runs", data={"csrf_token": token}, files={"source": ("big.csv", b"a,b\n" + b"1,2\n" * 10_000)})
        assert response.status_code == 413 and "larger than the limit" in response.text
        still_fine = browser.post("/runs", data={"csrf_token": token}, files={"source": ("s.csv", b"")}, follow_redirects=False)
        assert still_fine.status_code == 303
    with open_session(web_settings) as session:
        assert len(session.exec(select(Run)).all()) == 1  # only the small upload started a run


def set_status(web_settings: Settings, run_id: str, status: str) -> None:
    with open_session(web_settings) as session:
        run = session.get(Run, run_id)
        assert run is not None
        run.status = status
        session.add(run)
        session.commit()


@pytest.mark.parametrize("username", ["sam", "sue", "avery"])
def test_only_an_admin_may_release_a_run(users: object, seeded_run: str, client_as: ClientAs, web_settings: Settings,
                                         username: str) -> None:
    set_status(web_settings, seeded_run, "resuming")
    browser = client_as(username)
    token = csrf_of(browser, f"/runs/{seeded_run}")
    response = browser.post(f"/runs/{seeded_run}/release", data={"csrf_token": token, "reason": "stuck"})
    assert response.status_code == 403 and "cannot override stuck runs" in response.text
    assert run_of(web_settings, seeded_run).status == "resuming"


def test_admin_releases_a_run_stuck_in_resuming_with_a_reason(users: object, seeded_run: str, client_as: ClientAs,
                                                             web_settings: Settings) -> None:
    browser = client_as("ada")
    token = csrf_of(browser, f"/runs/{seeded_run}")
    refused = browser.post(f"/runs/{seeded_run}/release", data={"csrf_token": token, "reason": "stuck"})
    assert refused.status_code == 409 and "is review, not resuming" in refused.text
    assert 'action="/runs/' + seeded_run + '/release"' not in browser.get(f"/runs/{seeded_run}").text

    set_status(web_settings, seeded_run, "resuming")
    assert 'action="/runs/' + seeded_run + '/release"' in browser.get(f"/runs/{seeded_run}").text
    no_reason = browser.post(f"/runs/{seeded_run}/release", data={"csrf_token": token, "reason": "  "})
    assert no_reason.status_code == 400 and "needs a reason" in no_reason.text
    released = browser.post(f"/runs/{seeded_run}/release", data={"csrf_token": token, "reason": "process killed at 02:00"},
                            follow_redirects=False)
    assert released.status_code == 303
    assert run_of(web_settings, seeded_run).status == "review"
    with open_session(web_settings) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "run_released")).one()
    assert (event.actor, event.run_id, event.inputs["reason"]) == ("ada", seeded_run, "process killed at 02:00")
    assert "released" in browser.get(f"/runs/{seeded_run}").text


@pytest.mark.parametrize("username", ["sam", "avery", "ada"])
def test_roles_without_decide_cannot_resume(users: object, seeded_run: str, client_as: ClientAs, username: str) -> None:
    browser = client_as(username)
    token = csrf_of(browser, f"/runs/{seeded_run}")
    assert browser.post(f"/runs/{seeded_run}/resume", data={"csrf_token": token}).status_code == 403


def test_a_supervisor_resumes_a_fully_decided_run(users: object, seeded_run: str, client_as: ClientAs,
                                                 web_settings: Settings) -> None:
    browser = client_as("sue")
    token = csrf_of(browser, f"/runs/{seeded_run}")
    early = browser.post(f"/runs/{seeded_run}/resume", data={"csrf_token": token})
    assert early.status_code == 400 and "undecided item" in early.text
    decide_all_without_resuming(web_settings, seeded_run, "sid")
    page = browser.get(f"/runs/{seeded_run}")
    assert f'action="/runs/{seeded_run}/resume"' in page.text
    resumed = browser.post(f"/runs/{seeded_run}/resume", data={"csrf_token": token})
    assert resumed.status_code == 200 and "Run resumed" in resumed.text
    run = run_of(web_settings, seeded_run)
    assert run.status == "succeeded" and run.summary and run.summary["proposal_version"] != run.mapping_version_id
    assert "Reviewed version" in resumed.text and "Proposal version" in resumed.text
    again = browser.post(f"/runs/{seeded_run}/resume", data={"csrf_token": token})
    assert again.status_code == 409 and "resumed already" in again.text


def test_the_starter_of_a_run_cannot_give_its_final_approval(users: object, client_as: ClientAs,
                                                            web_settings: Settings) -> None:
    browser = client_as("sue")
    run_id = str(browser.get(upload(browser, "custody_export.csv", DEMO_EXPORT.read_bytes()).headers["location"]).url).rsplit("/", 1)[1]
    decide_all_without_resuming(web_settings, run_id, "sid")
    token = csrf_of(browser, f"/runs/{run_id}")
    refused = browser.post(f"/runs/{run_id}/resume", data={"csrf_token": token})
    assert refused.status_code == 403 and "sue started run" in refused.text
    assert run_of(web_settings, run_id).status == "review"


def test_the_runs_list_is_paginated_newest_first(users: object, client_as: ClientAs, web_settings: Settings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from review_ui.routes import runs as runs_routes

    monkeypatch.setattr(runs_routes, "RUNS_PER_PAGE", 2)
    with open_session(web_settings) as session:
        made = [open_run(session, "apply", actor=f"user{i}").id for i in range(3)]
    browser = client_as("avery")
    first = browser.get("/runs").text
    assert made[2][:12] in first and made[1][:12] in first and made[0][:12] not in first
    assert "Page 1 of 2" in first and 'href="/runs?page=2"' in first
    second = browser.get("/runs?page=2").text
    assert made[0][:12] in second and made[2][:12] not in second


def test_a_run_of_another_kind_shows_its_summary(users: object, client_as: ClientAs, web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        run = open_run(session, "apply", actor="sam")
        close_run(session, run, summary={"rows_read": 2000, "rows_valid": 1990, "per_field": {"x": 1}})
    page = client_as("avery").get(f"/runs/{run.id}").text
    assert "succeeded" in page and "1990" in page and "rows valid" in page
    assert "Fields</h2>" not in page  # an apply run has no document of its own to list


def test_an_upload_still_starting_shows_a_page_that_reloads_itself(users: object, client_as: ClientAs,
                                                                  web_settings: Settings) -> None:
    upload_id, folder = new_upload_dir(web_settings)
    (folder / "waiting.csv").write_bytes(b"a,b\n1,2\n")
    browser = client_as("sam")
    page = browser.get(f"/runs/uploads/{upload_id}", follow_redirects=False)
    assert page.status_code == 200 and "Starting the propose run" in page.text
    assert '<meta http-equiv="refresh" content="3">' in page.text
    assert browser.get(f"/runs/uploads/{'0' * 32}").status_code == 404
    assert browser.get("/runs/uploads/..%2F..%2Fetc").status_code == 404


def test_a_running_run_says_so_and_reloads_itself(users: object, client_as: ClientAs, web_settings: Settings) -> None:
    with open_session(web_settings) as session:
        run = open_run(session, "propose", actor="sam")
    page = client_as("sue").get(f"/runs/{run.id}").text
    assert "run-status-running" in page and "still running" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    finished = client_as("avery")
    with open_session(web_settings) as session:
        stored = session.get(Run, run.id)
        assert stored is not None
        close_run(session, stored, error="SourceError: gone")
    later = finished.get(f"/runs/{run.id}").text
    assert 'http-equiv="refresh"' not in later and "SourceError: gone" in later
