from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from claimline.clock import utcnow
from claimline.db import Base, UTCDateTime


class AuditRecord(Base):
    """Who viewed or changed which personal record, when, from where (个人信息保护法 第五十一条、第五十四条).

    Append-only: the ORM refuses updates and deletes; no route or command changes a record.
    """

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    record_type: Mapped[str] = mapped_column(String(32), index=True)
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class AuditRecordIsAppendOnly(RuntimeError):
    pass


def _refuse_change(_mapper: Mapper[AuditRecord], _connection: object, _target: AuditRecord) -> None:
    raise AuditRecordIsAppendOnly("audit records cannot be changed or deleted")


event.listen(AuditRecord, "before_update", _refuse_change)
event.listen(AuditRecord, "before_delete", _refuse_change)
