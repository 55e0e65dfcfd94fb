"""``claimline kb lint``: checks of the entry files (no database).

Errors (exit code 1):
  * a file that cannot be read or parsed, every missing required field, unknown topics, bad ids,
    dates or statuses (``missing_field``, ``invalid_entry``, ``unknown_topic`` …);
  * the same id in two files (``duplicate_id``);
  * dead citations: malformed, or an article/paragraph that the shipped statute text does not
    have (``dead_citation``, checked with ``claimline.law.statutes``);
  * the same question phrasing in two entries that are not retired (``duplicate_question``): the
    matcher could not tell them apart;
  * a published entry past its ``review_by`` date (``review_overdue``).

Warnings (listed separately, exit code stays 0):
  citations of documents whose text is not shipped (``not_checkable``), a published entry
  without legal basis, review due within 30 days, drafts past review, fewer than 3 phrasings,
  a repeated phrasing inside one entry, a file not at ``<topic>/<id>.md``, the same title twice,
  an entry valid only in the future, topics with fewer than 6 published entries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from claimline.clock import today_local
from claimline.errors import ValidationFailed
from claimline.knowledge.entries import KnowledgeEntry, entry_files, load_taxonomy, parse_entry_text
from claimline.knowledge.text import normalize
from claimline.law.statutes import check_citation, is_known_law, normalize_law_name

REQUIRED_FIELDS = ("id", "title", "topic", "questions", "valid_from", "review_by", "status")
MIN_QUESTIONS = 3
MIN_PER_TOPIC = 6
DUE_SOON_DAYS = 30
_FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)

Level = Literal["error", "warning"]
_LAW_NAME_RE = re.compile(r"^《([^《》]+)》")


@dataclass(frozen=True)
class LintIssue:
    level: Level
    code: str
    file: str
    entry_id: str
    message: str


@dataclass
class LintReport:
    files: int = 0
    entries: list[KnowledgeEntry] = field(default_factory=list)
    issues: list[LintIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[LintIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[LintIssue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self, level: Level | None = None) -> set[str]:
        return {i.code for i in self.issues if level is None or i.level == level}


def _missing_fields(text: str) -> list[str] | None:
    """Required fields absent from the front matter (None when the header itself is unreadable)."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    missing = [
        name for name in REQUIRED_FIELDS if data.get(name) in (None, "", []) or str(data.get(name)).strip() == ""
    ]
    if not match.group(2).strip():
        missing.append("answer")
    return missing


def citation_problem(citation: str) -> tuple[Level, str] | None:
    """None for a citation that checks out; a warning for a document whose text is not shipped
    (cited with or without an article); an error for a malformed or dead citation."""
    check = check_citation(citation)
    if check.ok and check.status == "ok":
        return None
    law = _LAW_NAME_RE.match(citation.strip())
    if check.status == "not_checkable" or (
        check.status == "malformed" and law is not None and not is_known_law(normalize_law_name(law.group(1)))
    ):
        return "warning", f"无法核对（未收录该文件的条文）：{citation}"
    return "error", f"失效的法条引用 {citation}：{check.message}"


def _question_key(question: str) -> str:
    return normalize(question).replace(" ", "")


