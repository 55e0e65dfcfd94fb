from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from claimline.auth.models import StaffSession
from claimline.clock import as_utc, utcnow
from claimline.config import get_settings
from claimline.errors import AuthenticationRequired
from claimline.users.models import User

SESSION_COOKIE = "claimline_session"
LOGIN_CSRF_COOKIE = "claimline_login_csrf"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    token: str
    csrf_token: str
    max_age_seconds: int


def open_session(session: Session, user: User, ip: str | None) -> OpenedSession:
    hours = get_settings().session_hours
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_hash_token(token),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=hours),
            ip=ip,
        )
    )
    session.flush()
    return OpenedSession(token=token, csrf_token=csrf, max_age_seconds=hours * 3600)


def resolve_session(session: Session, token: str | None) -> tuple[User, StaffSession]:
    """The user behind a session cookie, or AuthenticationRequired (missing / expired / disabled)."""
    if not token:
        raise AuthenticationRequired("请先登录", code="not_logged_in")
    staff_session = session.scalar(select(StaffSession).where(StaffSession.token_hash == _hash_token(token)))
    if staff_session is None:
        raise AuthenticationRequired("登录已失效，请重新登录", code="session_invalid")
    if as_utc(staff_session.expires_at) <= utcnow():
        raise AuthenticationRequired("登录已过期，请重新登录", code="session_expired")
    user = session.get(User, staff_session.user_id)
    if user is None or not user.is_active:
        raise AuthenticationRequired("该账号已停用，请联系管理员", code="account_disabled")
    return user, staff_session


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash_token(token)))


def end_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
