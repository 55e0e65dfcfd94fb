"""Knowledge base service: entries with revisions and review workflow, asking, feedback, gaps.

Rules
-----
* Every change to an entry writes a :class:`KnowledgeRevision` holding the full entry file text
  (who, when, why). Roll back writes a *new* revision with an old revision's content; history is
  never rewritten.
* Review workflow: ``draft → published → retired`` (and back: a published entry can be withdrawn
  to draft, a retired one restored to draft). Editing a published entry keeps it published: the
  editors are supervisors, who are the reviewers. Roll back restores the content of an old
  revision and keeps the current status.
* ``ask`` answers from the PUBLISHED entries in the database with a :class:`Matcher` cached in the
  process. The cache key is (database, number of revisions, newest revision id, newest revision
  time): every change writes a revision, so each app instance notices changes made by any other
  instance on its next question and rebuilds.
* Clarify/hand-off questions are stored as knowledge gaps: text normalised (NFKC, control
  characters removed, whitespace collapsed, at most 500 characters) and personal data masked.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import hmac
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claimline.audit.service import Actor
from claimline.clock import today_local, utcnow
from claimline.config import get_settings
from claimline.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from claimline.knowledge.entries import (
    FIELD_ORDER,
    KnowledgeEntry,
    parse_entry_text,
    render_entry_file,
    topic_ids,
    topic_name,
)
from claimline.knowledge.matcher import AskResult, Matcher, MatchSettings
from claimline.knowledge.models import (
    KnowledgeEntryRecord,
    KnowledgeFeedback,
    KnowledgeGap,
    KnowledgeRevision,
)
from claimline.privacy.masking import mask_text

STATUS_LABELS = {"draft": "草稿", "published": "已发布", "retired": "已停用"}
ACTION_LABELS = {
    "create": "新建",
    "edit": "修改",
    "import": "从文件导入",
    "import_retire": "文件已删除，停用",
    "publish": "发布",
    "unpublish": "撤回为草稿",
    "retire": "停用",
    "restore": "恢复为草稿",
    "rollback": "回滚",
    "gap_draft": "据知识缺口起草",
}
# Workflow: action → (statuses it starts from, status it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "publish": (("draft",), "published"),
    "unpublish": (("published",), "draft"),
    "retire": (("draft", "published"), "retired"),
    "restore": (("retired",), "draft"),
}
PLACEHOLDER_ANSWER = "（待撰写：请根据法律规定写出回答，第一段用一到三句话直接回答问题。）"
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")
GAP_TEXT_MAX = 500
GAPS_PER_CLIENT_PER_HOUR = 30
FEEDBACK_PER_CLIENT_PER_HOUR = 20


# ---------------------------------------------------------------------------------------------- entries


def to_entry(record: KnowledgeEntryRecord) -> KnowledgeEntry:
    return KnowledgeEntry(
        id=record.id,
        title=record.title,
        topic=record.topic,
        questions=tuple(str(q) for q in record.questions or ()),
        answer=record.answer,
        legal_basis=tuple(str(c) for c in record.legal_basis or ()),
        region=record.region,
        valid_from=record.valid_from,
        review_by=record.review_by,
        status=record.status,
        tags=tuple(str(t) for t in record.tags or ()),
    )


def entry_text(entry: KnowledgeEntry) -> str:
    """The entry's file text: what revisions store, diffs compare and ``kb export`` writes."""
    return render_entry_file(entry)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _apply(record: KnowledgeEntryRecord, entry: KnowledgeEntry) -> None:
    record.title = entry.title
    record.topic = entry.topic
    record.questions = list(entry.questions)
    record.answer = entry.answer
    record.legal_basis = list(entry.legal_basis)
    record.region = entry.region
    record.valid_from = entry.valid_from
    record.review_by = entry.review_by
    record.status = entry.status
    record.tags = list(entry.tags)


