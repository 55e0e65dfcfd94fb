from __future__ import annotations

from fastapi import APIRouter, Request

from claimline.auth.deps import AdminUser, DbSession, actor_of
from claimline.users.schemas import PasswordReset, UserCreate, UserCreated, UserOut
from claimline.users.service import (
    create_user,
    disable_user,
    enable_user,
    generate_password,
    get_user,
    list_users,
    reset_password,
)

router = APIRouter(prefix="/users", tags=["员工账号"])


@router.get("", summary="员工账号列表（管理员）")
def users_index(user: AdminUser, session: DbSession) -> list[UserOut]:
    return [UserOut.of(item) for item in list_users(session)]


@router.post("", status_code=201, summary="新建员工账号（管理员）")
def users_create(body: UserCreate, request: Request, user: AdminUser, session: DbSession) -> UserCreated:
    generated = None if body.password else generate_password()
    created = create_user(
        session, actor_of(request, user), username=body.username, display_name=body.display_name,
        role=body.role, password=body.password or generated or "",
    )
    return UserCreated(user=UserOut.of(created), password=generated)


@router.post("/{user_id}/disable", summary="停用员工账号（管理员）")
def users_disable(user_id: int, request: Request, user: AdminUser, session: DbSession) -> UserOut:
    return UserOut.of(disable_user(session, actor_of(request, user), get_user(session, user_id)))


@router.post("/{user_id}/enable", summary="启用员工账号并解除锁定（管理员）")
def users_enable(user_id: int, request: Request, user: AdminUser, session: DbSession) -> UserOut:
    return UserOut.of(enable_user(session, actor_of(request, user), get_user(session, user_id)))


@router.post("/{user_id}/reset-password", summary="重置密码（管理员）")
def users_reset_password(
    user_id: int, body: PasswordReset, request: Request, user: AdminUser, session: DbSession
) -> UserCreated:
    generated = None if body.password else generate_password()
    target = reset_password(session, actor_of(request, user), get_user(session, user_id), body.password or generated or "")
    return UserCreated(user=UserOut.of(target), password=generated)
