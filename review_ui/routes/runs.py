"""Runs: the list, starting a propose run by upload, a run's overview, and repairing stuck runs.

Starting a run stores the upload under a random directory and hands the proposer to a
background task (``BackgroundTasks``: after the response is sent; the TestClient runs
it before returning, so tests need no sleeping). The browser is sent to
``/runs/uploads/<id>``, which forwards to the run as soon as the job has opened it.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from agent.jobs.review_job import resume_run
from agent.jobs.run_admin import ReleaseError, release_run
from agent.jobs.upload_run import (DEFAULT_TARGET, TARGET_CHOICES, UploadError, new_upload_dir, propose_upload,
                                   run_of_upload, source_path_in, target_schema_path, upload_dir)
from agent.store.review import FourEyesError, ReviewConflict
from agent.store.run_queries import list_runs, run_overview
from review_ui.link_run_view import link_summary
from review_ui.deps import WebUser, actor_settings, app_settings, db_session, require
from review_ui.errors import BodyTooLarge, WebError
from review_ui.rendering import flash, render
from tools.errors import CrosswalkError

router = APIRouter()

RUNS_PER_PAGE = 25
COPY_CHUNK = 1 << 20
SOURCE_FIELD = "source"
REFRESH_SECONDS = 3  # the run page reloads itself (meta refresh, no script) while a run is running


def _upload_limit_bytes(request: Request) -> int:
    return int(app_settings(request).web_upload_max_mb * 1_000_000)


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request, page: int = 1, user: WebUser = Depends(require("view")),
              session: Session = Depends(db_session)) -> HTMLResponse:
    """Every run, newest first."""
    rows, info = list_runs(session, page, RUNS_PER_PAGE)
    return render(request, "runs.html", {"rows": rows, "page": info, "targets": list(TARGET_CHOICES.values()),
                                         "default_target": DEFAULT_TARGET,
                                         "max_mb": app_settings(request).web_upload_max_mb})


def _store_upload(stream: BinaryIO, destination: Path, limit: int) -> int:
    """Copy the upload to its file in chunks, refusing it once it passes ``limit`` bytes."""
    written = 0
    with open(destination, "xb") as out:  # "x": never overwrite, whatever the name
        while chunk := stream.read(COPY_CHUNK):
            written += len(chunk)
            if written > limit:
                raise BodyTooLarge(f"The file is larger than the limit of {limit / 1_000_000:g} MB.")
            out.write(chunk)
    return written


@router.post("/runs")
async def start_run(request: Request, background: BackgroundTasks,
                    user: WebUser = Depends(require("start_run"))) -> Response:
    """Store an uploaded source and propose a mapping for it in the background, as the signed-in person."""
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get(SOURCE_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise WebError("Choose a source file to upload (CSV/TSV, XLSX, JSON or JSON Lines).")
    choice = form.get("target_schema")
    choice = choice if isinstance(choice, str) and choice else DEFAULT_TARGET
    try:
        target_schema_path(choice)
    except UploadError as exc:
        raise WebError(str(exc)) from None
    settings = actor_settings(request, user)
    upload_id, folder = new_upload_dir(settings)
    destination = source_path_in(folder, upload.filename)
    try:
        await run_in_threadpool(_store_upload, upload.file, destination, _upload_limit_bytes(request))
    except BodyTooLarge:
        destination.unlink(missing_ok=True)
        folder.rmdir()
        raise
    background.add_task(propose_upload, settings, upload_id, destination, choice, original_name=upload.filename)
    flash(request, "info", f"Uploaded {destination.name}; the proposer is running.")
    return RedirectResponse(f"/runs/uploads/{upload_id}", status_code=303)


@router.get("/runs/uploads/{upload_id}", response_class=HTMLResponse)
def upload_status(request: Request, upload_id: str, user: WebUser = Depends(require("view"))) -> Response:
    """Forward to the run an upload started; until the job has opened it, a page that reloads itself."""
    settings = app_settings(request)
    try:
        folder = upload_dir(settings, upload_id)
    except UploadError:
        raise HTTPException(status_code=404, detail="No such upload.") from None
    if not folder.is_dir():
        raise HTTPException(status_code=404, detail="No such upload.")
    run_id = run_of_upload(settings, upload_id)
    if run_id is not None:
        return RedirectResponse(f"/runs/{run_id}", status_code=303)
    return render(request, "run.html", {"starting": True, "refresh_seconds": REFRESH_SECONDS})


def _run_page(request: Request, session: Session, user: WebUser, run_id: str, *, error: str | None = None,
              status_code: int = 200) -> HTMLResponse:
    overview = run_overview(session, run_id)
    if overview is None:
        raise HTTPException(status_code=404, detail=f"No run {run_id}.")
    run = overview.run
    context = {
        "o": overview,
        "run": run,
        "error": error,
        "refresh_seconds": REFRESH_SECONDS if run.status == "running" else None,
        "own_run_waiting": run.status == "review" and run.actor == user.username,
        "can_resume": user.can("decide") and run.kind == "propose" and run.status == "review" and overview.fully_decided,
        "can_release": user.can("override") and run.status == "resuming",
        "summary": {k: v for k, v in (run.summary or {}).items() if not isinstance(v, (dict, list))},
        "link": link_summary(session, run, overview.item_states) if run.kind == "link" else None,
    }
    return render(request, "run.html", context, status_code=status_code)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str, user: WebUser = Depends(require("view")),
             session: Session = Depends(db_session)) -> HTMLResponse:
    """A run's overview: every field of its document, the unmapped sources, links onward."""
    return _run_page(request, session, user, run_id)


@router.post("/runs/{run_id}/release")
def release(request: Request, run_id: str, reason: str = Form(""), user: WebUser = Depends(require("override")),
            session: Session = Depends(db_session)) -> Response:
    """Admin: put a run stuck in ``resuming`` back to ``review`` so it can be resumed again."""
    try:
        release_run(actor_settings(request, user), run_id, reason)
    except ReleaseError as exc:
        status = 400 if not reason.strip() else 409
        return _run_page(request, session, user, run_id, error=exc.one_line(), status_code=status)
    flash(request, "success", f"Run {run_id[:12]} released: it waits for review again and can be resumed.")
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.post("/runs/{run_id}/resume")
def resume(request: Request, run_id: str, user: WebUser = Depends(require("decide")),
           session: Session = Depends(db_session)) -> Response:
    """Supervisor: resume a fully decided run (its last decision's resume failed or it was released)."""
    try:
        outcome = resume_run(actor_settings(request, user), run_id)
    except FourEyesError as exc:
        return _run_page(request, session, user, run_id, error=exc.one_line(), status_code=403)
    except ReviewConflict as exc:
        return _run_page(request, session, user, run_id, error=exc.one_line(), status_code=409)
    except CrosswalkError as exc:
        return _run_page(request, session, user, run_id, error=exc.one_line(), status_code=400)
    flash(request, "success", f"Run resumed: reviewed mapping version {outcome.mapping_version_id[:12]} stored.")
    return RedirectResponse(f"/runs/{run_id}", status_code=303)