def _write_revision(
    session: Session, record: KnowledgeEntryRecord, actor: Actor, action: str, comment: str = ""
) -> KnowledgeRevision:
    latest = session.scalar(
        select(func.max(KnowledgeRevision.number)).where(KnowledgeRevision.entry_id == record.id)
    )
    number = (latest or 0) + 1
    now = utcnow()
    record.version = number
    record.updated_at = now
    record.updated_by = actor.name[:64]
    revision = KnowledgeRevision(
        entry_id=record.id,
        number=number,
        action=action,
        snapshot=entry_text(to_entry(record)),
        comment=mask_text(_CONTROL_CHARS.sub(" ", comment).strip())[:2000],
        author_user_id=actor.user_id,
        author=actor.name[:64],
        created_at=now,
    )
    session.add(revision)
    session.flush()
    return revision


def get_record(session: Session, entry_id: str, *, for_update: bool = False) -> KnowledgeEntryRecord:
    """The entry; ``for_update`` locks its row (PostgreSQL) so that concurrent changes queue up."""
    lock = True if for_update else None
    usable = len(entry_id) <= 64 and not _CONTROL_CHARS.search(entry_id)
    record = session.get(KnowledgeEntryRecord, entry_id, with_for_update=lock) if usable else None
    if record is None:
        raise NotFound(f"找不到知识条目：{entry_id[:64]}", code="entry_not_found", field="id")
    return record


def get_published(session: Session, entry_id: str) -> KnowledgeEntryRecord:
    record = get_record(session, entry_id)
    if record.status != "published":
        raise NotFound(f"找不到知识条目：{entry_id[:64]}", code="entry_not_found", field="id")
    return record


def add_entry(
    session: Session,
    actor: Actor,
    entry: KnowledgeEntry,
    *,
    action: str = "create",
    comment: str = "",
    file_hash: str | None = None,
) -> KnowledgeEntryRecord:
    if session.get(KnowledgeEntryRecord, entry.id) is not None:
        raise Conflict(f"编号 {entry.id} 已被其他条目使用，请换一个编号", code="duplicate_id", field="id")
    now = utcnow()
    record = KnowledgeEntryRecord(id=entry.id, version=0, file_hash=file_hash, created_at=now, updated_at=now)
    _apply(record, entry)
    session.add(record)
    try:
        session.flush()
    except IntegrityError:  # created at the same moment by someone else
        raise Conflict(f"编号 {entry.id} 已被其他条目使用，请换一个编号", code="duplicate_id", field="id") from None
    _write_revision(session, record, actor, action, comment)
    return record


def create_entry(session: Session, actor: Actor, entry: KnowledgeEntry, comment: str = "") -> KnowledgeEntryRecord:
    """A new entry from the web editor: always starts as a draft (publishing is a review step)."""
    return add_entry(session, actor, replace(entry, status="draft"), comment=comment or "新建条目")


