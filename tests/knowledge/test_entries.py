"""Knowledge entry files: parsing, validation messages, rendering, taxonomy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claimline.errors import ValidationFailed
from claimline.knowledge.entries import (
    KnowledgeEntry,
    load_entry_directory,
    load_taxonomy,
    normalize_region,
    parse_entry_file,
    parse_entry_text,
    render_entry_file,
    topic_ids,
)

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"

VALID = """---
id: compulsory-insurance-fixture
title: 交强险最多赔多少？
topic: compulsory_insurance
questions:
  - 交强险能赔多少钱
  - 强制险的赔偿限额是多少
legal_basis:
  - 《机动车交通事故责任强制保险条例》第二十三条
region: national
valid_from: 2020-09-19
review_by: 2027-09-19
status: published
tags: [交强险, 限额]
---
有责任时交强险最多赔20万元。

- 死亡伤残18万元，医疗费用1.8万元，财产损失2000元。
"""


def test_valid_file_becomes_an_entry() -> None:
    entry = parse_entry_text(VALID, "fixture.md")
    assert entry.id == "compulsory-insurance-fixture"
    assert entry.topic == "compulsory_insurance"
    assert entry.questions == ("交强险能赔多少钱", "强制险的赔偿限额是多少")
    assert entry.legal_basis == ("《机动车交通事故责任强制保险条例》第二十三条",)
    assert entry.valid_from == dt.date(2020, 9, 19)
    assert entry.review_by == dt.date(2027, 9, 19)
    assert entry.tags == ("交强险", "限额")
    assert entry.is_published and entry.is_national
    assert entry.answer.startswith("有责任时交强险最多赔20万元。")
    assert "- 死亡伤残" in entry.answer


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("title: 交强险最多赔多少？\n", "", "title"),
        ("topic: compulsory_insurance", "topic: weather", "topic"),
        ("valid_from: 2020-09-19", "valid_from: 2020-19-09", "valid_from"),
        ("status: published", "status: online", "status"),
        ("id: compulsory-insurance-fixture", "id: 交强险", "id"),
        ("questions:\n  - 交强险能赔多少钱\n  - 强制险的赔偿限额是多少\n", "", "questions"),
        ("review_by: 2027-09-19", "review_by: 2019-01-01", "review_by"),
        ("tags: [交强险, 限额]", "tags: [交强险, 限额]\ncolour: red", "colour"),
    ],
)
def test_bad_field_is_named_in_a_chinese_message(old: str, new: str, field: str) -> None:
    assert old in VALID
    with pytest.raises(ValidationFailed) as info:
        parse_entry_text(VALID.replace(old, new), "knowledge/x/bad.md")
    assert info.value.field == field
    assert "knowledge/x/bad.md" in info.value.message
    assert field in info.value.message


def test_file_without_front_matter_or_body_is_rejected() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_entry_text("只有正文，没有头部", "plain.md")
    assert "plain.md" in info.value.message
    with pytest.raises(ValidationFailed) as info:
        parse_entry_text(VALID.split("---\n")[0] + "---\n" + VALID.split("---\n")[1] + "---\n\n", "empty.md")
    assert info.value.field == "answer"
    with pytest.raises(ValidationFailed):
        parse_entry_text("---\n[unclosed\n---\n正文", "broken.md")


def test_render_is_the_inverse_of_parse() -> None:
    entry = parse_entry_text(VALID, "fixture.md")
    assert parse_entry_text(render_entry_file(entry), "again.md") == entry
    odd = KnowledgeEntry(
        id="other-odd",
        title="yes: 冒号和 # 号也能保存",
        topic="other",
        questions=("123", "true", "- 开头是横线"),
        answer="第一段。\n\n第二段：有冒号。",
        legal_basis=(),
        region="广东省",
        valid_from=dt.date(2024, 1, 1),
        review_by=dt.date(2025, 1, 1),
        status="draft",
        tags=("null",),
    )
    assert parse_entry_text(render_entry_file(odd), "odd.md") == odd


def test_directory_loading_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "compulsory_insurance").mkdir()
    (tmp_path / "README.md").write_text("# not an entry", encoding="utf-8")
    (tmp_path / "compulsory_insurance" / "a.md").write_text(VALID, encoding="utf-8")
    entries = load_entry_directory(tmp_path)
    assert [e.id for e in entries] == ["compulsory-insurance-fixture"]
    assert parse_entry_file(tmp_path / "compulsory_insurance" / "a.md") == entries[0]
    (tmp_path / "compulsory_insurance" / "b.md").write_text(VALID, encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_entry_directory(tmp_path)
    assert info.value.code == "duplicate_id"
    with pytest.raises(ValidationFailed):
        load_entry_directory(tmp_path / "missing")


def test_taxonomy_and_regions() -> None:
    ids = topic_ids()
    assert ids[0] == "liability" and "other" in ids and len(ids) == len(set(ids))
    assert all(t.name for t in load_taxonomy())
    assert normalize_region("广东省") == normalize_region("广东") == "广东"
    assert normalize_region("广西壮族自治区") == "广西"
    assert normalize_region("national") is None and normalize_region(None) is None


@pytest.mark.skipif(not KNOWLEDGE_DIR.is_dir(), reason="no knowledge directory")
def test_real_knowledge_files_parse_and_round_trip() -> None:
    entries = load_entry_directory(KNOWLEDGE_DIR)
    assert entries, "knowledge/ holds no entries"
    for entry in entries:
        assert entry.topic in topic_ids()
        assert parse_entry_text(render_entry_file(entry), entry.id) == entry
