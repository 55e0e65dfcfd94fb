"""The public FAQ: home with search and topics, entry pages, "was this helpful?" feedback."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import select

from claimline.audit.service import Actor
from claimline.db import session_scope
from claimline.knowledge import service
from claimline.knowledge.entries import topic_name
from claimline.knowledge.matcher import AskResult, Choice
from claimline.knowledge.models import KnowledgeFeedback, KnowledgeGap
from tests.knowledge.kb_support import import_fixtures


def test_home_shows_emergency_numbers_search_and_topics_in_taxonomy_order(client) -> None:
    import_fixtures()
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    for number in ("120", "122", "110"):
        assert f'href="tel:{number}"' in html
    assert 'name="q"' in html and 'action="/"' in html
    names = re.findall(r'<a href="/kb/topics/[a-z_]+"><span>([^<]+)</span><span class="count">(\d+) 条', html)
    assert [n for n, _ in names][:4] == ["事故责任认定", "责任认定异议与复核", "交强险", "商业保险"]
    assert dict(names)["事故责任认定"] == "3"
    assert dict(names)["法律援助"] == "1"  # drafts are not counted
    assert 'name="viewport"' in html


def test_search_without_javascript_lists_answers(client) -> None:
    import_fixtures()
    page = client.get("/", params={"q": "交强险最多能赔多少"})
    assert page.status_code == 200
    assert "最相关的解答" in page.text
    assert 'href="/kb/compulsory-insurance-limits"' in page.text


def test_handoff_search_shows_how_to_reach_a_person_and_is_kept_as_a_gap(client) -> None:
    import_fixtures()
    page = client.get("/", params={"q": "转人工"})
    assert "12348" in page.text and "人工坐席" in page.text
    with session_scope() as session:
        gaps = list(session.scalars(select(KnowledgeGap)))
    assert [(g.channel, g.action) for g in gaps] == [("faq", "handoff")]
    emergency = client.get("/", params={"q": "撞车了有人昏迷"}).text
    assert "请立即拨打120急救" in emergency and "/kb/emergency" not in emergency


def test_clarify_shows_two_to_four_choices(client, monkeypatch) -> None:
    import_fixtures()
    choices = tuple(
        Choice(topic, topic_name(topic), entry_id, title)
        for topic, entry_id, title in [
            ("liability", "liability-rear-end", "追尾事故一般由谁承担责任？"),
            ("compulsory_insurance", "compulsory-insurance-limits", "交强险最多能赔多少钱？"),
            ("hit_and_run", "hit-and-run-first-steps", "对方肇事逃逸了，我该怎么办？"),
        ]
    )
    clarify = AskResult("clarify", "liability", 0.4, (), choices=choices, reason="competing_topics",
                        message="您想咨询的是下面哪一类问题？")
    monkeypatch.setattr(service, "ask", lambda session, question, region=None: clarify)
    page = client.get("/", params={"q": "撞了车"})
    found = re.findall(r'<a class="choice" href="(/kb/[a-z-]+)">([^<]+)<small>([^<]+)</small>', page.text)
    assert found == [("/kb/liability-rear-end", "追尾事故一般由谁承担责任？", "事故责任认定"),
                     ("/kb/compulsory-insurance-limits", "交强险最多能赔多少钱？", "交强险"),
                     ("/kb/hit-and-run-first-steps", "对方肇事逃逸了，我该怎么办？", "肇事逃逸")]
    assert "您想咨询的是下面哪一类问题？" in page.text
    body = client.get("/api/v1/knowledge/search", params={"q": "撞了车"}).json()
    assert body["action"] == "clarify" and [c["url"] for c in body["choices"]] == [c[0] for c in found]


def test_instant_search_endpoint(client) -> None:
    import_fixtures()
    body = client.get("/api/v1/knowledge/search", params={"q": "对方撞人逃逸了怎么办"}).json()
    assert body["action"] in {"answer", "clarify"}
    assert body["results"][0]["url"] == "/kb/hit-and-run-first-steps"
    assert body["results"][0]["topic_name"] == "肇事逃逸"
    assert body["results"][0]["summary"].startswith("先救人再报警")
    assert client.get("/api/v1/knowledge/search", params={"q": ""}).json()["action"] == "empty"
    too_long = client.get("/api/v1/knowledge/search", params={"q": "问" * 2001})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == "q"
    client.get("/api/v1/knowledge/search", params={"q": "转人工"})
    with session_scope() as session:
        assert list(session.scalars(select(KnowledgeGap))) == []  # typing is not a question asked


def test_topic_page(client) -> None:
    import_fixtures()
    page = client.get("/kb/topics/liability")
    assert page.status_code == 200
    assert "追尾事故一般由谁承担责任？" in page.text and "变道时发生碰撞谁的责任？" in page.text
    assert client.get("/kb/topics/nonsense").status_code == 404


def test_entry_page_renders_markdown_escaped_with_legal_basis_and_related(client) -> None:
    import_fixtures()
    with session_scope() as session:
        record = service.get_record(session, "liability-rear-end")
        service.update_entry(session, Actor(None, "测试"), record.id, replace(
            service.to_entry(record), answer=service.to_entry(record).answer + "\n\n<script>alert(1)</script> **重点**"))
    page = client.get("/kb/liability-rear-end")
    assert page.status_code == 200
    html = page.text
    assert "<h1>追尾事故一般由谁承担责任？</h1>" in html
    assert "<li>前车违法急刹" in html and "<strong>重点</strong>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "《道路交通安全法》第四十三条" in html and "<details>" in html  # statute text behind the citation
    assert "这条回答有帮助吗？" in html
    assert "相关问题" in html and 'href="/kb/liability-' in html
    assert client.get("/kb/legal-aid-draft").status_code == 404  # drafts are not public
    assert client.get("/kb/no-such-entry").status_code == 404


def test_feedback_form_and_api_are_stored_and_rate_limited(client, monkeypatch) -> None:
    import_fixtures()
    response = client.post("/kb/liability-rear-end/feedback", data={"helpful": "yes"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("?feedback=thanks#feedback")
    assert "谢谢您的反馈" in client.get(response.headers["location"]).text
    api = client.post("/api/v1/knowledge/entries/liability-lane-change/feedback",
                      json={"helpful": False, "comment": "没说清楚，我手机13812345678"})
    assert api.status_code == 201 and api.json()["helpful"] is False
    # voting again on the same entry replaces the earlier vote
    client.post("/api/v1/knowledge/entries/liability-lane-change/feedback", json={"helpful": True})
    with session_scope() as session:
        votes = {f.entry_id: f for f in session.scalars(select(KnowledgeFeedback))}
    assert len(votes) == 2 and votes["liability-lane-change"].helpful is True
    assert "13812345678" not in votes["liability-lane-change"].comment
    bad = client.post("/kb/liability-rear-end/feedback", data={"helpful": "maybe"})
    assert bad.status_code == 422 and "请选择" in bad.text
    assert client.post("/api/v1/knowledge/entries/legal-aid-draft/feedback", json={"helpful": True}).status_code == 404
    wrong = client.post("/api/v1/knowledge/entries/liability-rear-end/feedback", json={"helpful": "x" * 3})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "helpful"
    # Each source may leave a limited number of votes per hour (counted in the database, so across instances).
    monkeypatch.setattr(service, "FEEDBACK_PER_CLIENT_PER_HOUR", 4)
    entries = ["liability-police-report", "compulsory-insurance-limits", "hit-and-run-first-steps"]
    statuses = [
        client.post(f"/api/v1/knowledge/entries/{entry}/feedback", json={"helpful": True}).status_code
        for entry in entries
    ]
    assert statuses == [201, 201, 429]
    limited = client.post("/api/v1/knowledge/entries/legal-aid-12348/feedback", json={"helpful": True})
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    form = client.post("/kb/legal-aid-12348/feedback", data={"helpful": "no"})
    assert form.status_code == 429 and "提交过于频繁" in form.text


def test_feedback_report_for_supervisors(client, login_as) -> None:
    import_fixtures()
    client.post("/api/v1/knowledge/entries/liability-rear-end/feedback", json={"helpful": True})
    login_as("supervisor")
    report = client.get("/staff/knowledge/feedback")
    assert report.status_code == 200
    assert "追尾事故一般由谁承担责任？" in report.text and "100%" in report.text
    listing = client.get("/staff/knowledge")
    assert "100%（1 票）" in listing.text


def test_public_pages_need_no_login_but_recognise_staff(client, login_as) -> None:
    import_fixtures()
    assert "员工登录" in client.get("/").text
    login_as("agent", "faqagent")
    html = client.get("/kb/liability-rear-end").text
    assert "测试faqagent" in html and "退出" in html
