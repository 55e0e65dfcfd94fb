from __future__ import annotations

import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimline.audit.service import Actor, record_audit
from claimline.clock import as_utc, utcnow
from claimline.config import get_settings
from claimline.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from claimline.users.models import Role, User

password_hasher = PasswordHasher()
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
MIN_PASSWORD_LENGTH = 10
# A fixed hash to verify against when the username does not exist, so timing does not reveal it.
_DUMMY_HASH = password_hasher.hash("not-a-real-password")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", code="password_too_short", field="password"
        )


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValidationFailed("角色必须是 agent、supervisor 或 admin", code="invalid_role", field="role") from None


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("找不到该员工账号", code="user_not_found", field="user_id")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)).all())


def create_user(
    session: Session, actor: Actor, *, username: str, display_name: str, role: str, password: str
) -> User:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            "用户名须以小写字母开头，2–32 位，只能包含小写字母、数字和 _ . -",
            code="invalid_username",
            field="username",
        )
    display_name = display_name.strip()
    if not display_name or len(display_name) > 64:
        raise ValidationFailed("请填写姓名（不超过 64 个字）", code="invalid_display_name", field="display_name")
    role_value = parse_role(role)
    validate_password(password)
    if get_user_by_username(session, username) is not None:
        raise Conflict("该用户名已存在", code="username_taken", field="username")
    user = User(
        username=username,
        display_name=display_name,
        role=role_value.value,
        password_hash=password_hasher.hash(password),
        is_active=True,
    )
    session.add(user)
    session.flush()
    record_audit(session, actor, "create", "user", user.id, f"新建账号 {username}（{role_value.label}）")
    return user


def disable_user(session: Session, actor: Actor, user: User) -> User:
    if actor.user_id == user.id:
        raise ValidationFailed("不能停用自己的账号", code="cannot_disable_self", field="user_id")
    user.is_active = False
    session.flush()
    from claimline.auth.service import end_sessions_of  # sessions end with the account

    end_sessions_of(session, user.id)
    record_audit(session, actor, "disable", "user", user.id, f"停用账号 {user.username}")
    return user


def enable_user(session: Session, actor: Actor, user: User) -> User:
    user.is_active = True
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    record_audit(session, actor, "update", "user", user.id, f"启用账号 {user.username}")
    return user


def reset_password(session: Session, actor: Actor, user: User, new_password: str) -> User:
    validate_password(new_password)
    user.password_hash = password_hasher.hash(new_password)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    from claimline.auth.service import end_sessions_of

    end_sessions_of(session, user.id)
    record_audit(session, actor, "reset_password", "user", user.id, f"重置 {user.username} 的密码")
    return user


def verify_credentials(session: Session, username: str, password: str, ip: str | None) -> User:
    """Check a login; count failures and lock the account after too many (with an audit record)."""
    settings = get_settings()
    user = get_user_by_username(session, username or "")
    wrong = AuthenticationRequired("用户名或密码错误", code="invalid_credentials", field="password")
    if user is None:
        try:
            password_hasher.verify(_DUMMY_HASH, password or "x")
        except VerificationError:
            pass
        raise wrong
    actor = Actor(user_id=None, name=user.username, ip=ip)
    now = utcnow()
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        minutes = max(1, int((as_utc(user.locked_until) - now).total_seconds() // 60) + 1)
        raise AuthenticationRequired(
            f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试", code="account_locked", field="username"
        )
    try:
        password_hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        # Atomic increment: parallel wrong guesses must not all read the same count.
        failures = session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=User.failed_logins + 1)
            .returning(User.failed_logins)
        ).scalar_one()
        record_audit(session, actor, "login_failed", "user", user.id, f"第 {failures} 次密码错误")
        if failures >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
            user.failed_logins = 0
            record_audit(
                session, actor, "login_locked", "user", user.id, f"锁定 {settings.login_lock_minutes} 分钟"
            )
        session.flush()
        wrong.keep_changes = True
        raise wrong from None
    if not user.is_active:
        raise AuthenticationRequired("该账号已停用，请联系管理员", code="account_disabled", field="username")
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return user
