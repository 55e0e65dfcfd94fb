"""Typed permission dependencies: declare ``user: AgentUser`` (or SupervisorUser, AdminUser).

Roles nest (admin ⊇ supervisor ⊇ agent). Unsafe methods (POST/PUT/PATCH/DELETE) made with the
session cookie must carry the session's CSRF token, as the form field ``csrf_token`` or the
``X-CSRF-Token`` header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from claimline.audit.service import Actor
from claimline.auth.models import StaffSession
from claimline.auth.service import SESSION_COOKIE, resolve_session, tokens_match
from claimline.db import get_session
from claimline.errors import PermissionDenied
from claimline.users.models import Role, StaffIdentity, User

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def submitted_csrf_token(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


# scope="function": the transaction commits (or rolls back) when the route returns, before the
# response is sent, so nothing is acknowledged that is not stored yet.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


async def authenticated(request: Request, session: DbSession) -> User:
    user, staff_session = resolve_session(session, request.cookies.get(SESSION_COOKIE))
    request.state.user = StaffIdentity.of(user)
    request.state.staff_session = staff_session
    request.state.csrf_token = staff_session.csrf_token
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request, staff_session)
    return user


async def _check_csrf(request: Request, staff_session: StaffSession) -> None:
    if not tokens_match(staff_session.csrf_token, await submitted_csrf_token(request)):
        raise PermissionDenied("页面已过期或缺少安全校验码，请刷新页面后重试", code="csrf_failed", field="csrf_token")


def require_role(role: Role) -> Callable[..., object]:
    async def dependency(user: Annotated[User, Depends(authenticated)]) -> User:
        if not user.has_role(role):
            raise PermissionDenied(f"需要“{role.label}”或更高权限", code="forbidden")
        return user

    dependency.__name__ = f"require_{role.value}"
    return dependency


CurrentUser = Annotated[User, Depends(authenticated)]
AgentUser = Annotated[User, Depends(require_role(Role.agent))]
SupervisorUser = Annotated[User, Depends(require_role(Role.supervisor))]
AdminUser = Annotated[User, Depends(require_role(Role.admin))]


def actor_of(request: Request, user: User) -> Actor:
    return Actor(user_id=user.id, name=user.username, ip=client_ip(request))
