"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from claimline import __version__
from claimline.audit import api as audit_api
from claimline.audit import pages as audit_pages
from claimline.auth import api as auth_api
from claimline.cases import api as cases_api
from claimline.cases import pages as cases_pages
from claimline.config import get_settings
from claimline.db import session_scope
from claimline.knowledge import api as knowledge_api
from claimline.knowledge import pages as knowledge_pages
from claimline.knowledge import staff_pages as knowledge_staff_pages
from claimline.knowledge.service import current_matcher
from claimline.law import api as law_api
from claimline.law import pages as law_pages
from claimline.logging import configure_logging
from claimline.users import api as users_api
from claimline.users import pages as users_pages
from claimline.web import health
from claimline.web import pages as web_pages
from claimline.web.errors import install_error_handlers
from claimline.web.middleware import BodySizeLimit, SecurityHeaders

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).parent / "static"


def _warm_matcher() -> None:
    """Build the matching index once at start-up, so the first caller does not wait for it."""
    try:
        with session_scope() as session:
            current_matcher(session)
    except Exception:  # noqa: BLE001 - a cold start is slower, never fatal (e.g. database not migrated yet)
        structlog.get_logger().warning("matcher_warm_up_failed", exc_info=True)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    if get_settings().environment != "test":
        threading.Thread(target=_warm_matcher, name="matcher-warm-up", daemon=True).start()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        lifespan=lifespan,
        title="Claimline 理赔热线 API",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    install_error_handlers(app)
    for api_router in (health.router, auth_api.router, users_api.router, audit_api.router, cases_api.router):
        app.include_router(api_router, prefix=API_PREFIX)
    for page_router in (web_pages.router, users_pages.router, audit_pages.router, cases_pages.router):
        app.include_router(page_router)
    app.include_router(law_api.router, prefix=API_PREFIX)
    app.include_router(law_pages.router)
    app.include_router(knowledge_api.router, prefix=API_PREFIX)
    app.include_router(knowledge_pages.router)
    app.include_router(knowledge_staff_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
