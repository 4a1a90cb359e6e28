"""Who may do what in the review app. Enforced on the server by ``review_ui.deps.require``."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["staff", "supervisor", "auditor", "admin"]
Permission = Literal["view", "edit", "decide", "start_run", "export", "manage_users", "override", "replay"]

ROLES: tuple[str, ...] = get_args(Role)
PERMISSIONS: tuple[str, ...] = get_args(Permission)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "staff": frozenset({"view", "edit", "start_run"}),
    "supervisor": frozenset({"view", "edit", "decide", "start_run", "export", "replay"}),
    "auditor": frozenset({"view", "export", "replay"}),
    "admin": frozenset({"view", "manage_users", "override", "export", "replay"}),
}

# How a role is named to people (the issue calls staff "integration staff").
ROLE_LABELS: dict[str, str] = {
    "staff": "integration staff",
    "supervisor": "supervisor",
    "auditor": "auditor",
    "admin": "admin",
}

# Verb phrases for the 403 message "Your role (auditor) cannot decide review items".
PERMISSION_PHRASES: dict[str, str] = {
    "view": "view this page",
    "edit": "propose edits to review items",
    "decide": "decide review items",
    "start_run": "start propose runs",
    "export": "export data",
    "manage_users": "manage users",
    "override": "override stuck runs",
    "replay": "replay runs from the audit log",
}

# Short names for the Users page's "what each role may do" list.
PERMISSION_LABELS: dict[str, str] = {
    "view": "read every page",
    "edit": "propose edits",
    "decide": "approve or reject items",
    "start_run": "start propose runs",
    "export": "export the queue",
    "manage_users": "manage users",
    "override": "release stuck runs",
    "replay": "replay runs",
}


def role_can(role: str, permission: str) -> bool:
    """True when ``role`` holds ``permission``; unknown roles hold nothing."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
