"""Rendering pages with Jinja2 (autoescaped) and keeping flash messages between requests.

Every page gets ``request``, ``user`` (WebUser or None), ``csrf_token``, ``messages``
(the flash list of ``{level, text}``) and ``current_path``. Settings are deliberately not
in the context. Templates never use ``|safe`` on data.
"""

from __future__ import annotations

import math

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from agent.store import open_session
from agent.store.users import pop_flash, push_flash
from review_ui.deps import app_settings, signed_in
from review_ui.roles import ROLE_LABELS
from review_ui.security import csrf_token_for, set_presession_cookie_if_new

TEMPLATE_DIR = Path(__file__).parent / "templates"
FlashLevel = Literal["info", "success", "warning", "error"]
FLASH_LEVELS: tuple[str, ...] = ("info", "success", "warning", "error")

# Confidence bands for colouring (``conf-high`` from the default auto-accept threshold).
HIGH_CONFIDENCE = 0.9
MID_CONFIDENCE = 0.6


def when(value: str | None) -> str:
    """An RFC 3339 UTC time as people read it: ``22 Nov 2026 14:05 UTC``."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return value
    return moment.strftime("%d %b %Y %H:%M UTC")


def confidence_class(value: float | None) -> str:
    """``conf-high``, ``conf-mid`` or ``conf-low`` (``conf-none`` without a value)."""
    if value is None:
        return "conf-none"
    if value >= HIGH_CONFIDENCE:
        return "conf-high"
    return "conf-mid" if value >= MID_CONFIDENCE else "conf-low"


def percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage, rounded down: 1,998 of 1,999 rows must not read as 100%."""
    if value is None:
        return ""
    scale = 10 ** digits
    return f"{math.floor(value * 100 * scale + 1e-9) / scale:.{digits}f}%"


def probability(value: float | None) -> str:
    """A match probability as people read it, without rounding 0.9995 up to 100%."""
    if value is None:
        return "unknown"
    if value >= 0.99:  # the interesting digits are the nines
        digits = 4
    elif value >= 0.01:
        digits = 1
    else:
        digits = 3
    scale = 10 ** digits
    shown = f"{int(value * 100 * scale + 1e-9) / scale:.{digits}f}"  # rounded down, like the rest of the app
    return (shown.rstrip("0").rstrip(".") if "." in shown else shown) + "%"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=select_autoescape(["html", "xml"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=when, confidence_class=confidence_class, percent=percent, probability=probability)
    env.globals.update(role_labels=ROLE_LABELS, product_name="crosswalk review")
    return env


TEMPLATES = _environment()


def flash(request: Request, level: FlashLevel, text: str) -> None:
    """A message for the next page this person sees (kept in their session; without one, this request's page)."""
    if level not in FLASH_LEVELS:
        raise ValueError(f"flash level must be one of {FLASH_LEVELS}, not {level!r}")
    found = signed_in(request)
    if found is None:
        pending: list[dict[str, str]] = getattr(request.state, "flash_pending", [])
        request.state.flash_pending = [*pending, {"level": level, "text": text}]
        return
    with open_session(app_settings(request)) as session:
        push_flash(session, found.session.id, level, text)
    request.state.flash_pushed = True


def _messages(request: Request) -> list[dict[str, Any]]:
    pending: list[dict[str, Any]] = getattr(request.state, "flash_pending", [])
    request.state.flash_pending = []
    found = signed_in(request)
    if found is None or not (found.session.flash or getattr(request.state, "flash_pushed", False)):
        return pending  # nothing stored for this session: spare the database a write
    with open_session(app_settings(request)) as session:
        return [*pop_flash(session, found.session.id), *pending]


def page_context(request: Request, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context every template gets, plus the page's own."""
    found = signed_in(request)
    base: dict[str, Any] = {
        "request": request,
        "user": found.user if found is not None else None,
        "csrf_token": csrf_token_for(request),
        "messages": _messages(request),
        "current_path": request.url.path,
    }
    return {**base, **(context or {})}


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """The template ``name`` rendered with the page context, as an HTML response."""
    html = TEMPLATES.get_template(name).render(page_context(request, context))
    response = HTMLResponse(html, status_code=status_code)
    set_presession_cookie_if_new(request, response)
    return response
