"""``kb import`` and ``kb export``: the reviewed files under ``knowledge/`` ↔ the database.

Import rule (files and web edits)
---------------------------------
Each entry remembers the hash of the file text it was last imported from (``file_hash``).

* new id in the files → **added**;
* file text equals the database → unchanged (the remembered hash is refreshed);
* the file did **not** change since the last import but the entry was edited in the web UI →
  the **web edit is kept** (listed as "kept"; ``kb export`` writes it back to the files). So
  ``make run`` re-importing unchanged files never undoes supervisors' work;
* the file changed since the last import → **the file wins** (it is the reviewed source); when
  the entry had been edited in the web UI too, that version stays in the revision history (the
  report names the revision) and the entry is listed as "overwritten";
* an entry that came from a file whose file disappeared → **retired** (a revision records it);
  entries created in the web UI and never exported are left alone.

Import is all or nothing: a file that cannot be parsed aborts it before anything is written.
Export writes every entry (all statuses) to ``DIR/<topic>/<id>.md`` in the canonical format, so
importing the exported directory reproduces the entries exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimline.audit.service import SYSTEM_ACTOR, Actor
from claimline.errors import ValidationFailed
from claimline.knowledge.entries import KnowledgeEntry, entry_files, parse_entry_file
from claimline.knowledge.models import KnowledgeEntryRecord, KnowledgeRevision
from claimline.knowledge.service import _apply, _write_revision, add_entry, entry_text, text_hash, to_entry

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_web_edits: list[str] = field(default_factory=list)
    overwritten_web_edits: list[tuple[str, int]] = field(default_factory=list)  # (id, revision kept)
    database_only: list[str] = field(default_factory=list)

    @property
    def total_changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.retired)


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    moved: list[str] = field(default_factory=list)


def read_directory(directory: str | Path, progress: Progress | None = None) -> list[tuple[Path, KnowledgeEntry]]:
    """Parse every entry file; all problems are collected and raised together."""
    root = Path(directory)
    if not root.is_dir():
        raise ValidationFailed(f"知识库目录不存在：{root}", code="not_a_directory", field="directory")
    parsed: list[tuple[Path, KnowledgeEntry]] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for file in entry_files(root):
        if progress:
            progress(file.name)
        try:
            entry = parse_entry_file(file)
        except ValidationFailed as error:
            problems.append(error.message)
            continue
        if entry.id in seen:
            problems.append(f"知识条目 id 重复：{entry.id}（{seen[entry.id]} 与 {file}）")
            continue
        seen[entry.id] = file
        parsed.append((file, entry))
    if problems:
        more = f"（另有 {len(problems) - 3} 处问题）" if len(problems) > 3 else ""
        raise ValidationFailed(
            "知识库文件有误，未导入任何内容：" + "；".join(problems[:3]) + more + "。请先运行 claimline kb lint 查看全部问题",
            code="invalid_entries",
            field="directory",
        )
    return parsed


def _edited_outside_files(session: Session, record: KnowledgeEntryRecord, current: str) -> bool:
    """True when the database holds a version no file ever had (a web edit or web-created entry)."""
    if record.file_hash is not None:
        return text_hash(current) != record.file_hash
    last = session.scalar(
        select(KnowledgeRevision.action)
        .where(KnowledgeRevision.entry_id == record.id)
        .order_by(KnowledgeRevision.number.desc())
        .limit(1)
    )
    return last not in ("import", "import_retire")


def import_entries(
    session: Session,
    entries: list[KnowledgeEntry],
    actor: Actor = SYSTEM_ACTOR,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport()
    records = {r.id: r for r in session.scalars(select(KnowledgeEntryRecord))}
    for entry in entries:
        if progress:
            progress(entry.id)
        text = entry_text(entry)
        digest = text_hash(text)
        record = records.get(entry.id)
        if record is None:
            add_entry(session, actor, entry, action="import", comment="从文件导入", file_hash=digest)
            report.added.append(entry.id)
            continue
        current = entry_text(to_entry(record))
        if current == text:
            if record.file_hash != digest:
                record.file_hash = digest
            report.unchanged += 1
            continue
        if record.file_hash == digest:
            report.kept_web_edits.append(entry.id)
            continue
        comment = "从文件更新"
        if _edited_outside_files(session, record, current):
            report.overwritten_web_edits.append((entry.id, record.version))
            comment += f"（覆盖了网页上的修改，原内容见第 {record.version} 版）"
        _apply(record, entry)
        record.file_hash = digest
        _write_revision(session, record, actor, "import", comment)
        report.changed.append(entry.id)
    in_files = {e.id for e in entries}
    for record in records.values():
        if record.id in in_files:
            continue
        if record.file_hash is None:
            report.database_only.append(record.id)
            continue
        record.file_hash = None
        if record.status != "retired":
            record.status = "retired"
            _write_revision(session, record, actor, "import_retire", "条目文件已删除，自动停用")
            report.retired.append(record.id)
    session.flush()
    return report


def import_directory(
    session: Session,
    directory: str | Path,
    actor: Actor = SYSTEM_ACTOR,
    progress: Progress | None = None,
) -> ImportReport:
    """Load/refresh the database from ``directory`` (idempotent)."""
    parsed = read_directory(directory, progress)
    return import_entries(session, [entry for _, entry in parsed], actor)


def entry_path(root: Path, entry: KnowledgeEntry) -> Path:
    return root / entry.topic / f"{entry.id}.md"


def export_directory(session: Session, directory: str | Path, progress: Progress | None = None) -> ExportReport:
    """Write every entry as ``<topic>/<id>.md``; a file of the same id elsewhere is removed."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    existing: dict[str, Path] = {}
    for file in entry_files(root):
        try:
            existing[parse_entry_file(file).id] = file
        except ValidationFailed:
            continue
    report = ExportReport()
    for record in session.scalars(select(KnowledgeEntryRecord).order_by(KnowledgeEntryRecord.id)):
        if progress:
            progress(record.id)
        entry = to_entry(record)
        target = entry_path(root, entry)
        text = entry_text(entry)
        old = existing.get(entry.id)
        if old is not None and old.resolve() != target.resolve():
            old.unlink()
            report.moved.append(entry.id)
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            report.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        report.written.append(entry.id)
    return report
