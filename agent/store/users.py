"""People who use the review web app: accounts, sign-in sessions and sign-in attempts.

Passwords are hashed with argon2id (``argon2-cffi``); only the hash is stored. A web
session is identified by a random token kept in the browser's cookie; the database
holds only its SHA-256, so a leaked database does not hand out live sessions. Sign-in
attempts are rows too, so the rate limit holds across every worker process.

Times are RFC 3339 UTC strings of one fixed format, so they compare correctly as text.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import JSON, Column, delete, func
from sqlmodel import Field, Session, SQLModel, select

from agent.store.models import new_id, utc_timestamp
from tools.errors import CrosswalkError

# Kept in step with review_ui.roles.Role (the store must not import the web package).
USER_ROLES: tuple[str, ...] = ("staff", "supervisor", "auditor", "admin")
USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]{2,40}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 copes with more, but nobody types it and it bounds the work per attempt
TOKEN_BYTES = 32

# Module-level so tests can swap in cheaper parameters; production uses argon2-cffi's defaults (RFC 9106 low-memory).
HASHER: PasswordHasher = PasswordHasher()
_dummy_hashes: dict[tuple[int, int, int], str] = {}


class UserError(CrosswalkError):
    """A user-account request that cannot be carried out (bad name, weak password, unknown user)."""


class UnknownUser(UserError):
    """No account has this user name."""


class AppUser(SQLModel, table=True):
    """A person who may sign in to the review app."""

    __tablename__ = "app_user"

    username: str = Field(primary_key=True)
    password_hash: str
    role: str
    active: bool = True
    created_at: str = Field(default_factory=utc_timestamp)
    created_by: str


class WebSession(SQLModel, table=True):
    """A signed-in browser. ``id`` is the SHA-256 of the cookie's token, never the token."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True)
    username: str = Field(foreign_key="app_user.username", index=True)
    csrf_token: str
    created_at: str = Field(default_factory=utc_timestamp)
    expires_at: str  # absolute end, however active the person is
    last_seen: str = Field(default_factory=utc_timestamp)  # for the idle timeout
    flash: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SignInAttempt(SQLModel, table=True):
    """One sign-in try, for the rate limit. ``key`` is ``username|client ip``."""

    __tablename__ = "sign_in_attempt"

    id: str = Field(default_factory=new_id, primary_key=True)
    key: str = Field(index=True)
    client_ip: str = Field(index=True)
    time: str = Field(default_factory=utc_timestamp, index=True)
    success: bool


def timestamp(moment: datetime) -> str:
    """``moment`` in the store's text format (the same as ``utc_timestamp``)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def token_digest(token: str) -> str:
    """The stored id of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---- accounts ---------------------------------------------------------------------------


def check_username(username: str) -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise UserError(f"user name {username!r} is not allowed: use 2 to 40 characters of a-z, 0-9, '.', '_' or '-'")
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters (a few words work well)")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password is too long: use at most {MAX_PASSWORD_LENGTH} characters")
    return password


def check_role(role: str) -> str:
    if role not in USER_ROLES:
        raise UserError(f"unknown role {role!r}: choose one of {', '.join(USER_ROLES)}")
    return role


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def create_user(session: Session, username: str, password: str, role: str, *, created_by: str) -> AppUser:
    """A new active account; refuses a taken name, a bad name, a short password or an unknown role."""
    check_username(username)
    check_role(role)
    check_password(password)
    if session.get(AppUser, username) is not None:
        raise UserError(f"user {username} exists already; choose another name or change that user's role")
    user = AppUser(username=username, password_hash=hash_password(password), role=role, created_by=created_by)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def get_user(session: Session, username: str) -> AppUser:
    user = session.get(AppUser, username)
    if user is None:
        raise UnknownUser(f"no user {username}; `crosswalk users list` shows who exists")
    session.refresh(user)  # another process may have changed it
    return user


