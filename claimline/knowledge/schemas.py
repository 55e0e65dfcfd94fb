"""Request/response models of the knowledge API and validation of the entry editor's form."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimline.knowledge.entries import NATIONAL, STATUSES, KnowledgeEntry, normalize_region, topic_ids
from claimline.knowledge.lint import citation_problem

MAX_QUESTION_CHARS = 2000
MAX_REGION_CHARS = 32
MAX_FEEDBACK_COMMENT = 500

# ---------------------------------------------------------------------------------------------- API


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(description=f"来电人的问题（原话，1–{MAX_QUESTION_CHARS} 个字）")
    region: str | None = Field(default=None, max_length=MAX_REGION_CHARS, description="省份，例如 广东；不填为全国")

    @field_validator("question")
    @classmethod
    def _question_length(cls, value: str) -> str:
        if not value:
            raise ValueError("请填写问题")
        if len(value) > MAX_QUESTION_CHARS:
            raise ValueError(f"问题不能超过 {MAX_QUESTION_CHARS} 个字，请简要描述")
        return value


class AskResultItem(BaseModel):
    id: str
    title: str
    topic: str
    score: float
    answer: str
    legal_basis: list[str]


class AskResponse(BaseModel):
    action: Literal["answer", "clarify", "handoff"]
    topic: str
    confidence: float
    results: list[AskResultItem]


class SearchChoice(BaseModel):
    topic: str
    topic_name: str
    entry_id: str
    title: str
    url: str


class SearchItem(BaseModel):
    id: str
    title: str
    topic: str
    topic_name: str
    score: float
    summary: str
    url: str


class SearchResponse(BaseModel):
    """What the public FAQ's instant search shows (no knowledge gap is recorded for it)."""

    action: Literal["answer", "clarify", "handoff", "empty"]
    topic: str
    topic_name: str
    confidence: float
    message: str
    choices: list[SearchChoice]
    results: list[SearchItem]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    helpful: bool = Field(description="这条回答有帮助吗？")
    comment: str | None = Field(default=None, max_length=MAX_FEEDBACK_COMMENT)


class FeedbackResponse(BaseModel):
    entry_id: str
    helpful: bool
    message: str


# ---------------------------------------------------------------------------------------------- editor

FIELD_LABELS: dict[str, str] = {
    "id": "编号",
    "title": "标题",
    "topic": "主题",
    "questions": "常见问法",
    "answer": "回答",
    "legal_basis": "法律依据",
    "region": "适用地区",
    "valid_from": "生效日期",
    "review_by": "复核期限",
    "status": "状态",
    "tags": "标签",
    "comment": "修改说明",
}

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG_SPLIT_RE = re.compile(r"[,，、;；\s]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class EntryForm:
    """The editor's fields as typed (text areas: one item per line)."""

    id: str = ""
    title: str = ""
    topic: str = ""
    questions: str = ""
    answer: str = ""
    legal_basis: str = ""
    region: str = NATIONAL
    valid_from: str = ""
    review_by: str = ""
    tags: str = ""
    status: str = "draft"

    @classmethod
    def of(cls, entry: KnowledgeEntry) -> EntryForm:
        return cls(
            id=entry.id,
            title=entry.title,
            topic=entry.topic,
            questions="\n".join(entry.questions),
            answer=entry.answer,
            legal_basis="\n".join(entry.legal_basis),
            region=entry.region,
            valid_from=entry.valid_from.isoformat(),
            review_by=entry.review_by.isoformat(),
            tags="、".join(entry.tags),
            status=entry.status,
        )


@dataclass
class FormErrors(Exception):
    """Every problem of a submitted form, by field (messages in Chinese)."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in self.errors.items())


def _clean(text: str) -> str:
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in _clean(text).split("\n") if line.strip()]


def _date(value: str, name: str, errors: dict[str, str]) -> dt.date | None:
    value = value.strip()
    if not value:
        errors[name] = "请填写日期"
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = "日期格式应为 YYYY-MM-DD，例如 2027-01-31"
        return None


def validate_entry_form(form: EntryForm) -> KnowledgeEntry:
    """The entry the form describes, or :class:`FormErrors` naming every wrong field."""
    errors: dict[str, str] = {}
    entry_id = form.id.strip()
    if not entry_id:
        errors["id"] = "请填写编号"
    elif len(entry_id) > 64 or not _ID_RE.match(entry_id):
        errors["id"] = "编号只能使用小写英文字母、数字和连字符（最多 64 个字符），例如 liability-rear-end"
    title = " ".join(_clean(form.title).split())
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > 200:
        errors["title"] = "标题不能超过 200 个字"
    topic = form.topic.strip()
    if topic not in topic_ids():
        errors["topic"] = "请选择分类表中的主题"
    questions = _lines(form.questions)
    if not questions:
        errors["questions"] = "至少填写一种常见问法（每行一种）"
    elif len(questions) > 30:
        errors["questions"] = "常见问法最多 30 条"
    elif any(len(q) > 200 for q in questions):
        errors["questions"] = "每条问法不能超过 200 个字"
    elif len(set(questions)) != len(questions):
        errors["questions"] = "有重复的问法，请删去重复的行"
    answer = _clean(form.answer).strip()
    if not answer:
        errors["answer"] = "请填写回答"
    elif len(answer) > 20000:
        errors["answer"] = "回答不能超过 20000 个字"
    elif answer.startswith("---"):
        errors["answer"] = "回答不能以 --- 开头"
    legal_basis = _lines(form.legal_basis)
    problems = []
    for citation in legal_basis:
        problem = citation_problem(citation)
        if problem is not None and problem[0] == "error":
            problems.append(problem[1])
    if problems:
        errors["legal_basis"] = "；".join(problems)
    elif len(legal_basis) > 20:
        errors["legal_basis"] = "法律依据最多 20 条"
    region_raw = " ".join(_clean(form.region).split())
    region = NATIONAL if normalize_region(region_raw) is None else region_raw
    if len(region) > MAX_REGION_CHARS:
        errors["region"] = "地区名称过长"
    valid_from = _date(form.valid_from, "valid_from", errors)
    review_by = _date(form.review_by, "review_by", errors)
    if valid_from and review_by and review_by < valid_from:
        errors["review_by"] = "复核期限不能早于生效日期"
    tags = [t for t in _TAG_SPLIT_RE.split(_clean(form.tags)) if t]
    if len(tags) > 20 or any(len(t) > 32 for t in tags):
        errors["tags"] = "标签最多 20 个，每个不超过 32 个字"
    status = form.status.strip() or "draft"
    if status not in STATUSES:
        errors["status"] = "状态应为草稿、已发布或已停用"
    if errors:
        raise FormErrors(errors)
    assert valid_from is not None and review_by is not None
    return KnowledgeEntry(
        id=entry_id,
        title=title,
        topic=topic,
        questions=tuple(questions),
        answer=answer,
        legal_basis=tuple(legal_basis),
        region=region,
        valid_from=valid_from,
        review_by=review_by,
        status=status,
        tags=tuple(dict.fromkeys(tags)),
    )
