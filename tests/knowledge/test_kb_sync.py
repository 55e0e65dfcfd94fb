"""kb import / kb export: idempotent import, added/changed/retired, web edits, round trip."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from claimline.audit.service import Actor
from claimline.cli import app
from claimline.db import session_scope
from claimline.knowledge import service
from claimline.knowledge.entries import load_entry_directory, parse_entry_file
from claimline.knowledge.models import KnowledgeEntryRecord, KnowledgeRevision
from claimline.knowledge.sync import export_directory, import_directory
from tests.knowledge.kb_support import FIXTURES, copy_fixtures, import_fixtures

runner = CliRunner()
EDITOR = Actor(user_id=None, name="测试班长")


def _entries() -> dict[str, object]:
    with session_scope() as session:
        return {r.id: service.to_entry(r) for r in session.scalars(select(KnowledgeEntryRecord))}


def test_import_is_idempotent_and_counts_added() -> None:
    first = import_fixtures()
    assert sorted(first.added) == sorted(e.id for e in load_entry_directory(FIXTURES))
    assert (first.changed, first.retired) == ([], [])
    second = import_fixtures()
    assert (second.added, second.changed, second.retired) == ([], [], [])
    assert second.unchanged == len(first.added)
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(KnowledgeRevision)) == len(first.added)
    assert _entries()["legal-aid-draft"].status == "draft"  # type: ignore[attr-defined]


def test_changed_and_retired_files_are_reported(tmp_path: Path) -> None:
    directory = copy_fixtures(tmp_path / "kb")
    import_fixtures(directory)
    rear_end = directory / "liability" / "liability-rear-end.md"
    rear_end.write_text(rear_end.read_text(encoding="utf-8").replace("一般由后车负全部责任", "通常由后车负全部责任"),
                        encoding="utf-8")
    (directory / "hit_and_run" / "hit-and-run-criminal.md").unlink()
    report = import_fixtures(directory)
    assert report.changed == ["liability-rear-end"]
    assert report.retired == ["hit-and-run-criminal"]
    assert report.added == []
    entries = _entries()
    assert "通常由后车" in entries["liability-rear-end"].answer  # type: ignore[attr-defined]
    assert entries["hit-and-run-criminal"].status == "retired"  # type: ignore[attr-defined]
    again = import_fixtures(directory)
    assert again.total_changes == 0
    # The file comes back: the entry is imported again with the file's status.
    (directory / "hit_and_run" / "hit-and-run-criminal.md").write_text(
        (FIXTURES / "hit_and_run" / "hit-and-run-criminal.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    back = import_fixtures(directory)
    assert back.changed == ["hit-and-run-criminal"] and back.overwritten_web_edits == []
    assert _entries()["hit-and-run-criminal"].status == "published"  # type: ignore[attr-defined]


def test_web_edit_survives_reimport_of_unchanged_files_but_file_change_wins(tmp_path: Path) -> None:
    directory = copy_fixtures(tmp_path / "kb")
    import_fixtures(directory)
    with session_scope() as session:
        current = service.to_entry(service.get_record(session, "liability-lane-change"))
        service.update_entry(session, EDITOR, current.id, replace(current, title="变道碰撞责任怎么分？"))
    report = import_fixtures(directory)
    assert report.kept_web_edits == ["liability-lane-change"] and report.total_changes == 0
    assert _entries()["liability-lane-change"].title == "变道碰撞责任怎么分？"  # type: ignore[attr-defined]

    lane = directory / "liability" / "liability-lane-change.md"
    lane.write_text(lane.read_text(encoding="utf-8").replace("通常负主要或全部责任", "一般负全部责任"), encoding="utf-8")
    report = import_fixtures(directory)
    assert report.changed == ["liability-lane-change"]
    assert report.overwritten_web_edits == [("liability-lane-change", 2)]
    entries = _entries()
    assert entries["liability-lane-change"].title == "变道时发生碰撞谁的责任？"  # type: ignore[attr-defined]
    with session_scope() as session:
        kept = service.get_revision(session, "liability-lane-change", 2)
        assert "变道碰撞责任怎么分？" in kept.snapshot
        assert [r.number for r in service.list_revisions(session, "liability-lane-change")] == [3, 2, 1]


def test_web_only_entries_are_not_retired_by_import(tmp_path: Path) -> None:
    import_fixtures()
    with session_scope() as session:
        base = service.to_entry(service.get_record(session, "liability-rear-end"))
        service.create_entry(session, EDITOR, replace(base, id="liability-web-only", questions=("网页新建的问法",)))
    report = import_fixtures()
    assert report.retired == [] and report.database_only == ["liability-web-only"]


def test_export_then_import_round_trip_is_identical(tmp_path: Path) -> None:
    import_fixtures()
    with session_scope() as session:
        base = service.to_entry(service.get_record(session, "legal-aid-12348"))
        service.update_entry(session, EDITOR, base.id, replace(base, answer=base.answer + "\n\n- 多行：\n  继续\n\n| a | b |\n|---|---|\n| 1 | 2 |",
                                                                   tags=("法律援助", "冒号: 引号\"", "#井号")))
    before = _entries()
    out = tmp_path / "exported"
    with session_scope() as session:
        report = export_directory(session, out)
    assert len(report.written) == len(before)
    assert {p.stem for p in out.rglob("*.md")} == set(before)
    assert all(parse_entry_file(p).topic == p.parent.name for p in out.rglob("*.md"))
    # into the same database: nothing to do
    with session_scope() as session:
        same = import_directory(session, out)
    assert same.total_changes == 0 and same.kept_web_edits == []
    # into an empty database: exactly the same entries
    from tests.conftest import empty_all_tables

    empty_all_tables()
    with session_scope() as session:
        fresh = import_directory(session, out)
    assert len(fresh.added) == len(before)
    assert _entries() == before
    # exporting again changes no file
    with session_scope() as session:
        again = export_directory(session, out)
    assert again.written == [] and again.unchanged == len(before)


def test_import_refuses_broken_files_without_writing_anything(tmp_path: Path) -> None:
    directory = copy_fixtures(tmp_path / "kb")
    (directory / "liability" / "broken.md").write_text("---\nid: broken\n---\n正文\n", encoding="utf-8")
    result = runner.invoke(app, ["kb", "import", str(directory)])
    assert result.exit_code != 0
    assert "未导入任何内容" in result.output and "Traceback" not in result.output
    assert _entries() == {}


def test_cli_import_and_export_report_counts(tmp_path: Path) -> None:
    directory = copy_fixtures(tmp_path / "kb")
    first = runner.invoke(app, ["kb", "import", str(directory)])
    assert first.exit_code == 0, first.output
    assert "新增 9 条" in first.output and "停用 0 条" in first.output
    second = runner.invoke(app, ["kb", "import", str(directory)])
    assert "新增 0 条，更新 0 条，停用 0 条，未变 9 条" in second.output
    (directory / "legal_aid" / "legal-aid-draft.md").unlink()
    third = runner.invoke(app, ["kb", "import", str(directory)])
    assert "停用 1 条" in third.output and "legal-aid-draft" in third.output
    exported = runner.invoke(app, ["kb", "export", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert "写入 9 个文件" in exported.output
    assert (tmp_path / "out" / "legal_aid" / "legal-aid-draft.md").is_file()