def _check_version(record: KnowledgeEntryRecord, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != record.version:
        raise Conflict(
            f"该条目已被他人修改（当前为第 {record.version} 版），请重新打开后再修改",
            code="stale_version",
            field="version",
        )


def update_entry(
    session: Session,
    actor: Actor,
    entry_id: str,
    entry: KnowledgeEntry,
    *,
    expected_version: int | None = None,
    comment: str = "",
) -> tuple[KnowledgeEntryRecord, bool]:
    """Save an edit (status is left as it is; see the workflow). Returns (record, changed)."""
    record = get_record(session, entry_id, for_update=True)
    _check_version(record, expected_version)
    if entry.id != record.id:
        raise ValidationFailed("条目编号不能修改", code="id_immutable", field="id")
    new = replace(entry, status=record.status)
    if new == to_entry(record):
        return record, False
    _apply(record, new)
    _write_revision(session, record, actor, "edit", comment)
    return record, True


def change_status(
    session: Session,
    actor: Actor,
    entry_id: str,
    action: str,
    *,
    expected_version: int | None = None,
    comment: str = "",
) -> KnowledgeEntryRecord:
    if action not in TRANSITIONS:
        raise ValidationFailed("不支持的操作", code="unknown_action", field="action")
    record = get_record(session, entry_id, for_update=True)
    _check_version(record, expected_version)
    sources, target = TRANSITIONS[action]
    if record.status not in sources:
        raise Conflict(
            f"“{STATUS_LABELS.get(record.status, record.status)}”状态的条目不能{ACTION_LABELS[action]}",
            code="invalid_transition",
            field="status",
        )
    if target == "published":
        problems = publish_problems(to_entry(record))
        if problems:
            raise ValidationFailed("不能发布：" + "；".join(problems), code="not_publishable", field="answer")
    record.status = target
    _write_revision(session, record, actor, action, comment)
    return record


def publish_problems(entry: KnowledgeEntry) -> list[str]:
    """What stops a draft from being published."""
    problems = []
    if PLACEHOLDER_ANSWER in entry.answer or entry.answer.startswith("（待撰写"):
        problems.append("回答仍是待撰写的占位文字")
    if entry.review_by < today_local():
        problems.append("复核期限已过，请先复核内容并更新复核期限")
    return problems


# ---------------------------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class EntryFilter:
    topic: str | None = None
    status: str | None = None
    overdue: bool = False
    text: str | None = None


def list_entries(session: Session, filters: EntryFilter, today: dt.date | None = None) -> list[KnowledgeEntryRecord]:
    query = select(KnowledgeEntryRecord)
    if filters.topic:
        query = query.where(KnowledgeEntryRecord.topic == filters.topic)
    if filters.status:
        query = query.where(KnowledgeEntryRecord.status == filters.status)
    if filters.overdue:
        query = query.where(KnowledgeEntryRecord.review_by < (today or today_local()))
        query = query.where(KnowledgeEntryRecord.status != "retired")
    text = _CONTROL_CHARS.sub("", filters.text or "").strip()[:100]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(KnowledgeEntryRecord.title.like(pattern, escape="\\"), KnowledgeEntryRecord.id.like(pattern, escape="\\"))
        )
    rank = {t: i for i, t in enumerate(topic_ids())}
    records = list(session.scalars(query))
    records.sort(key=lambda r: (rank.get(r.topic, len(rank)), r.id))
    return records


def published_entries(session: Session) -> list[KnowledgeEntry]:
    query = select(KnowledgeEntryRecord).where(KnowledgeEntryRecord.status == "published")
    return [to_entry(r) for r in session.scalars(query.order_by(KnowledgeEntryRecord.id))]


def topic_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(KnowledgeEntryRecord.topic, func.count())
        .where(KnowledgeEntryRecord.status == "published")
        .group_by(KnowledgeEntryRecord.topic)
    )
    return {str(topic): int(count) for topic, count in rows}


def entries_of_topic(session: Session, topic: str) -> list[KnowledgeEntryRecord]:
    query = select(KnowledgeEntryRecord).where(
        KnowledgeEntryRecord.status == "published", KnowledgeEntryRecord.topic == topic
    )
    return list(session.scalars(query.order_by(KnowledgeEntryRecord.title)))


# ---------------------------------------------------------------------------------------------- revisions


def list_revisions(session: Session, entry_id: str) -> list[KnowledgeRevision]:
    query = select(KnowledgeRevision).where(KnowledgeRevision.entry_id == entry_id)
    return list(session.scalars(query.order_by(KnowledgeRevision.number.desc())))


def get_revision(session: Session, entry_id: str, number: int) -> KnowledgeRevision:
    revision = session.scalar(
        select(KnowledgeRevision).where(KnowledgeRevision.entry_id == entry_id, KnowledgeRevision.number == number)
    )
    if revision is None:
        raise NotFound(f"找不到第 {number} 版", code="revision_not_found", field="number")
    return revision


