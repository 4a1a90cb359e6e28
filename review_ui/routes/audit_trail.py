"""The auditor's view: a run's timeline with its evidence, the log's verify status, and replaying a run.

Verifying the whole log reads every event, too slow to repeat on each page view of a
large log. The latest verification is kept in memory (per process, per database) with
the chain head it covered; a new event moves the head, so the status then says the log
was not verified since. Small logs are verified on view whenever the head has moved.
"Verify the whole log now" re-reads every event (streaming, ``agent.audit.verify_log``):
that is the only check that finds a change to an earlier event, whatever the cache says.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, select

from agent.audit import VerifyReport, latest_event, session_keyring, verify_log
from agent.audit.verify import PROBLEM_LABELS
from agent.jobs.replay_job import replay_run
from agent.replay.compare import ReplayReport
from agent.replay.recorded_inputs import InputChangedError
from agent.store import AppUser, ReviewItem, Run, open_session
from agent.store.models import utc_timestamp
from agent.store.run_queries import item_events, run_events_page
from review_ui.audit_timeline import grouped
from review_ui.deps import WebUser, actor_settings, app_settings, db_session, require
from review_ui.json_view import pretty_json
from review_ui.rendering import flash, render
from tools.errors import CrosswalkError
from tools.mapping_diff import COMPARED_PARTS

router = APIRouter()

EVENTS_PER_PAGE = 100
PROBLEMS_SHOWN = 20  # a broken chain can report a problem per event; the first ones say where it broke
AUTO_VERIFY_MAX_EVENTS = 20_000  # logs up to this size (about a second) are verified on view when the head moved


@dataclass(frozen=True)
class Verification:
    """One verification of the whole log: its report, when and by whom (or "on view")."""

    report: VerifyReport
    checked_at: str
    checked_by: str


class VerificationCache:
    """The latest verification per database, shared by every request of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Verification] = {}

    def get(self, database: str) -> Verification | None:
        with self._lock:
            return self._latest.get(database)

    def put(self, database: str, found: Verification) -> None:
        with self._lock:
            self._latest[database] = found

    def clear(self) -> None:
        with self._lock:
            self._latest.clear()


VERIFICATIONS = VerificationCache()
VerifyState = Literal["intact", "broken", "stale", "empty"]


@dataclass(frozen=True)
class VerifyStatus:
    """What the page says about the log: the latest verification and whether it covers today's head."""

    state: VerifyState
    verification: Verification | None
    head_seq: int | None
    problems: list[dict[str, Any]]

    @property
    def report(self) -> VerifyReport | None:
        return self.verification.report if self.verification else None


def _database(request: Request) -> str:
    return app_settings(request).resolved_database_url()


def verify_now(request: Request, session: Session, checked_by: str) -> Verification:
    """Stream the whole log through ``verify_log`` (HMAC included when a key is set) and remember the result."""
    # The session's keyring comes from the app's Settings (open_session), retired keys included.
    report = verify_log(session.connection(), keyring=session_keyring(session))
    found = Verification(report, utc_timestamp(), checked_by)
    VERIFICATIONS.put(_database(request), found)
    return found


def _problem_rows(report: VerifyReport) -> list[dict[str, Any]]:
    rows = []
    for problem in report.problems[:PROBLEMS_SHOWN]:
        expected, found = PROBLEM_LABELS.get(problem.kind, ("expected", "found"))
        rows.append({"seq": problem.seq, "kind": problem.kind, "message": problem.message,
                     "expected_label": expected, "expected": problem.expected, "found_label": found, "found": problem.found})
    return rows


def verify_status(request: Request, session: Session) -> VerifyStatus:
    """The cached verification if it covers the current head; else verify now (small log) or say it is stale."""
    head = latest_event(session)
    if head is None:
        return VerifyStatus("empty", None, None, [])
    cached = VERIFICATIONS.get(_database(request))
    current = cached is not None and cached.report.head_seq == head.seq and cached.report.head_hash == head.hash
    if not current and head.seq <= AUTO_VERIFY_MAX_EVENTS:
        cached, current = verify_now(request, session, "shown on view"), True
    if not current or cached is None:
        return VerifyStatus("stale", cached, head.seq, [])
    report = cached.report
    return VerifyStatus("intact" if report.intact else "broken", cached, head.seq, _problem_rows(report))


def _roles(session: Session) -> dict[str, str]:
    """Each account's role today (events do not record the actor's role)."""
    return {u.username: u.role for u in session.exec(select(AppUser)).all()}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else pretty_json(value)


def replay_rows(report: ReplayReport) -> list[dict[str, Any]]:
    """Each differing field with its parts' recorded and replayed values as text."""
    rows = []
    for change in report.diff.fields:
        if change.kind == "changed":
            parts = [(p.part, _fmt(p.before), _fmt(p.after)) for p in change.parts]
        else:
            before, after = change.before or {}, change.after or {}
            parts = [(name, _fmt(before.get(name)), _fmt(after.get(name))) for name in COMPARED_PARTS
                     if before.get(name) is not None or after.get(name) is not None]
        rows.append({"target": change.target, "kind": change.kind, "parts": parts})
    return rows


