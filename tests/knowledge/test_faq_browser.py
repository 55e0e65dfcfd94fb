"""The public FAQ in Chromium: instant search, an entry page, feedback; and on a 390px-wide phone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimline.db import session_scope
from claimline.knowledge.models import KnowledgeFeedback
from tests.knowledge.kb_support import import_fixtures

pytestmark = pytest.mark.browser


def _search_open_and_vote(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/")
    assert page.get_by_role("note", name="紧急情况").is_visible()
    search = page.get_by_role("searchbox", name="您的问题")
    search.click()
    search.press_sequentially("对方撞了人就跑了怎么办", delay=20)
    first = page.locator("#search-results a.result").first
    first.wait_for(state="visible")
    assert page.url == f"{live_server}/"  # results came without leaving the page
    assert "对方肇事逃逸了，我该怎么办？" in first.inner_text()
    first.click()
    page.wait_for_url(f"{live_server}/kb/hit-and-run-first-steps")
    assert page.get_by_role("heading", name="对方肇事逃逸了，我该怎么办？").is_visible()
    assert page.get_by_text("《道路交通安全法》第七十条").is_visible()
    page.get_by_role("button", name="有帮助").click()
    status = page.locator("#feedback-status")
    status.wait_for(state="visible")
    assert "谢谢您的反馈" in status.inner_text()
    assert page.url == f"{live_server}/kb/hit-and-run-first-steps"  # voted in place


def test_search_open_entry_and_vote(live_server: str, page) -> None:
    import_fixtures()
    _search_open_and_vote(live_server, page)
    with session_scope() as session:
        votes = list(session.scalars(select(KnowledgeFeedback)))
    assert [(v.entry_id, v.helpful) for v in votes] == [("hit-and-run-first-steps", True)]


def test_same_flow_on_a_390px_phone(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    import_fixtures()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server}/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        box = phone.get_by_role("searchbox", name="您的问题").bounding_box()
        assert box is not None and box["width"] >= 300  # the search box uses the phone's width
        _search_open_and_vote(live_server, phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.goto(f"{live_server}/kb/topics/liability")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