def list_users(session: Session) -> list[AppUser]:
    return list(session.exec(select(AppUser).order_by(AppUser.username)).all())  # type: ignore[arg-type]


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(AppUser).where(AppUser.role == "admin", AppUser.active == True)  # noqa: E712
    return int(session.exec(query).one())


def set_role(session: Session, username: str, role: str) -> AppUser:
    """Change a user's role; refuses to demote the last active admin (nobody could manage users then)."""
    check_role(role)
    user = get_user(session, username)
    if user.role == "admin" and role != "admin" and user.active and _active_admins(session) <= 1:
        raise UserError(f"{username} is the last active admin; make someone else admin first")
    user.role = role
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def disable_user(session: Session, username: str) -> AppUser:
    """Disable an account and end its sessions; refuses to disable the last active admin."""
    user = get_user(session, username)
    if not user.active:
        raise UserError(f"{username} is disabled already")
    if user.role == "admin" and _active_admins(session) <= 1:
        raise UserError(f"{username} is the last active admin; make someone else admin first")
    user.active = False
    session.add(user)
    session.execute(delete(WebSession).where(WebSession.username == username))  # type: ignore[arg-type]
    session.commit()
    session.refresh(user)
    return user


def enable_user(session: Session, username: str) -> AppUser:
    """Let a disabled account sign in again (with its old password)."""
    user = get_user(session, username)
    if user.active:
        raise UserError(f"{username} is active already")
    user.active = True
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def set_password(session: Session, username: str, password: str) -> AppUser:
    """Replace a user's password and end their sessions (whoever held the old one is signed out)."""
    check_password(password)
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    session.add(user)
    session.execute(delete(WebSession).where(WebSession.username == username))  # type: ignore[arg-type]
    session.commit()
    session.refresh(user)
    return user


def _dummy_hash() -> str:
    """A hash made with the current parameters, verified when the user does not exist (similar timing)."""
    key = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = HASHER.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


