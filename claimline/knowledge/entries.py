"""Knowledge entries: the reviewed Markdown files under ``knowledge/<topic>/<id>.md``.

A file is YAML front matter between two ``---`` lines followed by the Markdown answer (format in
``knowledge/README.md``). This module parses and validates such files into immutable
:class:`KnowledgeEntry` objects, renders them back (for ``kb export``) and loads the topic
taxonomy shipped in ``claimline/knowledge/data/taxonomy.yaml``.

Errors are :class:`claimline.errors.ValidationFailed` with a Chinese message that names the file
and the field, so ``kb import``/``kb lint`` can show them to the author as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from claimline.errors import ValidationFailed
from claimline.law.compensation import statistics_data

STATUSES: tuple[str, ...] = ("draft", "published", "retired")
NATIONAL = "national"

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_REGION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_NATIONAL_ALIASES = frozenset({"", NATIONAL, "全国", "nationwide", "china", "中国"})

FIELD_ORDER: tuple[str, ...] = (
    "id",
    "title",
    "topic",
    "questions",
    "legal_basis",
    "region",
    "valid_from",
    "review_by",
    "status",
    "tags",
)


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of the taxonomy: stable ``id``, the ``name`` people see, what it ``covers``."""

    id: str
    name: str
    covers: str


@dataclass(frozen=True, slots=True)
class KnowledgeEntry:
    """One reviewed answer of the knowledge base."""

    id: str
    title: str
    topic: str
    questions: tuple[str, ...]
    answer: str
    legal_basis: tuple[str, ...]
    region: str
    valid_from: dt.date
    review_by: dt.date
    status: str
    tags: tuple[str, ...]

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_national(self) -> bool:
        return normalize_region(self.region) is None


# --------------------------------------------------------------------------- taxonomy


