from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from claimline.audit.models import AuditRecord
from claimline.privacy.masking import mask_text

SelectT = TypeVar("SelectT", bound=Select[Any])

ACTION_LABELS = {
    "view": "查看",
    "reveal": "查看明文",
    "create": "新建",
    "update": "修改",
    "disable": "停用",
    "reset_password": "重置密码",
    "login": "登录",
    "login_failed": "登录失败",
    "login_locked": "登录锁定",
    "logout": "退出",
    "export": "导出",
    "backup": "备份",
    "restore": "恢复",
    "keys_rotate": "密钥轮换",
    "search": "检索",
}

RECORD_TYPE_LABELS = {"caller": "来电人", "user": "员工账号", "system": "系统"}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff user (id + name) or the command line, and from where."""

    user_id: int | None
    name: str
    ip: str | None = None


SYSTEM_ACTOR = Actor(user_id=None, name="命令行")


def record_audit(
    session: Session,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: str | int | None = None,
    detail: str = "",
) -> AuditRecord:
    record = AuditRecord(
        actor_user_id=actor.user_id,
        actor=actor.name,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        ip=actor.ip,
        detail=mask_text(detail),
    )
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: SelectT, filters: AuditFilter) -> SelectT:
    if filters.actor:
        query = query.where(AuditRecord.actor == filters.actor)
    if filters.action:
        query = query.where(AuditRecord.action == filters.action)
    if filters.record_type:
        query = query.where(AuditRecord.record_type == filters.record_type)
    if filters.record_id:
        query = query.where(AuditRecord.record_id == filters.record_id)
    if filters.since:
        query = query.where(AuditRecord.at >= filters.since)
    if filters.until:
        query = query.where(AuditRecord.at < filters.until)
    return query


def search_audit(
    session: Session, filters: AuditFilter, *, limit: int = 100, offset: int = 0
) -> tuple[list[AuditRecord], int]:
    query = _filtered(select(AuditRecord), filters)
    total = session.scalar(_filtered(select(func.count()).select_from(AuditRecord), filters)) or 0
    rows = session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
