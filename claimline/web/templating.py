from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from claimline import __version__
from claimline.clock import to_display
from claimline.web.nav import PUBLIC_NAV, nav_for

TEMPLATE_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
templates.env.filters["local_time"] = to_display
templates.env.globals["version"] = __version__


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    base: dict[str, Any] = {
        "current_user": user,
        "nav": nav_for(user),
        "public_nav": PUBLIC_NAV,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "path": request.url.path,
    }
    base.update(context or {})
    return templates.TemplateResponse(request, name, base, status_code=status_code)
