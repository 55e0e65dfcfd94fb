from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from claimline.clock import utcnow
from claimline.db import Base, UTCDateTime
from claimline.privacy.fields import SealedString


class Caller(Base):
    """A person who contacted the hotline. Personal fields are sealed; ``*_index`` are blind indexes."""

    __tablename__ = "callers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(SealedString("caller.name"), nullable=True)
    phone: Mapped[str | None] = mapped_column(SealedString("caller.phone"), nullable=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    id_number: Mapped[str | None] = mapped_column(SealedString("caller.id_number"), nullable=True)
    id_number_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    plate: Mapped[str | None] = mapped_column(SealedString("caller.plate"), nullable=True)
    plate_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # free text: people type numbers into notes, so they are sealed too and masked when shown
    notes: Mapped[str] = mapped_column(SealedString("caller.notes"), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
