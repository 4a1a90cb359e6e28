"""Exceptions the web app turns into pages (see ``review_ui.error_pages``)."""

from __future__ import annotations

from datetime import datetime


class WebError(Exception):
    """An error shown to the person as a page with this status and message."""

    status_code: int = 400
    title: str = "Something is wrong with that request"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class SignInRequired(WebError):
    """No live session: a GET is redirected to the sign-in page, anything else gets a 401 page."""

    status_code = 401
    title = "Please sign in"

    def __init__(self, message: str = "Your session has ended or you have not signed in yet. Sign in and try again.") -> None:
        super().__init__(message)


class Forbidden(WebError):
    """Signed in, but the role lacks the permission (or the action is refused for this person)."""

    status_code = 403
    title = "Not allowed"


class CsrfRejected(WebError):
    """An unsafe request without this session's CSRF token."""

    status_code = 403
    title = "The form could not be accepted"

    def __init__(self, message: str = "The form expired or did not come from this site; reload and try again.") -> None:
        super().__init__(message)


class TooManyAttempts(WebError):
    """Sign-in rate limit reached."""

    status_code = 429
    title = "Too many sign-in attempts"

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(f"Too many failed sign-in attempts. Try again after {retry_at:%H:%M} UTC.")


class BodyTooLarge(WebError):
    status_code = 413
    title = "Upload too large"
