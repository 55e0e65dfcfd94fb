"""Login, logout and the staff dashboard."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from claimline.audit.models import AuditRecord
from claimline.audit.service import Actor, record_audit
from claimline.auth.api import set_session_cookie
from claimline.auth.deps import AgentUser, DbSession, client_ip
from claimline.auth.service import LOGIN_CSRF_COOKIE, SESSION_COOKIE, close_session, tokens_match
from claimline.cases.models import Caller
from claimline.config import get_settings
from claimline.errors import AuthenticationRequired
from claimline.users.models import Role, User
from claimline.users.service import verify_credentials
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_REASONS = {
    "session_expired": "登录已过期，请重新登录。",
    "session_invalid": "登录已失效，请重新登录。",
    "not_logged_in": "请先登录。",
    "account_disabled": "该账号已停用，请联系管理员。",
}


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff"


def _login_page(request: Request, *, next_path: str, error: str | None, username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html",
        {"login_csrf": token, "next": next_path, "error": error, "username": username}, status,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=get_settings().https)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None, reason: str | None = None) -> Response:
    return _login_page(request, next_path=safe_next(next), error=LOGIN_REASONS.get(reason or ""))


@router.post("/login")
def login_submit(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "/staff",
) -> Response:
    next_path = safe_next(next)
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(request, next_path=next_path, error="页面已过期，请重新提交。", username=username, status=403)
    ip = client_ip(request)
    try:
        user = verify_credentials(session, username, password, ip)
    except AuthenticationRequired as error:
        if error.keep_changes:
            session.commit()  # keep the failure counter and its audit record
        return _login_page(request, next_path=next_path, error=error.message, username=username, status=401)
    from claimline.auth.service import open_session

    opened = open_session(session, user, ip)
    record_audit(session, Actor(user.id, user.username, ip), "login", "user", user.id)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, opened.token, opened.max_age_seconds)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout_submit(request: Request, user: AgentUser, session: DbSession) -> Response:
    close_session(session, request.cookies.get(SESSION_COOKIE))
    record_audit(session, Actor(user.id, user.username, client_ip(request)), "logout", "user", user.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/staff")
def dashboard(request: Request, user: AgentUser, session: DbSession) -> Response:
    figures: list[tuple[str, int | str, str]] = [
        ("来电人档案", session.scalar(select(func.count()).select_from(Caller)) or 0, "/staff/callers"),
    ]
    if user.has_role(Role.admin):
        figures.append(("启用的员工账号", session.scalar(
            select(func.count()).select_from(User).where(User.is_active.is_(True))) or 0, "/staff/users"))
        figures.append(("审计记录", session.scalar(select(func.count()).select_from(AuditRecord)) or 0, "/staff/audit"))
    return render(request, "staff/dashboard.html", {"figures": figures})
