"""Exception handlers: every failure becomes a clear page with a way back, never a stack trace."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from agent.store.review import FourEyesError, ReviewConflict
from review_ui.errors import BodyTooLarge, SignInRequired, TooManyAttempts, WebError
from review_ui.rendering import render
from review_ui.security import add_security_headers
from tools.errors import CrosswalkError

log = logging.getLogger("review_ui")

TITLES: dict[int, str] = {
    400: "That request could not be carried out",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "That action is not available here",
    409: "Someone else changed this first",
    413: "Upload too large",
    422: "The form was incomplete",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}
MESSAGES: dict[int, str] = {
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "This address does not accept that kind of request.",
    500: "The request failed because of an error in crosswalk review. It has been logged; "
         "please try again, and tell an administrator if it keeps happening.",
}


def error_page(request: Request, status_code: int, message: str, *, title: str | None = None,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """``error.html`` with a title, the message and a link back to a sensible page."""
    back_href, back_label = ("/queue", "Back to the review queue")
    if status_code in (401, 429) or (status_code in (403, 413) and request.url.path == "/sign-in"):
        back_href, back_label = "/sign-in", "Back to sign in"
    context: dict[str, Any] = {"status_code": status_code, "title": title or TITLES.get(status_code, "Error"),
                               "message": message, "back_href": back_href, "back_label": back_label}
    response = render(request, "error.html", context, status_code=status_code)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    if isinstance(exc, SignInRequired) and request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
    headers = {}
    if isinstance(exc, TooManyAttempts):
        headers["retry-after"] = str(max(1, int((exc.retry_at - datetime.now(timezone.utc)).total_seconds()) + 1))
    return error_page(request, exc.status_code, exc.message, title=exc.title, headers=headers)


def _crosswalk_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CrosswalkError)
    if isinstance(exc, ReviewConflict):
        return error_page(request, 409, f"{exc.one_line()}. Nothing you entered was saved over their decision; "
                                        "open the item again to see what it is now.")
    if isinstance(exc, FourEyesError):
        return error_page(request, 403, exc.one_line(), title="Four-eyes rule")
    return error_page(request, 400, exc.one_line())


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code not in (404, 405) else None
    message = MESSAGES.get(exc.status_code) or detail or "The request could not be carried out."
    return error_page(request, exc.status_code, message, headers=dict(exc.headers or {}))


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Name the fields, never echo the values (they may be passwords).
    fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    named = f": check {', '.join(fields)}" if fields else ""
    return error_page(request, 400, f"The form was incomplete or had a value that is not allowed{named}.")


def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        response: Response = error_page(request, 500, MESSAGES[500])
    except Exception:  # the database or the templates may be what failed
        response = HTMLResponse("<!doctype html><title>Error</title><h1>Something went wrong</h1>"
                                "<p>Please try again later.</p><p><a href=\"/queue\">Back</a></p>", status_code=500)
    return add_security_headers(response, request.url.scheme)


def too_large_response(scope: Scope, exc: BodyTooLarge) -> Response:
    """For ``BodySizeLimitMiddleware``: the 413 page, before the app has read anything."""
    return error_page(Request(scope), 413, exc.message, title=exc.title)


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(CrosswalkError, _crosswalk_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
