"""The review web app: ``create_app(settings)`` builds the FastAPI application.

Server-rendered pages (Jinja2), one stylesheet, no CDN. CSRF is an app-wide dependency
(``review_ui.security.verify_csrf``); security headers and the body-size limit are
middleware; failures become pages (``review_ui.error_pages``).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from agent.settings import Settings
from review_ui.error_pages import install_error_pages, too_large_response
from review_ui.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware, verify_csrf

STATIC_DIR = Path(__file__).parent / "static"
ROUTE_MODULES: tuple[str, ...] = ("auth", "admin", "queue", "items", "runs", "versions", "audit_trail")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app, serving the database and data dir of ``settings`` (default: from the environment)."""
    settings = settings if settings is not None else Settings()
    app = FastAPI(title="crosswalk review", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(verify_csrf)])
    app.state.settings = settings
    # Imported here, not at module level, so that a missing route module fails loudly on every start.
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"review_ui.routes.{name}")
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_pages(app)
    # Added last = outermost: the size limit first, and headers on every response the app sends.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=int(settings.web_upload_max_mb * 1_000_000),
                       reject=too_large_response)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
