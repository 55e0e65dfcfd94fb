from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from claimline import __version__
from claimline.db import get_engine
from claimline.migrate import current_revision, head_revision

router = APIRouter(tags=["系统"])


@router.get("/health", summary="健康检查：数据库可达、迁移为最新")
def health() -> JSONResponse:
    checks: dict[str, Any] = {"database": "ok", "migrations": "ok"}
    status = 200
    try:
        engine = get_engine()
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = current_revision(engine), head_revision()
        checks["revision"] = {"current": current, "head": head}
        if current != head:
            checks["migrations"] = "pending"
            status = 503
    except Exception:  # noqa: BLE001 - report, never raise: the check itself must answer
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
        status = 503
    body = {"status": "ok" if status == 200 else "degraded", "version": __version__, "checks": checks}
    if status != 200:
        body["error"] = {"code": "unhealthy", "message": "服务未就绪：数据库不可达或迁移未完成", "field": None}
    return JSONResponse(body, status_code=status)