def authenticate(session: Session, username: str, password: str) -> AppUser | None:
    """The active user with this name and password, else None (which part was wrong is not said).

    An unknown or disabled user still costs one argon2 verification, so the response
    time does not tell which names exist. A hash made with older parameters is replaced.
    """
    user = session.get(AppUser, username) if USERNAME_PATTERN.fullmatch(username) else None
    if len(password) > MAX_PASSWORD_LENGTH:
        password = password[:MAX_PASSWORD_LENGTH + 1]  # still wrong, but bounded work
    try:
        HASHER.verify(user.password_hash if user is not None else _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
        session.refresh(user)
    return user


# ---- sessions ---------------------------------------------------------------------------


def open_web_session(session: Session, username: str, *, max_hours: float) -> tuple[str, WebSession]:
    """A new session for ``username``: the token for the cookie and the stored row (which has only its hash)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = _now()
    row = WebSession(id=token_digest(token), username=username, csrf_token=secrets.token_urlsafe(TOKEN_BYTES),
                     created_at=timestamp(now), last_seen=timestamp(now), expires_at=timestamp(now + timedelta(hours=max_hours)))
    session.add(row)
    session.commit()
    session.refresh(row)
    return token, row


def lookup_web_session(session: Session, token: str, *, idle_minutes: float,
                       touch_after_s: float = 60.0) -> tuple[WebSession, AppUser] | None:
    """The live session of this cookie token and its (active) user, else None.

    An expired session (idle too long, or past its absolute end) is deleted. ``last_seen``
    is written at most every ``touch_after_s`` seconds so that page views are not all writes.
    """
    if not token:
        return None
    row = session.get(WebSession, token_digest(token))  # callers pass a fresh session: this reads the database
    if row is None:
        return None
    now = _now()
    idle_limit = parse_timestamp(row.last_seen) + timedelta(minutes=idle_minutes)
    user = session.get(AppUser, row.username)
    if now >= parse_timestamp(row.expires_at) or now >= idle_limit or user is None or not user.active:
        session.delete(row)
        session.commit()
        return None
    if (now - parse_timestamp(row.last_seen)).total_seconds() >= touch_after_s:
        row.last_seen = timestamp(now)
        session.add(row)
        session.commit()
    return row, user


def end_web_session(session: Session, token: str) -> bool:
    """Delete the session of this token; True when there was one."""
    result = session.execute(delete(WebSession).where(WebSession.id == token_digest(token)))  # type: ignore[arg-type]
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_sessions_of(session: Session, username: str) -> int:
    result = session.execute(delete(WebSession).where(WebSession.username == username))  # type: ignore[arg-type]
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def stored_session_count(session: Session, username: str) -> int:
    """How many sessions a user has open (expired ones included until they are next looked up)."""
    query = select(func.count()).select_from(WebSession).where(WebSession.username == username)
    return int(session.exec(query).one())


def push_flash(session: Session, session_id: str, level: str, text: str) -> None:
    """Keep a message for the next page this session renders."""
    row = session.get(WebSession, session_id)
    if row is None:
        return
    row.flash = [*row.flash, {"level": level, "text": text}]
    session.add(row)
    session.commit()


def pop_flash(session: Session, session_id: str) -> list[dict[str, Any]]:
    """The session's pending messages, removed from it."""
    row = session.get(WebSession, session_id)
    if row is None:
        return []
    messages = list(row.flash)
    if messages:
        row.flash = []
        session.add(row)
        session.commit()
    return messages


# ---- sign-in rate limit -------------------------------------------------------------------


def attempt_key(username: str, client_ip: str) -> str:
    return f"{username.lower()}|{client_ip}"


def record_attempt(session: Session, username: str, client_ip: str, success: bool, *, window_minutes: float) -> None:
    """Store one attempt; attempts older than the window are dropped on the way (they no longer count)."""
    cutoff = timestamp(_now() - timedelta(minutes=window_minutes))
    session.execute(delete(SignInAttempt).where(SignInAttempt.time < cutoff))  # type: ignore[arg-type]
    session.add(SignInAttempt(key=attempt_key(username, client_ip), client_ip=client_ip, success=success))
    session.commit()


# An address may try several names; allow it this many times the per-name limit before blocking it outright.
PER_ADDRESS_FACTOR = 4


def too_many_attempts(session: Session, username: str, client_ip: str, *, max_failures: int,
                      window_minutes: float) -> datetime | None:
    """When this name and address may try again, or None when they may try now.

    Counts failures in the window since the last success for ``username|client_ip``, and
    all failures from the address (password spraying over many names).
    """
    window = timedelta(minutes=window_minutes)
    cutoff = timestamp(_now() - window)
    key = attempt_key(username, client_ip)
    recent = select(SignInAttempt).where(SignInAttempt.key == key, SignInAttempt.time >= cutoff)  # type: ignore[arg-type]
    rows = list(session.exec(recent.order_by(SignInAttempt.time)).all())  # type: ignore[arg-type]
    last_success = max((r.time for r in rows if r.success), default="")
    failures = [r.time for r in rows if not r.success and r.time > last_success]
    if len(failures) >= max_failures:
        return parse_timestamp(failures[-max_failures]) + window
    from_address = select(SignInAttempt.time).where(SignInAttempt.client_ip == client_ip, SignInAttempt.success == False,  # noqa: E712
                                                    SignInAttempt.time >= cutoff)  # type: ignore[arg-type]
    address_failures = sorted(session.exec(from_address).all())
    limit = max_failures * PER_ADDRESS_FACTOR
    if len(address_failures) >= limit:
        return parse_timestamp(address_failures[-limit]) + window
    return None


__all__ = [
    "AppUser", "MIN_PASSWORD_LENGTH", "SignInAttempt", "USER_ROLES", "UnknownUser", "UserError", "WebSession", "authenticate",
    "create_user", "disable_user", "enable_user", "end_sessions_of", "end_web_session", "get_user", "list_users", "lookup_web_session",
    "open_web_session", "pop_flash", "push_flash", "record_attempt", "set_password", "set_role", "stored_session_count", "too_many_attempts", "token_digest",
]
