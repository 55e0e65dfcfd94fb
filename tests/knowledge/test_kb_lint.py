"""kb lint: each kind of problem is caught; errors fail the command, warnings are listed apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from claimline.cli import app
from claimline.knowledge.lint import lint_directory
from tests.knowledge.kb_support import copy_fixtures, write_entry

runner = CliRunner()

GOOD = """
id: liability-sample
title: 样例条目
topic: liability
questions: [样例问法一, 样例问法二, 样例问法三]
legal_basis: [《道路交通安全法》第七十六条]
region: national
valid_from: 2021-04-29
review_by: 2099-12-31
status: published
tags: [样例]
"""


def _codes(directory: Path, level: str = "error", today: dt.date | None = None) -> set[str]:
    return lint_directory(directory, today=today).codes(level)  # type: ignore[arg-type]


def test_fixture_directory_is_clean(tmp_path: Path) -> None:
    report = lint_directory(copy_fixtures(tmp_path / "kb"))
    assert report.ok, report.errors
    assert report.files == 9


def test_missing_fields_are_all_named(tmp_path: Path) -> None:
    write_entry(tmp_path, "liability", "liability-sample", "id: liability-sample\ntopic: liability\nstatus: published",
                body="")
    report = lint_directory(tmp_path)
    assert report.codes("error") == {"missing_field"}
    message = report.errors[0].message
    for name in ("title", "questions", "valid_from", "review_by", "answer"):
        assert name in message


def test_unknown_topic(tmp_path: Path) -> None:
    write_entry(tmp_path, "liability", "liability-sample", GOOD.replace("topic: liability", "topic: weather"))
    assert "unknown_topic" in _codes(tmp_path)


def test_dead_and_malformed_citations_are_errors_unshipped_documents_warnings(tmp_path: Path) -> None:
    write_entry(tmp_path, "liability", "liability-sample", GOOD.replace(
        "legal_basis: [《道路交通安全法》第七十六条]",
        "legal_basis: [《道路交通安全法》第九百九十条, 道路交通安全法76条, 《道路交通事故社会救助基金管理办法》]",
    ))
    report = lint_directory(tmp_path)
    dead = [i.message for i in report.errors if i.code == "dead_citation"]
    assert len(dead) == 2 and any("第九百九十条" in m for m in dead)
    assert "not_checkable" in report.codes("warning")


def test_duplicate_questions_across_entries(tmp_path: Path) -> None:
    write_entry(tmp_path, "liability", "liability-sample", GOOD)
    write_entry(tmp_path, "liability", "liability-other", GOOD.replace("liability-sample", "liability-other")
                .replace("样例条目", "另一个条目").replace("样例问法二", "别的问法").replace("样例问法三", "样例问法 一？"))
    report = lint_directory(tmp_path)
    duplicates = [i for i in report.errors if i.code == "duplicate_question"]
    assert {i.entry_id for i in duplicates} == {"liability-sample", "liability-other"}
    # a retired entry may keep its old phrasings
    write_entry(tmp_path, "liability", "liability-other", GOOD.replace("liability-sample", "liability-other")
                .replace("status: published", "status: retired"))
    assert "duplicate_question" not in _codes(tmp_path)


def test_duplicate_ids(tmp_path: Path) -> None:
    write_entry(tmp_path, "liability", "liability-sample", GOOD)
    write_entry(tmp_path, "other", "liability-sample", GOOD.replace("样例问法", "别的问法"))
    assert "duplicate_id" in _codes(tmp_path)


def test_review_overdue_is_an_error_for_published_and_a_warning_soon(tmp_path: Path) -> None:
    write_entry(tmp_path, "liability", "liability-sample", GOOD.replace("2099-12-31", "2026-01-31"))
    assert "review_overdue" in _codes(tmp_path, today=dt.date(2026, 2, 1))
    assert "review_overdue" not in _codes(tmp_path, today=dt.date(2026, 1, 1))
    assert "review_due_soon" in _codes(tmp_path, "warning", today=dt.date(2026, 1, 10))
    write_entry(tmp_path, "liability", "liability-sample",
                GOOD.replace("2099-12-31", "2026-01-31").replace("status: published", "status: draft"))
    assert "review_overdue" in _codes(tmp_path, "warning", today=dt.date(2026, 2, 1))
    assert _codes(tmp_path, today=dt.date(2026, 2, 1)) == set()


def test_bad_yaml_and_misplaced_file(tmp_path: Path) -> None:
    (tmp_path / "liability").mkdir()
    (tmp_path / "liability" / "broken.md").write_text("---\nid: [unclosed\n---\n正文\n", encoding="utf-8")
    write_entry(tmp_path, "other", "liability-sample", GOOD)
    report = lint_directory(tmp_path)
    assert "invalid_entry" in report.codes("error")
    assert "misplaced_file" in report.codes("warning")


def test_command_exit_code_and_separate_warnings(tmp_path: Path) -> None:
    directory = copy_fixtures(tmp_path / "kb")
    ok = runner.invoke(app, ["kb", "lint", str(directory)])
    assert ok.exit_code == 0, ok.output
    assert "通过" in ok.output and "警告" in ok.output and "错误 0" in ok.output
    assert "[thin_topic]" in ok.output  # codes are printed literally
    write_entry(directory, "liability", "liability-bad", GOOD.replace("liability-sample", "liability-bad")
                .replace("第七十六条", "第九百九十条"))
    bad = runner.invoke(app, ["kb", "lint", str(directory)])
    assert bad.exit_code == 1
    assert "错误 1 处" in bad.output and "第九百九十条" in bad.output and "未通过" in bad.output
    overdue = runner.invoke(app, ["kb", "lint", str(copy_fixtures(tmp_path / "kb2")), "--today", "2100-01-01"])
    assert overdue.exit_code == 1 and "review_overdue" in overdue.output


def test_our_knowledge_directory_passes() -> None:
    root = Path(__file__).resolve().parents[2] / "knowledge"
    report = lint_directory(root)
    assert report.ok, [f"{i.file}: {i.message}" for i in report.errors[:20]]
    assert len(report.entries) >= 250