def rollback(
    session: Session,
    actor: Actor,
    entry_id: str,
    number: int,
    *,
    expected_version: int | None = None,
    comment: str = "",
) -> KnowledgeEntryRecord:
    """A new revision with the content of revision ``number`` (the current status is kept)."""
    record = get_record(session, entry_id, for_update=True)
    _check_version(record, expected_version)
    old = parse_entry_text(get_revision(session, entry_id, number).snapshot, f"第 {number} 版")
    restored = replace(old, status=record.status)
    if restored == to_entry(record):
        raise Conflict(f"当前内容与第 {number} 版相同，无需回滚", code="nothing_to_roll_back", field="number")
    _apply(record, restored)
    _write_revision(session, record, actor, "rollback", comment or f"回滚到第 {number} 版的内容")
    return record


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add" | "remove" | "context" | "skip"
    old_no: int | None
    new_no: int | None
    text: str


@dataclass(frozen=True)
class RevisionDiff:
    lines: tuple[DiffLine, ...]
    changed_fields: tuple[str, ...]
    added: int
    removed: int


def _fields_of(text: str) -> dict[str, Any]:
    try:
        entry = parse_entry_text(text, "revision")
    except ValidationFailed:
        return {}
    return {name: getattr(entry, name) for name in (*FIELD_ORDER, "answer")}


def diff_texts(old: str, new: str, context: int = 2) -> RevisionDiff:
    """Line diff of two entry texts (difflib), with the names of the fields that changed."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    added = removed = 0
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("skip", None, None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("context", i1 + k + 1, j1 + k + 1, old_lines[i1 + k]) for k in range(i2 - i1))
                continue
            if tag in ("replace", "delete"):
                lines.extend(DiffLine("remove", i1 + k + 1, None, old_lines[i1 + k]) for k in range(i2 - i1))
                removed += i2 - i1
            if tag in ("replace", "insert"):
                lines.extend(DiffLine("add", None, j1 + k + 1, new_lines[j1 + k]) for k in range(j2 - j1))
                added += j2 - j1
    before, after = _fields_of(old), _fields_of(new)
    changed = tuple(name for name in (*FIELD_ORDER, "answer") if before.get(name) != after.get(name))
    return RevisionDiff(tuple(lines), changed if before and after else (), added, removed)


def revision_diff(session: Session, entry_id: str, number: int, against: int | None = None) -> RevisionDiff:
    """Diff of revision ``number`` against ``against`` (default: the revision before it)."""
    revision = get_revision(session, entry_id, number)
    base = against if against is not None else number - 1
    old = get_revision(session, entry_id, base).snapshot if base >= 1 else ""
    return diff_texts(old, revision.snapshot)


# ---------------------------------------------------------------------------------------------- asking

_matcher_lock = threading.Lock()
_matcher_cache: tuple[tuple[Any, ...], Matcher] | None = None


def knowledge_state(session: Session) -> tuple[Any, ...]:
    """Changes whenever any entry changes (every change writes a revision)."""
    count, newest, at = session.execute(
        select(func.count(KnowledgeRevision.id), func.max(KnowledgeRevision.id), func.max(KnowledgeRevision.created_at))
    ).one()
    bind = session.get_bind()
    return (str(getattr(bind, "url", "")), int(count or 0), newest, str(at))


def match_settings() -> MatchSettings:
    """The engine's thresholds, from CLAIMLINE_MATCH_* settings."""
    settings = get_settings()
    return MatchSettings(
        answer_threshold=settings.match_answer_threshold,
        clarify_threshold=settings.match_clarify_threshold,
        alt_topic_share=settings.match_alt_topic_share,
    )


def current_matcher(session: Session) -> Matcher:
    """The matcher over the published entries, rebuilt when the knowledge base changed."""
    global _matcher_cache
    key = knowledge_state(session)
    cached = _matcher_cache
    if cached is not None and cached[0] == key:
        return cached[1]
    with _matcher_lock:
        cached = _matcher_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        matcher = Matcher.build(published_entries(session), match_settings())
        _matcher_cache = (key, matcher)
        return matcher


