"""Cookies, CSRF, security headers and the request-size limit.

CSRF is checked by ``verify_csrf``, an app-wide dependency, so no route can forget it:
every POST/PUT/PATCH/DELETE must carry the session's token as form field ``csrf_token``
or header ``X-CSRF-Token``. Before sign-in there is no session, so the sign-in form uses
a double-submit cookie: a random token in an HttpOnly cookie that the form must repeat.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.settings import Settings
from review_ui.deps import SESSION_COOKIE, app_settings, signed_in
from review_ui.errors import BodyTooLarge, CsrfRejected

PRESESSION_COOKIE = "crosswalk_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
BASE_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"


# ---- cookies --------------------------------------------------------------------------------


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.web_session_max_hours * 3600), path="/",
                        secure=settings.web_cookie_secure, httponly=True, samesite="lax")


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.web_cookie_secure, httponly=True, samesite="lax")


def presession_token(request: Request) -> str:
    """The sign-in form's token: the cookie's, or a new one that ``render`` sets as the cookie."""
    current = request.cookies.get(PRESESSION_COOKIE)
    if current:
        return current
    fresh = getattr(request.state, "new_presession_token", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        request.state.new_presession_token = fresh
    return fresh  # type: ignore[no-any-return]


def set_presession_cookie_if_new(request: Request, response: Response) -> None:
    fresh = getattr(request.state, "new_presession_token", None)
    if fresh is not None:
        response.set_cookie(PRESESSION_COOKIE, fresh, path="/", secure=app_settings(request).web_cookie_secure,
                            httponly=True, samesite="lax")


def clear_presession_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(PRESESSION_COOKIE, path="/", secure=settings.web_cookie_secure, httponly=True, samesite="lax")


def csrf_token_for(request: Request) -> str:
    """The token forms must carry: the session's once signed in, else the pre-session one."""
    found = signed_in(request)
    return found.session.csrf_token if found is not None else presession_token(request)


# ---- CSRF -------------------------------------------------------------------------------------


async def _sent_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip().lower() in FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _expected_token(request: Request) -> str | None:
    found = signed_in(request)
    if found is not None:
        return found.session.csrf_token
    return request.cookies.get(PRESESSION_COOKIE) or None


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: refuse an unsafe request whose CSRF token is missing or wrong (403)."""
    if request.method in SAFE_METHODS:
        return
    sent = await _sent_token(request)
    expected = await run_in_threadpool(_expected_token, request)
    if not sent or not expected or not secrets.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")):
        raise CsrfRejected()


def is_local_path(target: str | None) -> bool:
    """True for a path on this site (``/queue?x=1``); false for ``//evil``, ``/\\evil``, URLs and control characters."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    return True


# ---- middleware -------------------------------------------------------------------------------


def security_headers(scheme: str, content_type: str | None) -> dict[str, str]:
    """The headers every response gets; HTML is never cached, HSTS only over HTTPS."""
    headers = dict(BASE_HEADERS)
    if content_type is not None and content_type.startswith("text/html"):
        headers["cache-control"] = "no-store"
    if scheme == "https":
        headers["strict-transport-security"] = HSTS
    return headers


def add_security_headers(response: Response, scheme: str) -> Response:
    """For responses built outside the middleware (the 500 page)."""
    for name, value in security_headers(scheme, response.headers.get("content-type")).items():
        response.headers[name] = value
    return response


class SecurityHeadersMiddleware:
    """Adds ``security_headers`` to every response, including 404s and static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(scope.get("scheme", "http"), headers.get("content-type")).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimitMiddleware:
    """Refuses request bodies over the limit: by Content-Length up front, else while reading.

    ``reject`` builds the 413 page for the up-front case (this middleware sits outside
    the app's exception handlers); while reading, ``BodyTooLarge`` reaches those handlers.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, reject: Callable[[Scope, BodyTooLarge], Response]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        message = f"The request is larger than the limit of {limit / 1_000_000:g} MB (CROSSWALK_WEB_UPLOAD_MAX_MB)."
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self.reject(scope, BodyTooLarge(message))(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            received = await receive()
            seen += len(received.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(message)
            return received

        await self.app(scope, counting_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"
