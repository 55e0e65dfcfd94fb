from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_admin_logs_in_and_creates_a_user(live_server: str, page) -> None:
    make_user("chief", "admin")
    page.goto(f"{live_server}/staff")
    assert page.url.startswith(f"{live_server}/login")
    page.get_by_label("用户名").fill("chief")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/staff")
    assert page.get_by_role("heading", name="工作台").is_visible()
    page.get_by_role("link", name="员工账号").first.click()
    page.get_by_label("用户名").fill("newagent")
    page.get_by_label("姓名").fill("新坐席")
    page.get_by_label("角色").select_option("agent")
    page.get_by_role("button", name="新建账号").click()
    assert page.get_by_role("status").filter(has_text="已新建账号").is_visible()
    password = page.get_by_test_id("generated-password").inner_text()
    assert len(password) >= 10
    assert page.get_by_role("cell", name="newagent").is_visible()
    # The new agent can log in with the password shown once.
    page.get_by_role("button", name="退出").click()
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill("newagent")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/staff")
    assert "新坐席" in page.content()
    assert page.get_by_role("link", name="员工账号").count() == 0
