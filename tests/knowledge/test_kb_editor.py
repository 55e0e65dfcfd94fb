"""Supervisor editor: permissions, validation, revisions with diff, roll back, review workflow."""

from __future__ import annotations

import re

import pytest

from claimline.db import session_scope
from claimline.knowledge import service
from claimline.knowledge.service import diff_texts
from tests.conftest import page_csrf
from tests.knowledge.kb_support import import_fixtures

NEW_ENTRY = {
    "id": "liability-parking-lot",
    "title": "停车场里发生剐蹭谁负责？",
    "topic": "liability",
    "questions": "停车场里被蹭了谁负责\n倒车时在停车场刮了别人的车\n商场车库里撞车了怎么处理",
    "answer": "停车场内发生的剐蹭，同样按各方过错划分责任。\n\n- 先拍照留证，再报警或协商。",
    "legal_basis": "《道路交通安全法》第七十七条",
    "region": "national",
    "valid_from": "2021-04-29",
    "review_by": "2099-12-31",
    "tags": "停车场、剐蹭",
    "comment": "新增停车场剐蹭条目",
}


def _form(client, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return {"csrf_token": page_csrf(page.text)}


def _current(entry_id: str):  # type: ignore[no-untyped-def]
    with session_scope() as session:
        record = service.get_record(session, entry_id)
        return service.to_entry(record), record.version


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/staff/knowledge"),
        ("GET", "/staff/knowledge/new"),
        ("GET", "/staff/knowledge/liability-rear-end"),
        ("GET", "/staff/knowledge/liability-rear-end/edit"),
        ("GET", "/staff/knowledge/liability-rear-end/revisions"),
        ("GET", "/staff/knowledge/liability-rear-end/revisions/1"),
        ("GET", "/staff/knowledge/feedback"),
        ("GET", "/staff/knowledge-gaps"),
        ("POST", "/staff/knowledge/liability-rear-end/status"),
        ("POST", "/staff/knowledge/liability-rear-end/edit"),
    ],
)
def test_agents_are_refused_supervisors_allowed(client, login_as, method: str, path: str) -> None:
    import_fixtures()
    login_as("agent", "kbagent")
    refused = client.request(method, path, data={"action": "retire", "title": "x"})
    assert refused.status_code == 403
    assert _current("liability-rear-end")[0].status == "published"
    client.cookies.clear()
    login_as("supervisor", "kbsuper")
    assert client.request("GET", path).status_code == 200 if method == "GET" else True


def test_navigation_shows_knowledge_links_to_supervisors_only(client, login_as) -> None:
    login_as("agent", "navagent")
    assert "/staff/knowledge" not in client.get("/staff").text
    client.cookies.clear()
    login_as("supervisor", "navsuper")
    html = client.get("/staff").text
    assert 'href="/staff/knowledge"' in html and 'href="/staff/knowledge-gaps"' in html
    assert 'href="/"' in html  # 常见问题 (public)


def test_list_filters_by_topic_status_and_overdue(client, login_as) -> None:
    import_fixtures()
    with session_scope() as session:
        record = service.get_record(session, "hit-and-run-criminal")
        record.review_by = record.review_by.replace(year=2020)
    login_as("supervisor")
    by_topic = client.get("/staff/knowledge", params={"topic": "hit_and_run"}).text
    assert "肇事逃逸要承担什么刑事责任？" in by_topic and "追尾事故" not in by_topic
    drafts = client.get("/staff/knowledge", params={"status": "draft"}).text
    assert "法律援助申请需要哪些材料？" in drafts and "追尾事故" not in drafts
    overdue = client.get("/staff/knowledge", params={"overdue": "1"}).text
    assert "肇事逃逸要承担什么刑事责任？" in overdue and "已过期" in overdue and "追尾事故" not in overdue


def test_create_with_errors_saves_nothing_and_explains_in_chinese(client, login_as) -> None:
    login_as("supervisor")
    form = _form(client, "/staff/knowledge/new")
    bad = dict(NEW_ENTRY, id="Bad ID", title="", topic="weather", legal_basis="《道路交通安全法》第九百九十条",
               review_by="2020-01-01", valid_from="2021-13-01")
    response = client.post("/staff/knowledge/new", data={**form, **bad})
    assert response.status_code == 422
    html = response.text
    assert "内容尚未保存" in html
    for message in ("编号只能使用小写英文字母", "请填写标题", "请选择分类表中的主题", "第九百九十条", "日期格式应为 YYYY-MM-DD"):
        assert message in html
    assert "停车场里被蹭了谁负责" in html  # what was typed is kept
    with session_scope() as session:
        assert service.list_entries(session, service.EntryFilter()) == []