def lint_directory(
    directory: str | Path,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> LintReport:
    root = Path(directory)
    today = today or today_local()
    report = LintReport()
    if not root.is_dir():
        report.issues.append(LintIssue("error", "not_a_directory", str(root), "", f"知识库目录不存在：{root}"))
        return report

    def add(level: Level, code: str, file: str, entry_id: str, message: str) -> None:
        report.issues.append(LintIssue(level, code, file, entry_id, message))

    seen_ids: dict[str, str] = {}
    located: list[tuple[str, KnowledgeEntry]] = []
    for path in entry_files(root):
        report.files += 1
        name = str(path.relative_to(root))
        if progress:
            progress(name)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            add("error", "invalid_encoding", name, "", "文件不是 UTF-8 编码")
            continue
        missing = _missing_fields(text)
        if missing:
            add("error", "missing_field", name, "", "缺少必填字段：" + "、".join(missing))
            continue
        try:
            entry = parse_entry_text(text, name)
        except ValidationFailed as error:
            add("error", error.code if error.code == "unknown_topic" else "invalid_entry", name, "", error.message)
            continue
        if entry.id in seen_ids:
            add("error", "duplicate_id", name, entry.id, f"编号 {entry.id} 与 {seen_ids[entry.id]} 重复")
            continue
        seen_ids[entry.id] = name
        located.append((name, entry))
        report.entries.append(entry)
        _check_entry(entry, name, root, path, today, add)

    _check_duplicates(located, add)
    _check_coverage(report.entries, add)
    return report


def _check_entry(
    entry: KnowledgeEntry,
    name: str,
    root: Path,
    path: Path,
    today: dt.date,
    add: Callable[[Level, str, str, str, str], None],
) -> None:
    for citation in entry.legal_basis:
        problem = citation_problem(citation)
        if problem is not None:
            level, message = problem
            code = "not_checkable" if level == "warning" else "dead_citation"
            add(level, code, name, entry.id, message)
    if entry.status == "published" and not entry.legal_basis:
        add("warning", "no_legal_basis", name, entry.id, "已发布的条目没有法律依据")
    if entry.status != "retired":
        if entry.review_by < today:
            overdue: Level = "error" if entry.status == "published" else "warning"
            add(overdue, "review_overdue", name, entry.id, f"已过复核期限 {entry.review_by.isoformat()}，请复核内容")
        elif entry.review_by <= today + dt.timedelta(days=DUE_SOON_DAYS):
            add("warning", "review_due_soon", name, entry.id, f"复核期限 {entry.review_by.isoformat()} 将至")
        if entry.valid_from > today:
            add("warning", "not_yet_valid", name, entry.id, f"生效日期 {entry.valid_from.isoformat()} 尚未到来")
    if len(entry.questions) < MIN_QUESTIONS:
        add("warning", "few_questions", name, entry.id, f"常见问法只有 {len(entry.questions)} 条，建议至少 {MIN_QUESTIONS} 条")
    keys = [_question_key(q) for q in entry.questions]
    if len(set(keys)) != len(keys):
        add("warning", "repeated_question", name, entry.id, "同一条目内有重复的问法")
    expected = root / entry.topic / f"{entry.id}.md"
    if path.resolve() != expected.resolve():
        add("warning", "misplaced_file", name, entry.id, f"文件应位于 {entry.topic}/{entry.id}.md")


def _check_duplicates(
    located: list[tuple[str, KnowledgeEntry]], add: Callable[[Level, str, str, str, str], None]
) -> None:
    owners: dict[str, list[tuple[str, KnowledgeEntry, str]]] = defaultdict(list)
    titles: dict[str, list[str]] = defaultdict(list)
    for name, entry in located:
        if entry.status == "retired":
            continue
        for question in dict.fromkeys(entry.questions):
            key = _question_key(question)
            if key and all(other.id != entry.id for _, other, _ in owners[key]):
                owners[key].append((name, entry, question))
        titles[_question_key(entry.title)].append(entry.id)
    for holders in owners.values():
        if len(holders) > 1:
            owner_ids = "、".join(e.id for _, e, _ in holders)
            for name, entry, question in holders:
                add("error", "duplicate_question", name, entry.id, f"问法“{question}”同时出现在多个条目中：{owner_ids}")
    for same_title in titles.values():
        if len(same_title) > 1:
            add("warning", "duplicate_title", "", same_title[0], "多个条目标题相同：" + "、".join(same_title))


def _check_coverage(entries: list[KnowledgeEntry], add: Callable[[Level, str, str, str, str], None]) -> None:
    if not entries:
        return
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.status == "published":
            counts[entry.topic] += 1
    for topic in load_taxonomy():
        if counts[topic.id] < MIN_PER_TOPIC:
            add(
                "warning", "thin_topic", "", "",
                f"主题“{topic.name}”（{topic.id}）只有 {counts[topic.id]} 条已发布条目，建议至少 {MIN_PER_TOPIC} 条",
            )