def _run_or_404(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise HTTPException(status_code=404, detail=f"No run {run_id}.")
    return run


def run_audit_page(request: Request, session: Session, user: WebUser, run_id: str, page: int = 1, *,
                   replay: ReplayReport | None = None, replay_error: str | None = None, live: bool = False,
                   status_code: int = 200) -> HTMLResponse:
    """The run's timeline page, optionally with a replay's report or the reason it could not run."""
    run = _run_or_404(session, run_id)
    events, info = run_events_page(session, run_id, page, EVENTS_PER_PAGE)
    context = {
        "scope": "run", "run": run, "item": None, "groups": grouped(events, _roles(session)), "page": info,
        "verify": verify_status(request, session), "verify_action": f"/runs/{run.id}/audit/verify",
        "can_replay": user.can("replay") and run.kind == "propose", "replay": replay, "live": live,
        "replay_rows": replay_rows(replay) if replay is not None else [], "replay_error": replay_error,
        "title": f"Audit trail of run {run.id[:12]}",
    }
    return render(request, "audit_trail.html", context, status_code=status_code)


@router.get("/runs/{run_id}/audit", response_class=HTMLResponse)
def run_audit(request: Request, run_id: str, page: int = 1, user: WebUser = Depends(require("view")),
              session: Session = Depends(db_session)) -> HTMLResponse:
    """The run's timeline: every audit event, grouped by step, a page at a time."""
    return run_audit_page(request, session, user, run_id, page)


@router.get("/items/{item_id}/audit", response_class=HTMLResponse)
def item_audit(request: Request, item_id: str, user: WebUser = Depends(require("view")),
               session: Session = Depends(db_session)) -> HTMLResponse:
    """Every audit event about one review item (its decisions and edits)."""
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail=f"No review item {item_id}.")
    context = {"scope": "item", "run": session.get(Run, item.run_id), "item": item,
               "groups": grouped(item_events(session, item.id), _roles(session)), "page": None,
               "verify": verify_status(request, session), "verify_action": f"/items/{item.id}/audit/verify",
               "can_replay": False, "replay": None, "replay_rows": [], "replay_error": None, "live": False,
               "title": f"Audit trail of review item {item.target}"}
    return render(request, "audit_trail.html", context)


def _verify_and_tell(request: Request, user: WebUser) -> None:
    with open_session(app_settings(request)) as session:
        report = verify_now(request, session, user.username).report
    if report.intact:
        flash(request, "success", f"Audit log intact: {report.events} events, head {report.head_hash or '(empty)'}.")
    else:
        first = report.first_problem.message if report.first_problem else "see below"
        flash(request, "error", f"Audit log broken: {report.problem_count} problem(s); first: {first}.")


@router.post("/runs/{run_id}/audit/verify")
def verify_from_run(request: Request, run_id: str, user: WebUser = Depends(require("view")),
                    session: Session = Depends(db_session)) -> Response:
    """Verify every event of the whole log now, then show the run's trail with the result."""
    _run_or_404(session, run_id)
    _verify_and_tell(request, user)
    return RedirectResponse(f"/runs/{run_id}/audit", status_code=303)


@router.post("/items/{item_id}/audit/verify")
def verify_from_item(request: Request, item_id: str, user: WebUser = Depends(require("view")),
                     session: Session = Depends(db_session)) -> Response:
    """Verify every event of the whole log now, then show the item's trail with the result."""
    if session.get(ReviewItem, item_id) is None:
        raise HTTPException(status_code=404, detail=f"No review item {item_id}.")
    _verify_and_tell(request, user)
    return RedirectResponse(f"/items/{item_id}/audit", status_code=303)


@router.post("/runs/{run_id}/audit/replay", response_class=HTMLResponse)
def replay(request: Request, run_id: str, live: str = Form(""), user: WebUser = Depends(require("replay")),
           session: Session = Depends(db_session)) -> HTMLResponse:
    """Replay the run as the signed-in person (``live``: with today's matchers and memory) and show the report."""
    _run_or_404(session, run_id)
    is_live = live in ("1", "on", "true", "yes")
    try:
        report = replay_run(actor_settings(request, user), run_id, live=is_live)
    except InputChangedError as exc:
        return run_audit_page(request, session, user, run_id, replay_error=exc.one_line(), live=is_live, status_code=409)
    except CrosswalkError as exc:
        return run_audit_page(request, session, user, run_id, replay_error=exc.one_line(), live=is_live, status_code=400)
    session.expire_all()  # the replay recorded its event through another session
    return run_audit_page(request, session, user, run_id, replay=report, live=is_live)
