from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel

from claimline.audit.service import AuditFilter, search_audit
from claimline.auth.deps import AdminUser, DbSession
from claimline.config import get_settings

router = APIRouter(prefix="/audit", tags=["审计日志"])


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    record_id: str | None
    ip: str | None
    detail: str


class AuditPage(BaseModel):
    total: int
    items: list[AuditOut]


def local_day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Dates picked by a person are Beijing dates; the window is [since 00:00, until+1 00:00)."""
    zone = ZoneInfo(get_settings().display_timezone)
    start = datetime.combine(since, time.min, zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, zone) if until else None
    return start, end


def audit_filter(
    actor: str | None, action: str | None, record_type: str | None, record_id: str | None,
    since: date | None, until: date | None,
) -> AuditFilter:
    start, end = local_day_bounds(since, until)
    return AuditFilter(
        actor=actor or None, action=action or None, record_type=record_type or None,
        record_id=record_id or None, since=start, until=end,
    )


@router.get("", summary="审计日志检索（管理员）")
def audit_index(
    user: AdminUser,
    session: DbSession,
    actor: str | None = Query(default=None, max_length=64),
    action: str | None = Query(default=None, max_length=32),
    record_type: str | None = Query(default=None, max_length=32),
    record_id: str | None = Query(default=None, max_length=64),
    since: date | None = None,
    until: date | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> AuditPage:
    rows, total = search_audit(
        session, audit_filter(actor, action, record_type, record_id, since, until), limit=limit, offset=offset
    )
    return AuditPage(total=total, items=[AuditOut.model_validate(row, from_attributes=True) for row in rows])
