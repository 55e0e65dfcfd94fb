from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from claimline.audit.models import AuditRecord
from claimline.auth.models import StaffSession
from claimline.clock import utcnow
from claimline.db import session_scope
from claimline.users.models import User
from tests.conftest import PASSWORD, api_login, make_user, page_csrf


def test_login_page_and_dashboard(client) -> None:
    make_user("zhang", "agent")
    form = client.get("/login")
    assert "员工登录" in form.text
    response = client.post("/login", data={"username": "zhang", "password": PASSWORD,
                                            "csrf_token": page_csrf(form.text), "next": "/staff"})
    assert response.status_code == 200
    assert "工作台" in response.text
    assert "测试zhang" in response.text
    cookie = response.history[0].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_wrong_password_is_refused_and_audited(client) -> None:
    make_user("li", "agent")
    form = client.get("/login")
    response = client.post("/login", data={"username": "li", "password": "nope", "csrf_token": page_csrf(form.text)})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    with session_scope() as session:
        actions = session.scalars(select(AuditRecord.action)).all()
    assert "login_failed" in actions


def test_login_form_without_csrf_token_is_refused(client) -> None:
    make_user("wang", "agent")
    client.get("/login")
    response = client.post("/login", data={"username": "wang", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_account_locks_after_repeated_failures(client) -> None:
    make_user("zhao", "agent")
    for _ in range(5):
        assert client.post("/api/v1/auth/login", json={"username": "zhao", "password": "bad"}).status_code == 401
    locked = client.post("/api/v1/auth/login", json={"username": "zhao", "password": PASSWORD})
    assert locked.status_code == 401
    assert locked.json()["error"]["code"] == "account_locked"
    assert "锁定" in locked.json()["error"]["message"]
    with session_scope() as session:
        assert "login_locked" in session.scalars(select(AuditRecord.action)).all()


def test_expired_session_asks_to_log_in_again(client) -> None:
    make_user("sun", "agent")
    api_login(client, "sun")
    assert client.get("/api/v1/auth/me").status_code == 200
    with session_scope() as session:
        session.execute(update(StaffSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"
    page = client.get("/staff", follow_redirects=False)
    assert page.status_code == 303 and "session_expired" in page.headers["location"]
    assert "登录已过期" in client.get(page.headers["location"]).text


def test_post_without_csrf_token_changes_nothing(client) -> None:
    make_user("boss", "admin")
    api_login(client, "boss")
    del client.headers["X-CSRF-Token"]
    response = client.post("/api/v1/users", json={"username": "newbie", "display_name": "新人", "role": "agent"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    with session_scope() as session:
        assert session.scalar(select(User).where(User.username == "newbie")) is None


def test_disabled_user_is_logged_out_at_once(client) -> None:
    make_user("boss", "admin")
    victim = make_user("temp", "agent")
    from fastapi.testclient import TestClient

    other = TestClient(client.app)
    api_login(other, "temp")
    api_login(client, "boss")
    assert client.post(f"/api/v1/users/{victim}/disable").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401
    assert other.post("/api/v1/auth/login", json={"username": "temp", "password": PASSWORD}).json()["error"][
        "code"] == "account_disabled"


def test_logout_ends_the_session(client) -> None:
    make_user("qian", "agent")
    api_login(client, "qian")
    assert client.post("/api/v1/auth/logout").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_redirect_stays_on_site(client) -> None:
    make_user("zhou", "agent")
    form = client.get("/login?next=//evil.example.com")
    response = client.post("/login", data={"username": "zhou", "password": PASSWORD, "csrf_token": page_csrf(form.text),
                                           "next": "//evil.example.com"}, follow_redirects=False)
    assert response.headers["location"] == "/staff"


def test_admin_creates_user_with_generated_password(client, login_as) -> None:
    login_as("admin")
    response = client.post("/api/v1/users", json={"username": "agent7", "display_name": "七号", "role": "agent"})
    assert response.status_code == 201
    password = response.json()["password"]
    assert password and len(password) >= 10
    other = client.__class__(client.app)
    assert other.post("/api/v1/auth/login", json={"username": "agent7", "password": password}).status_code == 200


def test_duplicate_username_and_bad_role_are_refused(client, login_as) -> None:
    login_as("admin", "boss")
    duplicate = client.post("/api/v1/users", json={"username": "boss", "display_name": "x", "role": "agent"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["field"] == "username"
    bad_role = client.post("/api/v1/users", json={"username": "abc", "display_name": "x", "role": "king"})
    assert bad_role.status_code == 422 and bad_role.json()["error"]["field"] == "role"
    short = client.post("/api/v1/users", json={"username": "abcd", "display_name": "x", "role": "agent",
                                               "password": "short"})
    assert short.status_code == 422 and short.json()["error"]["field"] == "password"


def test_staff_responses_are_not_cached(client, login_as) -> None:
    login_as("admin")
    assert client.get("/staff/users").headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/").headers or client.get("/").headers["cache-control"] != "no-store"


def test_lock_expires_by_itself_in_the_account_list(client, login_as) -> None:
    login_as("admin", "boss")
    victim = make_user("locky", "agent")
    with session_scope() as session:
        session.execute(update(User).where(User.id == victim).values(locked_until=utcnow() - timedelta(minutes=1)))
    listed = {u["username"]: u for u in client.get("/api/v1/users").json()}
    assert listed["locky"]["locked"] is False
