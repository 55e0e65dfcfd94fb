from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from claimline.clock import as_utc, utcnow
from claimline.db import Base, UTCDateTime


class Role(enum.StrEnum):
    agent = "agent"
    supervisor = "supervisor"
    admin = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def rank(self) -> int:
        return ROLE_RANKS[self]


ROLE_LABELS = {Role.agent: "坐席", Role.supervisor: "班长/质检", Role.admin: "管理员"}
ROLE_RANKS = {Role.agent: 1, Role.supervisor: 2, Role.admin: 3}


class User(Base):
    """A staff account. Roles nest: admin ⊇ supervisor ⊇ agent."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_locked(self) -> bool:
        """Locked after too many wrong passwords, until ``locked_until`` has passed."""
        return self.locked_until is not None and as_utc(self.locked_until) > utcnow()

    def has_role(self, required: Role) -> bool:
        return self.is_active and self.role_enum.rank >= required.rank


@dataclass(frozen=True)
class StaffIdentity:
    """A detached snapshot of the logged-in user, safe to use after the transaction ended (pages, errors)."""

    id: int
    username: str
    display_name: str
    role: str
    is_active: bool

    @classmethod
    def of(cls, user: User) -> StaffIdentity:
        return cls(user.id, user.username, user.display_name, user.role, user.is_active)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, required: Role) -> bool:
        return self.is_active and self.role_enum.rank >= required.rank
