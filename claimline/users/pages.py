from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from claimline.auth.deps import AdminUser, DbSession, actor_of
from claimline.errors import DomainError
from claimline.users.models import ROLE_LABELS, Role
from claimline.users.service import (
    create_user,
    disable_user,
    enable_user,
    generate_password,
    get_user,
    list_users,
    reset_password,
)
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, session: DbSession, status: int = 200, **context: object) -> Response:
    roles = [(role.value, ROLE_LABELS[role]) for role in Role]
    return render(request, "users/list.html", {"users": list_users(session), "roles": roles, **context}, status)


@router.get("/staff/users")
def users_page(request: Request, user: AdminUser, session: DbSession) -> Response:
    return _page(request, session)


@router.post("/staff/users")
def users_create_submit(
    request: Request,
    user: AdminUser,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    display_name: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=16)] = "agent",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    generated = None if password else generate_password()
    form = {"username": username, "display_name": display_name, "role": role}
    try:
        created = create_user(
            session, actor_of(request, user), username=username, display_name=display_name, role=role,
            password=password or generated or "",
        )
    except DomainError as error:
        session.rollback()
        return _page(request, session, 422 if error.status_code == 422 else error.status_code, error=error, form=form)
    return _page(request, session, created=created, generated_password=generated)


@router.post("/staff/users/{user_id}/disable")
def users_disable_submit(user_id: int, request: Request, user: AdminUser, session: DbSession) -> Response:
    try:
        target = disable_user(session, actor_of(request, user), get_user(session, user_id))
    except DomainError as error:
        session.rollback()
        return _page(request, session, error.status_code, error=error)
    return _page(request, session, notice=f"已停用 {target.username}")


@router.post("/staff/users/{user_id}/enable")
def users_enable_submit(user_id: int, request: Request, user: AdminUser, session: DbSession) -> Response:
    target = enable_user(session, actor_of(request, user), get_user(session, user_id))
    return _page(request, session, notice=f"已启用 {target.username}，锁定已解除")


@router.post("/staff/users/{user_id}/reset-password")
def users_reset_submit(user_id: int, request: Request, user: AdminUser, session: DbSession) -> Response:
    password = generate_password()
    target = reset_password(session, actor_of(request, user), get_user(session, user_id), password)
    return _page(request, session, reset_user=target, generated_password=password)