@cache
def load_taxonomy() -> tuple[Topic, ...]:
    """The topics of ``data/taxonomy.yaml`` in display order (loaded once)."""
    text = resources.files("claimline.knowledge").joinpath("data/taxonomy.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text) or {}
    topics = tuple(
        Topic(id=str(item["id"]), name=str(item.get("name", item["id"])), covers=str(item.get("covers", "")))
        for item in raw.get("topics", [])
    )
    if not topics:
        raise ValidationFailed("知识分类表 taxonomy.yaml 中没有任何主题", code="taxonomy_empty", field="topics")
    return topics


def topic_ids() -> tuple[str, ...]:
    return tuple(topic.id for topic in load_taxonomy())


def topic_name(topic_id: str) -> str:
    """The Chinese name of a topic id (the id itself if unknown)."""
    for topic in load_taxonomy():
        if topic.id == topic_id:
            return topic.name
    return topic_id


# --------------------------------------------------------------------------- regions


def normalize_region(region: str | None) -> str | None:
    """``None`` for national/unknown, else the province without its suffix (广东省 → 广东)."""
    if region is None:
        return None
    value = region.strip()
    if value.lower() in _NATIONAL_ALIASES:
        return None
    # the one table of region names (claimline/law/data/statistics.yaml), so that the estimator and
    # the knowledge base read "广东省", "广东" and "全国平均" the same way
    canonical = statistics_data().aliases.get(value.replace(" ", ""))
    if canonical is not None:
        return None if canonical == "全国" else canonical
    for suffix in _REGION_SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            return value[: -len(suffix)]
    return value


# --------------------------------------------------------------------------- parsing


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so a bad date is reported with its field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _fail(source: str, field: str, problem: str, code: str = "invalid_entry") -> ValidationFailed:
    return ValidationFailed(f"知识条目文件 {source} 的字段 {field} {problem}", code=code, field=field)


def _require_text(data: Mapping[str, Any], field: str, source: str) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail(source, field, "缺失或为空", code="missing_field")
    if isinstance(value, list | dict):
        raise _fail(source, field, "应为一段文字")
    return str(value).strip()


def _text_list(data: Mapping[str, Any], field: str, source: str, *, required: bool) -> tuple[str, ...]:
    value = data.get(field)
    if value is None:
        if required:
            raise _fail(source, field, "缺失", code="missing_field")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(source, field, "应为列表")
    items: list[str] = []
    for position, item in enumerate(value, start=1):
        if item is None or isinstance(item, list | dict) or not str(item).strip():
            raise _fail(source, f"{field}[{position}]", "应为非空文字")
        items.append(str(item).strip())
    if required and not items:
        raise _fail(source, field, "至少需要一项", code="missing_field")
    return tuple(items)


def _date(data: Mapping[str, Any], field: str, source: str) -> dt.date:
    value = data.get(field)
    if value is None:
        raise _fail(source, field, "缺失", code="missing_field")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _fail(source, field, f"不是有效日期（应为 YYYY-MM-DD）：{value}") from None


def parse_entry_text(text: str, source_name: str) -> KnowledgeEntry:
    """Parse one entry file's text; ``source_name`` names the file in error messages."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        raise ValidationFailed(
            f"知识条目文件 {source_name} 缺少以 --- 开头和结尾的 YAML 头部",
            code="missing_front_matter",
            field="front_matter",
        )
    header, body = match.group(1), match.group(2)
    try:
        data = yaml.load(header, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValidationFailed(
            f"知识条目文件 {source_name} 的 YAML 头部无法解析：{exc}", code="invalid_yaml", field="front_matter"
        ) from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            f"知识条目文件 {source_name} 的 YAML 头部应为键值对", code="invalid_yaml", field="front_matter"
        )
    unknown = sorted(str(key) for key in data if key not in FIELD_ORDER)
    if unknown:
        raise _fail(source_name, unknown[0], "不是认可的字段（可用字段：" + "、".join(FIELD_ORDER) + "）")

    entry_id = _require_text(data, "id", source_name)
    if not _ID_RE.match(entry_id):
        raise _fail(source_name, "id", f"只能使用小写英文字母、数字和连字符：{entry_id}")
    topic = _require_text(data, "topic", source_name)
    if topic not in topic_ids():
        raise _fail(source_name, "topic", f"不是分类表中的主题：{topic}", code="unknown_topic")
    status = str(data.get("status") or "draft").strip()
    if status not in STATUSES:
        raise _fail(source_name, "status", f"应为 draft、published 或 retired 之一：{status}")
    valid_from = _date(data, "valid_from", source_name)
    review_by = _date(data, "review_by", source_name)
    if review_by < valid_from:
        raise _fail(source_name, "review_by", "早于 valid_from")
    answer = body.strip()
    if not answer:
        raise _fail(source_name, "answer", "（头部之后的正文）为空", code="missing_field")
    region_raw = data.get("region")
    region = NATIONAL if normalize_region(None if region_raw is None else str(region_raw)) is None else str(
        region_raw
    ).strip()
    return KnowledgeEntry(
        id=entry_id,
        title=_require_text(data, "title", source_name),
        topic=topic,
        questions=_text_list(data, "questions", source_name, required=True),
        answer=answer,
        legal_basis=_text_list(data, "legal_basis", source_name, required=False),
        region=region,
        valid_from=valid_from,
        review_by=review_by,
        status=status,
        tags=_text_list(data, "tags", source_name, required=False),
    )


def parse_entry_file(path: str | Path) -> KnowledgeEntry:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(
            f"知识条目文件 {file} 不是 UTF-8 编码", code="invalid_encoding", field="file"
        ) from None
    return parse_entry_text(text, str(file))


def entry_files(directory: str | Path) -> list[Path]:
    """Every entry file below ``directory`` (``*.md`` except README files), in a stable order."""
    root = Path(directory)
    return sorted(p for p in root.rglob("*.md") if p.is_file() and p.name.lower() != "readme.md")


def load_entry_directory(directory: str | Path) -> list[KnowledgeEntry]:
    """Parse every entry file below ``directory``; ids must be unique."""
    root = Path(directory)
    if not root.is_dir():
        raise ValidationFailed(f"知识库目录不存在：{root}", code="not_a_directory", field="directory")
    entries: list[KnowledgeEntry] = []
    seen: dict[str, Path] = {}
    for file in entry_files(root):
        entry = parse_entry_file(file)
        if entry.id in seen:
            raise ValidationFailed(
                f"知识条目 id 重复：{entry.id}（{seen[entry.id]} 与 {file}）", code="duplicate_id", field="id"
            )
        seen[entry.id] = file
        entries.append(entry)
    return entries


def published(entries: Iterable[KnowledgeEntry]) -> list[KnowledgeEntry]:
    return [entry for entry in entries if entry.is_published]


# --------------------------------------------------------------------------- rendering


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def render_entry_file(entry: KnowledgeEntry) -> str:
    """The file text of ``entry``: ``parse_entry_text(render_entry_file(e), ...) == e``."""
    header: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "topic": entry.topic,
        "questions": list(entry.questions),
        "legal_basis": list(entry.legal_basis),
        "region": entry.region,
        "valid_from": entry.valid_from,
        "review_by": entry.review_by,
        "status": entry.status,
        "tags": list(entry.tags),
    }
    front = yaml.dump(header, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{entry.answer.strip()}\n"
