from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from claimline import __version__
from claimline.config import get_settings
from claimline.db import get_engine
from claimline.migrate import current_revision, head_revision

router = APIRouter(tags=["系统"])


def redis_reachable(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, ValueError, OSError):
        return False


@router.get("/health", summary="健康检查：数据库可达、迁移为最新（配置了 Redis 时也检查 Redis）")
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
    redis_url = get_settings().redis_url
    if redis_url:
        checks["redis"] = "ok" if redis_reachable(redis_url) else "unreachable"
        if checks["redis"] != "ok":
            status = 503
    body = {"status": "ok" if status == 200 else "degraded", "version": __version__, "checks": checks}
    if status != 200:
        body["error"] = {
            "code": "unhealthy",
            "message": "服务未就绪：数据库或 Redis 不可达，或迁移未完成",
            "field": None,
        }
    return JSONResponse(body, status_code=status)
