"""User management for admins: list, add, change role, disable, enable. Every change is an audit event."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from agent.audit import record_event
from agent.store.users import UserError, create_user, disable_user, enable_user, get_user, list_users, set_role
from review_ui.deps import WebUser, db_session, require
from review_ui.rendering import flash, render
from review_ui.roles import PERMISSION_LABELS, PERMISSIONS, ROLE_LABELS, ROLE_PERMISSIONS, ROLES

router = APIRouter(prefix="/admin")
USERS_PAGE = "/admin/users"

Admin = Annotated[WebUser, Depends(require("manage_users"))]
Db = Annotated[Session, Depends(db_session)]


def _page(request: Request, session: Session, status_code: int = 200, **extra: Any) -> Response:
    context = {"users": list_users(session), "roles": ROLES, "role_labels": ROLE_LABELS,
               "role_permissions": {r: [PERMISSION_LABELS[p] for p in PERMISSIONS if p in ROLE_PERMISSIONS[r]] for r in ROLES}, "form": {}, "error": None, **extra}
    return render(request, "admin_users.html", context, status_code=status_code)


@router.get("/users")
def users_page(request: Request, admin: Admin, session: Db) -> Response:
    """Everyone who may sign in, with their role and whether the account is active."""
    return _page(request, session)


@router.post("/users")
def add_user(request: Request, admin: Admin, session: Db, username: Annotated[str, Form(max_length=200)],
             password: Annotated[str, Form(max_length=2048)], role: Annotated[str, Form(max_length=40)]) -> Response:
    """Create an account; on a bad name, password or role the form comes back with the reason."""
    name = username.strip().lower()
    try:
        user = create_user(session, name, password, role, created_by=admin.username)
    except UserError as exc:
        return _page(request, session, 400, error=exc.one_line(), form={"username": name[:40], "role": role})
    record_event(session, admin.username, "user_created", f"user:{user.username}", {"role": user.role}, {"active": True})
    flash(request, "success", f"User {user.username} added as {ROLE_LABELS[user.role]}.")
    return RedirectResponse(USERS_PAGE, status_code=303)


@router.post("/users/{username}/role")
def change_role(request: Request, admin: Admin, session: Db, username: str,
                role: Annotated[str, Form(max_length=40)]) -> Response:
    """Give a user another role (takes effect on their next request)."""
    try:
        before = get_user(session, username).role
        if username == admin.username and role != "admin":
            raise UserError("you cannot take away your own admin role; ask another admin")
        user = set_role(session, username, role)
    except UserError as exc:
        return _page(request, session, 400, error=exc.one_line())
    record_event(session, admin.username, "user_role_changed", f"user:{user.username}", {"from": before, "to": user.role}, {})
    flash(request, "success", f"{user.username} is now {ROLE_LABELS[user.role]}.")
    return RedirectResponse(USERS_PAGE, status_code=303)


@router.post("/users/{username}/disable")
def disable(request: Request, admin: Admin, session: Db, username: str) -> Response:
    """Disable an account and end its sessions at once."""
    try:
        if username == admin.username:
            raise UserError("you cannot disable your own account; ask another admin")
        user = disable_user(session, username)
    except UserError as exc:
        return _page(request, session, 400, error=exc.one_line())
    record_event(session, admin.username, "user_disabled", f"user:{user.username}", {}, {"active": False})
    flash(request, "success", f"{user.username} is disabled and signed out everywhere.")
    return RedirectResponse(USERS_PAGE, status_code=303)


@router.post("/users/{username}/enable")
def enable(request: Request, admin: Admin, session: Db, username: str) -> Response:
    """Let a disabled account sign in again."""
    try:
        user = enable_user(session, username)
    except UserError as exc:
        return _page(request, session, 400, error=exc.one_line())
    record_event(session, admin.username, "user_enabled", f"user:{user.username}", {}, {"active": True})
    flash(request, "success", f"{user.username} may sign in again.")
    return RedirectResponse(USERS_PAGE, status_code=303)