def forget_matcher() -> None:
    global _matcher_cache
    _matcher_cache = None


def ask(session: Session, question: str, region: str | None = None) -> AskResult:
    """Answer, clarify or hand off, from the published entries; never fails on odd text."""
    return current_matcher(session).ask(question, region=region)


# ---------------------------------------------------------------------------------------------- clients



def client_fingerprint(address: str | None) -> str:
    """Keyed hash of a client address: rate limits without storing the address."""
    key = get_settings().secret_key.encode("utf-8")
    return hmac.new(key, f"kb-client:{address or '-'}".encode(), hashlib.sha256).hexdigest()[:32]


def clean_public_text(text: str, limit: int) -> str:
    """Normalised (NFKC, no control characters, collapsed spaces), personal data masked, capped."""
    value = unicodedata.normalize("NFKC", text or "")
    value = _SPACES.sub(" ", _CONTROL_CHARS.sub(" ", value)).strip()
    return mask_text(value)[:limit].strip()


# ---------------------------------------------------------------------------------------------- feedback


def record_feedback(
    session: Session, entry_id: str, helpful: bool, comment: str | None, client: str
) -> KnowledgeFeedback:
    """Store a vote; a second vote on the same entry within a day replaces the first."""
    record = get_published(session, entry_id)
    now = utcnow()
    recent = session.scalar(
        select(func.count())
        .select_from(KnowledgeFeedback)
        .where(KnowledgeFeedback.client_hash == client, KnowledgeFeedback.created_at >= now - dt.timedelta(hours=1))
    )
    if (recent or 0) >= FEEDBACK_PER_CLIENT_PER_HOUR:
        raise TooManyRequests("提交过于频繁，请稍后再试", code="rate_limited")
    text = clean_public_text(comment or "", 500)
    earlier = session.scalar(
        select(KnowledgeFeedback).where(
            KnowledgeFeedback.entry_id == record.id,
            KnowledgeFeedback.client_hash == client,
            KnowledgeFeedback.created_at >= now - dt.timedelta(days=1),
        )
    )
    if earlier is not None:
        earlier.helpful = helpful
        earlier.comment = text or earlier.comment
        session.flush()
        return earlier
    feedback = KnowledgeFeedback(entry_id=record.id, helpful=helpful, comment=text, client_hash=client, created_at=now)
    session.add(feedback)
    session.flush()
    return feedback


@dataclass(frozen=True)
class FeedbackSummary:
    entry_id: str
    title: str
    topic: str
    status: str
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_percent(self) -> int | None:
        return round(100 * self.helpful / self.total) if self.total else None


def feedback_report(session: Session) -> list[FeedbackSummary]:
    """Per entry with votes: counts and helpful share, least helpful first."""
    rows = session.execute(
        select(KnowledgeFeedback.entry_id, KnowledgeFeedback.helpful, func.count())
        .group_by(KnowledgeFeedback.entry_id, KnowledgeFeedback.helpful)
    ).all()
    counts: dict[str, list[int]] = {}
    for entry_id, helpful, count in rows:
        counts.setdefault(str(entry_id), [0, 0])[0 if helpful else 1] += int(count)
    records = {
        r.id: r for r in session.scalars(select(KnowledgeEntryRecord).where(KnowledgeEntryRecord.id.in_(counts)))
    }
    summaries = [
        FeedbackSummary(eid, records[eid].title, records[eid].topic, records[eid].status, yes, no)
        for eid, (yes, no) in counts.items()
        if eid in records
    ]
    summaries.sort(key=lambda s: (s.helpful_percent if s.helpful_percent is not None else 101, -s.total, s.entry_id))
    return summaries


