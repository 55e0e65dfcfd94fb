from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from claimline.audit.service import Actor, record_audit
from claimline.auth.deps import CurrentUser, DbSession, client_ip
from claimline.auth.service import SESSION_COOKIE, close_session, open_session
from claimline.config import get_settings
from claimline.users.schemas import UserOut
from claimline.users.service import verify_credentials

router = APIRouter(prefix="/auth", tags=["登录"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str


def set_session_cookie(response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=get_settings().https, path="/"
    )


@router.post("/login", summary="登录（JSON），返回用户与 CSRF 令牌")
def login(body: LoginIn, request: Request, response: Response, session: DbSession) -> LoginOut:
    ip = client_ip(request)
    user = verify_credentials(session, body.username, body.password, ip)
    opened = open_session(session, user, ip)
    record_audit(session, Actor(user.id, user.username, ip), "login", "user", user.id)
    set_session_cookie(response, opened.token, opened.max_age_seconds)
    return LoginOut(user=UserOut.of(user), csrf_token=opened.csrf_token)


@router.post("/logout", summary="退出登录")
def logout(request: Request, response: Response, user: CurrentUser, session: DbSession) -> dict[str, bool]:
    close_session(session, request.cookies.get(SESSION_COOKIE))
    record_audit(session, Actor(user.id, user.username, client_ip(request)), "logout", "user", user.id)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me", summary="当前登录用户")
def me(user: CurrentUser) -> UserOut:
    return UserOut.of(user)
