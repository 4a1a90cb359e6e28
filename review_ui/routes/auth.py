"""Signing in and out, the home redirect and the health check."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from agent.audit import record_event
from agent.store.users import authenticate, end_web_session, open_web_session, record_attempt, too_many_attempts
from review_ui.deps import SESSION_COOKIE, app_settings, db_session, forget_signed_in, signed_in
from review_ui.errors import TooManyAttempts
from review_ui.rendering import flash, render
from review_ui.security import clear_presession_cookie, clear_session_cookie, client_ip, is_local_path, set_session_cookie

router = APIRouter()
log = logging.getLogger("review_ui")

HOME = "/queue"
SIGN_IN_FAILED = "Unknown user name or wrong password."
SUBJECT_MAX = 80  # a typed user name goes into the audit log; bound it


def _next_or_home(target: str | None) -> str:
    return target if target and is_local_path(target) else HOME


@router.get("/healthz", include_in_schema=False)
def healthz() -> JSONResponse:
    """Liveness for a load balancer; needs no sign-in and says nothing else."""
    return JSONResponse({"status": "ok"})


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None, signed_out: bool = False) -> Response:
    """The sign-in form (or straight on, when already signed in)."""
    target = next if next and is_local_path(next) else None
    if signed_in(request) is not None:
        return RedirectResponse(_next_or_home(target), status_code=303)
    if signed_out:
        flash(request, "info", "You have signed out.")
    return render(request, "sign_in.html", {"next": target})


@router.post("/sign-in")
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
    session: Annotated[Session, Depends(db_session)],
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password (rate-limited), then start a new session under a new id."""
    settings = app_settings(request)
    name = username.strip().lower()
    address = client_ip(request)
    target = next if is_local_path(next) else None
    retry_at = too_many_attempts(session, name, address, max_failures=settings.web_sign_in_max_failures,
                                 window_minutes=settings.web_sign_in_window_minutes)
    if retry_at is not None:
        # Not an audit event: a flood of refused tries would bury the log; the failures before it are there.
        log.warning("sign-in refused for %r from %s: rate limit until %s", name[:SUBJECT_MAX], address, retry_at)
        raise TooManyAttempts(retry_at)
    user = authenticate(session, name, password)
    record_attempt(session, name, address, user is not None, window_minutes=settings.web_sign_in_window_minutes)
    if user is None:
        record_event(session, name[:SUBJECT_MAX] or "-", "sign_in_failed", f"user:{name[:SUBJECT_MAX]}",
                     {"client_ip": address}, {"outcome": "failed"})
        return render(request, "sign_in.html", {"next": target, "username": name[:40], "error": SIGN_IN_FAILED},
                      status_code=401)
    # A new session id at every sign-in: a session id planted before sign-in is worthless after it.
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        end_web_session(session, old_token)
    token, _ = open_web_session(session, user.username, max_hours=settings.web_session_max_hours)
    record_event(session, user.username, "sign_in", f"user:{user.username}", {"client_ip": address},
                 {"outcome": "success", "role": user.role})
    response = RedirectResponse(_next_or_home(target), status_code=303)
    set_session_cookie(response, token, settings)
    clear_presession_cookie(response, settings)
    forget_signed_in(request)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: Annotated[Session, Depends(db_session)]) -> Response:
    """End the session on the server too, so a copied cookie stops working."""
    settings = app_settings(request)
    found = signed_in(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        end_web_session(session, token)
    if found is not None:
        record_event(session, found.user.username, "sign_out", f"user:{found.user.username}", {}, {"outcome": "signed_out"})
    forget_signed_in(request)
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303)
    clear_session_cookie(response, settings)
    return response