def entry_feedback(session: Session, entry_id: str, limit: int = 20) -> tuple[FeedbackSummary, list[KnowledgeFeedback]]:
    record = get_record(session, entry_id)
    rows = session.execute(
        select(KnowledgeFeedback.helpful, func.count())
        .where(KnowledgeFeedback.entry_id == entry_id)
        .group_by(KnowledgeFeedback.helpful)
    ).all()
    yes = sum(int(c) for h, c in rows if h)
    no = sum(int(c) for h, c in rows if not h)
    comments = list(
        session.scalars(
            select(KnowledgeFeedback)
            .where(KnowledgeFeedback.entry_id == entry_id, KnowledgeFeedback.comment != "")
            .order_by(KnowledgeFeedback.created_at.desc())
            .limit(limit)
        )
    )
    return FeedbackSummary(record.id, record.title, record.topic, record.status, yes, no), comments


# ---------------------------------------------------------------------------------------------- gaps


def record_gap(
    session: Session, question: str, result: AskResult, channel: str, client: str = ""
) -> KnowledgeGap | None:
    """Store a clarify/hand-off question (masked); answered, empty or flooding ones are skipped."""
    if result.action not in ("clarify", "handoff"):
        return None
    text = clean_public_text(question, GAP_TEXT_MAX)
    if not any(ch.isalnum() for ch in text):
        return None
    now = utcnow()
    if client:
        recent = session.scalar(
            select(func.count())
            .select_from(KnowledgeGap)
            .where(KnowledgeGap.client_hash == client, KnowledgeGap.created_at >= now - dt.timedelta(hours=1))
        )
        if (recent or 0) >= GAPS_PER_CLIENT_PER_HOUR:
            return None
    gap = KnowledgeGap(
        text=text,
        channel=channel[:16],
        action=result.action,
        reason=result.reason[:32],
        topic_guess=result.topic if result.topic in topic_ids() else "other",
        confidence=float(result.confidence),
        client_hash=client,
        created_at=now,
    )
    session.add(gap)
    session.flush()
    return gap


def list_gaps(session: Session, days: int = 90, include_drafted: bool = False, limit: int = 2000) -> list[KnowledgeGap]:
    query = select(KnowledgeGap).where(KnowledgeGap.created_at >= utcnow() - dt.timedelta(days=max(1, days)))
    if not include_drafted:
        query = query.where(KnowledgeGap.draft_entry_id.is_(None))
    return list(session.scalars(query.order_by(KnowledgeGap.created_at.desc()).limit(limit)))


def _gap_entry_id(session: Session, topic: str) -> str:
    base = f"{topic.replace('_', '-')}-gap-{utcnow():%Y%m%d}"
    candidate, n = base, 1
    while session.get(KnowledgeEntryRecord, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def draft_from_gaps(session: Session, actor: Actor, gap_ids: Sequence[int]) -> KnowledgeEntryRecord:
    """A draft entry prefilled with the questions of a gap cluster; the gaps point to it."""
    ids = sorted({int(i) for i in gap_ids})[:200]
    gaps = list(session.scalars(select(KnowledgeGap).where(KnowledgeGap.id.in_(ids)))) if ids else []
    if not gaps:
        raise ValidationFailed("请选择至少一个知识缺口问题", code="no_gaps", field="gap_ids")
    questions = list(dict.fromkeys(g.text[:200] for g in gaps))
    topic = Counter(g.topic_guess for g in gaps).most_common(1)[0][0]
    topic = topic if topic in topic_ids() else "other"
    from claimline.knowledge.gaps import representative

    title = representative(questions)[:200]
    today = today_local()
    entry = KnowledgeEntry(
        id=_gap_entry_id(session, topic),
        title=title,
        topic=topic,
        questions=tuple(questions[:30]),
        answer=PLACEHOLDER_ANSWER,
        legal_basis=(),
        region="national",
        valid_from=today,
        review_by=today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29)
        else today + dt.timedelta(days=365),
        status="draft",
        tags=("知识缺口",),
    )
    record = add_entry(
        session, actor, entry, action="gap_draft", comment=f"据 {len(gaps)} 个未解答问题起草（主题推测：{topic_name(topic)}）"
    )
    for gap in gaps:
        gap.draft_entry_id = record.id
    session.flush()
    return record
