"""Asking: POST /api/v1/ask and `claimline ask`/`eval` answer from the published entries in the database."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from claimline.audit.service import Actor
from claimline.cli import app
from claimline.db import session_scope
from claimline.knowledge import service
from claimline.knowledge.models import KnowledgeGap
from tests.knowledge.kb_support import import_fixtures

runner = CliRunner()
RESULT_KEYS = {"id", "title", "topic", "score", "answer", "legal_basis"}


def _gaps() -> list[KnowledgeGap]:
    with session_scope() as session:
        return list(session.scalars(select(KnowledgeGap).order_by(KnowledgeGap.id)))


def test_ask_answers_with_the_exact_shape(client) -> None:
    import_fixtures()
    response = client.post("/api/v1/ask", json={"question": "追尾了是不是后车全责啊", "region": None})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"action", "topic", "confidence", "results"}
    assert body["action"] == "answer" and body["topic"] == "liability"
    assert 0.0 <= body["confidence"] <= 1.0
    assert 1 <= len(body["results"]) <= 5
    assert all(set(item) == RESULT_KEYS for item in body["results"])
    first = body["results"][0]
    assert first["id"] == "liability-rear-end"
    assert first["legal_basis"] == ["《道路交通安全法》第四十三条", "《道路交通安全法实施条例》第八十条"]
    scores = [item["score"] for item in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert "legal-aid-draft" not in {item["id"] for item in body["results"]}
    assert _gaps() == []  # answered questions are not gaps


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "问" * 2001}, "question"),
        ({}, "question"),
        ({"question": None}, "question"),
        ({"question": "追尾", "region": "省" * 40}, "region"),
    ],
)
def test_ask_validates_with_the_error_shape(client, payload: dict[str, object], field: str) -> None:
    response = client.post("/api/v1/ask", json=payload)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field and error["code"] == "validation_error"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


@pytest.mark.parametrize(
    "question", ["   ", "😀😀😀", "How do I claim insurance after a crash?", "交强险 claim 多少钱 ok?", "问" * 2000]
)
def test_odd_questions_get_a_sensible_reply(client, question: str) -> None:
    import_fixtures()
    response = client.post("/api/v1/ask", json={"question": question})
    assert response.status_code == 200
    assert response.json()["action"] in {"answer", "clarify", "handoff"}


def test_clarify_and_handoff_questions_become_masked_gaps(client) -> None:
    import_fixtures()
    human = client.post("/api/v1/ask", json={"question": "我要转人工，我电话13812345678，车牌粤B12345"})
    assert human.json()["action"] == "handoff"
    client.post("/api/v1/ask", json={"question": "   "})  # empty: nothing worth keeping
    gaps = _gaps()
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap.action == "handoff" and gap.channel == "api" and gap.reason == "human_requested"
    assert "13812345678" not in gap.text and "138****5678" in gap.text
    assert "B12345" not in gap.text
    assert gap.client_hash and "testclient" not in gap.client_hash


def test_answers_follow_publishing_without_restart(client) -> None:
    import_fixtures()
    question = {"question": "法律援助要带什么材料"}
    assert "legal-aid-draft" not in {r["id"] for r in client.post("/api/v1/ask", json=question).json()["results"]}
    with session_scope() as session:
        record = service.get_record(session, "legal-aid-draft")
        service.update_entry(session, Actor(None, "测试"), record.id,
                             replace(service.to_entry(record), answer="需要身份证明和经济困难说明。"))
        service.change_status(session, Actor(None, "测试"), "legal-aid-draft", "publish")
    body = client.post("/api/v1/ask", json=question).json()
    assert body["results"][0]["id"] == "legal-aid-draft"
    assert body["results"][0]["answer"] == "需要身份证明和经济困难说明。"


def test_matcher_is_cached_until_the_knowledge_base_changes() -> None:
    import_fixtures()
    with session_scope() as session:
        first = service.current_matcher(session)
        assert service.current_matcher(session) is first
        service.change_status(session, Actor(None, "测试"), "hit-and-run-criminal", "retire")
    with session_scope() as session:
        rebuilt = service.current_matcher(session)
    assert rebuilt is not first
    assert "hit-and-run-criminal" not in {e.id for e in rebuilt.entries}


def test_cli_ask_json_and_text() -> None:
    import_fixtures()
    result = runner.invoke(app, ["ask", "交强险最多赔多少钱", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"action", "topic", "confidence", "results"}
    assert body["topic"] == "compulsory_insurance" and body["results"][0]["id"] == "compulsory-insurance-limits"
    text = runner.invoke(app, ["ask", "交强险最多赔多少钱", "--region", "广东"])
    assert text.exit_code == 0 and "交强险" in text.output and "法律依据" in text.output


def test_cli_ask_on_an_empty_knowledge_base_says_so() -> None:
    result = runner.invoke(app, ["ask", "追尾了谁负责"])
    assert result.exit_code == 0
    assert "kb import" in result.output


def test_cli_eval_prints_exactly_the_metric_keys(tmp_path: Path) -> None:
    import_fixtures()
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in [
            {"question": "追尾了后车全责吗", "topics": ["liability"]},
            {"question": "交强险能赔多少钱", "topics": ["compulsory_insurance"]},
            {"question": "对方撞了人开车跑了", "topics": ["hit_and_run", "criminal"]},
        ]) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", str(cases), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert list(figures) == ["n", "top1_topic_accuracy", "top3_topic_accuracy", "handoff_rate", "answer_precision",
                             "latency_p50_ms", "latency_p99_ms"]
    assert figures["n"] == 3 and figures["top1_topic_accuracy"] == 1.0
    table = runner.invoke(app, ["eval", str(cases)])
    assert table.exit_code == 0 and "top1_topic_accuracy" in table.output
    missing = runner.invoke(app, ["eval", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0 and "评测文件不存在" in missing.output