def test_create_edit_diff_rollback_and_publish(client, login_as) -> None:
    login_as("supervisor", "zhangsup")
    form = _form(client, "/staff/knowledge/new")
    created = client.post("/staff/knowledge/new", data={**form, **NEW_ENTRY}, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].startswith("/staff/knowledge/liability-parking-lot")
    entry, version = _current("liability-parking-lot")
    assert entry.status == "draft" and version == 1 and entry.tags == ("停车场", "剐蹭")
    # a draft is not public yet
    assert client.get("/kb/liability-parking-lot").status_code == 404

    # edit: a new revision, who did it is recorded
    edit = {**NEW_ENTRY, "title": "停车场、车库里剐蹭了谁负责？", "comment": "标题更口语", "version": "1"}
    edit.pop("id")
    saved = client.post("/staff/knowledge/liability-parking-lot/edit", data={**form, **edit}, follow_redirects=False)
    assert saved.status_code == 303 and "notice=saved" in saved.headers["location"]
    entry, version = _current("liability-parking-lot")
    assert entry.title == "停车场、车库里剐蹭了谁负责？" and version == 2

    # a stale form (version 1) is refused, nothing saved
    stale = client.post("/staff/knowledge/liability-parking-lot/edit",
                        data={**form, **edit, "title": "过时的修改", "version": "1"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    assert _current("liability-parking-lot")[0].title == "停车场、车库里剐蹭了谁负责？"

    # an invalid edit keeps the old content
    invalid = client.post("/staff/knowledge/liability-parking-lot/edit",
                          data={**form, **edit, "version": "2", "questions": "", "answer": " "})
    assert invalid.status_code == 422 and "至少填写一种常见问法" in invalid.text and "请填写回答" in invalid.text
    assert _current("liability-parking-lot")[1] == 2

    revisions = client.get("/staff/knowledge/liability-parking-lot/revisions").text
    assert "第 2 版" in revisions and "标题更口语" in revisions and "zhangsup" in revisions
    diff_page = client.get("/staff/knowledge/liability-parking-lot/revisions/2").text
    assert "改动的字段：<strong>标题</strong>" in diff_page
    assert re.search(r'<div class="remove">.*title: 停车场里发生剐蹭谁负责？', diff_page)
    assert re.search(r'<div class="add">.*title: 停车场、车库里剐蹭了谁负责？', diff_page)

    # roll back to revision 1: a third revision with the old title
    rolled = client.post("/staff/knowledge/liability-parking-lot/revisions/1/rollback",
                         data={**form, "version": "2"}, follow_redirects=False)
    assert rolled.status_code == 303
    entry, version = _current("liability-parking-lot")
    assert entry.title == "停车场里发生剐蹭谁负责？" and version == 3 and entry.status == "draft"
    with session_scope() as session:
        third = service.get_revision(session, "liability-parking-lot", 3)
        assert third.action == "rollback" and third.author == "zhangsup"

    # review workflow: publish → public; withdraw; retire; restore
    published = client.post("/staff/knowledge/liability-parking-lot/status",
                            data={**form, "action": "publish", "version": "3"}, follow_redirects=False)
    assert published.status_code == 303
    assert _current("liability-parking-lot")[0].status == "published"
    assert client.get("/kb/liability-parking-lot").status_code == 200
    again = client.post("/staff/knowledge/liability-parking-lot/status", data={**form, "action": "publish"})
    assert again.status_code == 409 and "不能发布" in again.text
    client.post("/staff/knowledge/liability-parking-lot/status", data={**form, "action": "retire"})
    assert _current("liability-parking-lot")[0].status == "retired"
    assert client.get("/kb/liability-parking-lot").status_code == 404
    client.post("/staff/knowledge/liability-parking-lot/status", data={**form, "action": "restore"})
    entry, version = _current("liability-parking-lot")
    assert entry.status == "draft" and version == 6
    history = client.get("/staff/knowledge/liability-parking-lot/revisions").text
    for label in ("新建", "修改", "回滚", "发布", "停用", "恢复为草稿"):
        assert label in history


def test_placeholder_drafts_cannot_be_published(client, login_as) -> None:
    login_as("supervisor")
    form = _form(client, "/staff/knowledge/new")
    client.post("/staff/knowledge/new", data={**form, **NEW_ENTRY, "answer": service.PLACEHOLDER_ANSWER})
    refused = client.post("/staff/knowledge/liability-parking-lot/status", data={**form, "action": "publish"})
    assert refused.status_code == 422 and "占位文字" in refused.text
    assert _current("liability-parking-lot")[0].status == "draft"


def test_csrf_is_required(client, login_as) -> None:
    import_fixtures()
    login_as("supervisor")
    client.headers.pop("X-CSRF-Token")
    response = client.post("/staff/knowledge/liability-rear-end/status", data={"action": "retire"})
    assert response.status_code == 403
    assert _current("liability-rear-end")[0].status == "published"


def test_diff_texts_names_changed_fields() -> None:
    old = "---\nid: a-b\ntitle: 旧\ntopic: liability\nquestions:\n- 问\nlegal_basis: []\nregion: national\n" \
          "valid_from: 2021-01-01\nreview_by: 2099-01-01\nstatus: draft\ntags: []\n---\n第一段\n"
    new = old.replace("title: 旧", "title: 新").replace("第一段", "第一段改")
    diff = diff_texts(old, new)
    assert diff.changed_fields == ("title", "answer")
    assert (diff.added, diff.removed) == (2, 2)
    assert [line.kind for line in diff.lines if line.kind in ("add", "remove")] == ["remove", "add", "remove", "add"]


def test_odd_filter_text_and_ids_are_harmless(client, login_as) -> None:
    import_fixtures()
    login_as("supervisor")
    assert client.get("/staff/knowledge", params={"q": "\x00追尾%_"}).status_code == 200
    literal = client.get("/staff/knowledge", params={"q": "%"}).text
    assert "没有符合条件的条目" in literal  # % is searched for literally, not as a wildcard
    assert "追尾事故一般由谁承担责任？" in client.get("/staff/knowledge", params={"q": "追尾"}).text
    assert client.get("/kb/a%00b").status_code == 404
    assert client.get("/staff/knowledge/a%00b").status_code == 404
    form = _form(client, "/staff/knowledge/liability-rear-end")
    response = client.post("/staff/knowledge/liability-rear-end/status",
                           data={**form, "action": "retire", "comment": "说明\x00带控制字符"}, follow_redirects=False)
    assert response.status_code == 303
    with session_scope() as session:
        assert "\x00" not in service.list_revisions(session, "liability-rear-end")[0].comment
