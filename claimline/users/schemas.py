from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from claimline.users.models import User


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    is_active: bool
    locked: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            role_label=user.role_enum.label,
            is_active=user.is_active,
            locked=user.is_locked,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class UserCreate(BaseModel):
    username: str = Field(max_length=64)
    display_name: str = Field(max_length=64)
    role: str = Field(max_length=16)
    password: str | None = Field(default=None, max_length=256, description="留空则自动生成")


class UserCreated(BaseModel):
    user: UserOut
    password: str | None = Field(description="自动生成的初始密码，只显示这一次")


class PasswordReset(BaseModel):
    password: str | None = Field(default=None, max_length=256, description="留空则自动生成")
