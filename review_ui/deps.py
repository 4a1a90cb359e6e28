"""FastAPI dependencies: settings, database session, the signed-in person and role checks.

Every route that shows or changes data depends on ``current_user`` or ``require(...)``;
templates only hide buttons as a courtesy, the server refuses regardless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlmodel import Session

from agent.settings import Settings
from agent.store import open_session
from agent.store.users import WebSession, lookup_web_session
from review_ui.errors import Forbidden, SignInRequired
from review_ui.roles import PERMISSION_PHRASES, ROLE_LABELS, Permission, Role, role_can

SESSION_COOKIE = "crosswalk_session"
_NOT_LOADED = object()


class WebUser(BaseModel):
    """The signed-in person as pages and routes see them."""

    username: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return role_can(self.role, permission)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class SignedIn(NamedTuple):
    """A live session and its person (the role is read fresh from the account on every request)."""

    session: WebSession
    user: WebUser


def app_settings(request: Request) -> Settings:
    """The Settings given to ``create_app``."""
    return request.app.state.settings  # type: ignore[no-any-return]


def db_session(request: Request) -> Iterator[Session]:
    """A database session for one request."""
    with open_session(app_settings(request)) as session:
        yield session


def signed_in(request: Request) -> SignedIn | None:
    """The request's live session, looked up once per request (None when not signed in or expired)."""
    cached = getattr(request.state, "signed_in", _NOT_LOADED)
    if cached is not _NOT_LOADED:
        return cached  # type: ignore[return-value]
    found: SignedIn | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        settings = app_settings(request)
        with open_session(settings) as session:
            live = lookup_web_session(session, token, idle_minutes=settings.web_session_idle_minutes)
        if live is not None:
            row, account = live
            found = SignedIn(row, WebUser(username=account.username, role=account.role))  # type: ignore[arg-type]
    request.state.signed_in = found
    return found


def forget_signed_in(request: Request) -> None:
    """Drop the cached lookup (after sign-in or sign-out changed the session)."""
    request.state.signed_in = _NOT_LOADED


def current_user(request: Request) -> WebUser:
    """The signed-in person; raises ``SignInRequired`` (GET: redirect to sign-in, else a 401 page)."""
    found = signed_in(request)
    if found is None:
        raise SignInRequired()
    return found.user


def require(permission: Permission) -> Callable[..., WebUser]:
    """A dependency: the signed-in person, who must hold ``permission`` (else a 403 page)."""

    def dependency(user: WebUser = Depends(current_user)) -> WebUser:
        if not user.can(permission):
            raise Forbidden(f"Your role ({user.role_label}) cannot {PERMISSION_PHRASES.get(permission, permission)}.")
        return user

    dependency.__name__ = f"require_{permission}"
    return dependency


def actor_settings(request: Request, user: WebUser) -> Settings:
    """Settings whose actor is the signed-in person, for jobs that write the audit log."""
    return app_settings(request).model_copy(update={"user": user.username})
