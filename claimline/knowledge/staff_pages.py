"""Supervisor pages: entries, editor, revisions (diff, roll back), review workflow, feedback, gaps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from claimline.auth.deps import DbSession, SupervisorUser, actor_of
from claimline.clock import today_local
from claimline.errors import DomainError
from claimline.knowledge import service
from claimline.knowledge.entries import STATUSES, load_taxonomy, topic_ids, topic_name
from claimline.knowledge.gaps import GapQuestion, cluster_gaps
from claimline.knowledge.rendering import render_markdown
from claimline.knowledge.schemas import FIELD_LABELS, EntryForm, FormErrors, validate_entry_form
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)

BIG = 100_000  # form fields: real limits are checked by validate_entry_form with Chinese messages


def _common() -> dict[str, Any]:
    return {
        "topics": [(t.id, t.name) for t in load_taxonomy()],
        "status_labels": service.STATUS_LABELS,
        "action_labels": service.ACTION_LABELS,
        "field_labels": FIELD_LABELS,
        "topic_name": topic_name,
        "today": today_local(),
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------- list


@router.get("/staff/knowledge")
def entries_page(
    request: Request,
    user: SupervisorUser,
    session: DbSession,
    topic: str = "",
    status: str = "",
    overdue: str = "",
    q: str = "",
) -> Response:
    filters = service.EntryFilter(
        topic=topic if topic in topic_ids() else None,
        status=status if status in STATUSES else None,
        overdue=overdue in ("1", "on", "true"),
        text=q[:100] or None,
    )
    records = service.list_entries(session, filters)
    ratings = {s.entry_id: s for s in service.feedback_report(session)}
    return render(
        request,
        "knowledge/staff_list.html",
        {
            **_common(),
            "entries": records,
            "ratings": ratings,
            "filters": {"topic": filters.topic or "", "status": filters.status or "", "overdue": filters.overdue,
                        "q": q[:100]},
        },
    )


# ---------------------------------------------------------------------------------------------- editor


def _editor(
    request: Request,
    *,
    form: EntryForm,
    record: Any = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    comment: str = "",
    status: int = 200,
    notice: str | None = None,
) -> Response:
    return render(
        request,
        "knowledge/staff_edit.html",
        {**_common(), "form": form, "record": record, "errors": errors or {}, "error": error, "comment": comment,
         "notice": notice},
        status,
    )


@dataclass(frozen=True)
class SubmittedEntry:
    """The editor form's entry fields as posted (the id is posted only when creating)."""

    title: str
    topic: str
    questions: str
    answer: str
    legal_basis: str
    region: str
    valid_from: str
    review_by: str
    tags: str
    comment: str

    def form(self, entry_id: str, status: str = "draft") -> EntryForm:
        return EntryForm(
            id=entry_id.strip(), title=self.title, topic=self.topic, questions=self.questions, answer=self.answer,
            legal_basis=self.legal_basis, region=self.region, valid_from=self.valid_from,
            review_by=self.review_by, tags=self.tags, status=status,
        )


def submitted_entry(
    title: Annotated[str, Form(max_length=BIG)] = "",
    topic: Annotated[str, Form(max_length=BIG)] = "",
    questions: Annotated[str, Form(max_length=BIG)] = "",
    answer: Annotated[str, Form(max_length=BIG)] = "",
    legal_basis: Annotated[str, Form(max_length=BIG)] = "",
    region: Annotated[str, Form(max_length=BIG)] = "national",
    valid_from: Annotated[str, Form(max_length=BIG)] = "",
    review_by: Annotated[str, Form(max_length=BIG)] = "",
    tags: Annotated[str, Form(max_length=BIG)] = "",
    comment: Annotated[str, Form(max_length=BIG)] = "",
) -> SubmittedEntry:
    return SubmittedEntry(title, topic, questions, answer, legal_basis, region, valid_from, review_by, tags, comment)


Submitted = Annotated[SubmittedEntry, Depends(submitted_entry)]


@router.get("/staff/knowledge/new")
def new_entry_page(request: Request, user: SupervisorUser) -> Response:
    today = today_local()
    form = EntryForm(valid_from=today.isoformat(), review_by=(today + dt.timedelta(days=365)).isoformat())
    return _editor(request, form=form)


@router.post("/staff/knowledge/new")
def new_entry_submit(
    request: Request,
    user: SupervisorUser,
    session: DbSession,
    submitted: Submitted,
    entry_id: Annotated[str, Form(alias="id", max_length=BIG)] = "",
) -> Response:
    form = submitted.form(entry_id)
    comment = submitted.comment
    try:
        entry = validate_entry_form(form)
        record = service.create_entry(session, actor_of(request, user), entry, comment[:2000])
    except FormErrors as problems:
        return _editor(request, form=form, errors=problems.errors, error="请改正标出的问题，内容尚未保存。",
                       comment=comment, status=422)
    except DomainError as problem:
        session.rollback()
        errors = {problem.field: problem.message} if problem.field in FIELD_LABELS else {}
        return _editor(request, form=form, errors=errors, error=problem.message + "（内容尚未保存）", comment=comment,
                       status=problem.status_code)
    return RedirectResponse(f"/staff/knowledge/{record.id}?notice=created", status_code=303)


@router.get("/staff/knowledge/feedback")
def feedback_page(request: Request, user: SupervisorUser, session: DbSession) -> Response:
    return render(request, "knowledge/staff_feedback.html", {**_common(), "rows": service.feedback_report(session)})


NOTICES = {
    "created": "已新建草稿。发布前请再检查一遍内容。",
    "saved": "已保存，生成了新的版本。",
    "unchanged": "内容没有变化，未生成新版本。",
    "publish": "已发布：常见问题页面和智能匹配已开始使用这条回答。",
    "unpublish": "已撤回为草稿，公众将看不到这条回答。",
    "retire": "已停用。",
    "restore": "已恢复为草稿。",
    "rollback": "已回滚，生成了新的版本。",
    "gap_draft": "已根据知识缺口起草条目，请补写回答和法律依据后保存。",
}


def _entry_context(session: DbSession, entry_id: str) -> dict[str, object]:
    """What the entry page shows: the entry, its latest revisions, feedback and publish checks."""
    record = service.get_record(session, entry_id)
    rating, comments = service.entry_feedback(session, entry_id)
    return {
        **_common(),
        "entry": record,
        "answer_html": render_markdown(record.answer),
        "revisions": service.list_revisions(session, entry_id)[:5],
        "rating": rating,
        "comments": comments,
        "publish_problems": service.publish_problems(service.to_entry(record)) if record.status == "draft" else [],
    }


@router.get("/staff/knowledge/{entry_id}")
def entry_page(
    entry_id: str, request: Request, user: SupervisorUser, session: DbSession, notice: str = ""
) -> Response:
    return render(
        request,
        "knowledge/staff_entry.html",
        {**_entry_context(session, entry_id), "notice": NOTICES.get(notice)},
    )


@router.get("/staff/knowledge/{entry_id}/edit")
def edit_entry_page(
    entry_id: str, request: Request, user: SupervisorUser, session: DbSession, notice: str = ""
) -> Response:
    record = service.get_record(session, entry_id)
    return _editor(request, form=EntryForm.of(service.to_entry(record)), record=record, notice=NOTICES.get(notice))


@router.post("/staff/knowledge/{entry_id}/edit")
def edit_entry_submit(
    entry_id: str,
    request: Request,
    user: SupervisorUser,
    session: DbSession,
    submitted: Submitted,
    version: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    record = service.get_record(session, entry_id)
    form = submitted.form(record.id, record.status)
    comment = submitted.comment
    try:
        entry = validate_entry_form(form)
        _, changed = service.update_entry(
            session, actor_of(request, user), entry_id, entry, expected_version=_int(version), comment=comment[:2000]
        )
    except FormErrors as problems:
        return _editor(request, form=form, record=record, errors=problems.errors,
                       error="请改正标出的问题，内容尚未保存。", comment=comment, status=422)
    except DomainError as problem:
        session.rollback()
        record = service.get_record(session, entry_id)
        return _editor(request, form=form, record=record, error=problem.message + "（内容尚未保存）",
                       comment=comment, status=problem.status_code)
    return RedirectResponse(f"/staff/knowledge/{entry_id}?notice={'saved' if changed else 'unchanged'}",
                            status_code=303)


@router.post("/staff/knowledge/{entry_id}/status")
def status_submit(
    entry_id: str,
    request: Request,
    user: SupervisorUser,
    session: DbSession,
    action: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=BIG)] = "",
    version: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        service.change_status(session, actor_of(request, user), entry_id, action,
                              expected_version=_int(version), comment=comment[:2000])
    except DomainError as problem:
        session.rollback()
        return _entry_error(request, session, entry_id, problem)
    return RedirectResponse(f"/staff/knowledge/{entry_id}?notice={action}", status_code=303)


def _entry_error(request: Request, session: DbSession, entry_id: str, problem: DomainError) -> Response:
    return render(
        request,
        "knowledge/staff_entry.html",
        {**_entry_context(session, entry_id), "error": problem.message},
        problem.status_code,
    )


# ---------------------------------------------------------------------------------------------- revisions


@router.get("/staff/knowledge/{entry_id}/revisions")
def revisions_page(entry_id: str, request: Request, user: SupervisorUser, session: DbSession) -> Response:
    record = service.get_record(session, entry_id)
    return render(
        request,
        "knowledge/staff_revisions.html",
        {**_common(), "entry": record, "revisions": service.list_revisions(session, entry_id)},
    )


@router.get("/staff/knowledge/{entry_id}/revisions/{number}")
def revision_page(
    entry_id: str, number: int, request: Request, user: SupervisorUser, session: DbSession, against: str = ""
) -> Response:
    record = service.get_record(session, entry_id)
    revision = service.get_revision(session, entry_id, number)
    base = _int(against)
    if base is not None and not 0 <= base <= record.version:  # 0: against a blank entry
        base = None
    diff = service.revision_diff(session, entry_id, number, base)
    return render(
        request,
        "knowledge/staff_revision.html",
        {
            **_common(),
            "entry": record,
            "revision": revision,
            "diff": diff,
            "against": base if base is not None else number - 1,
            "numbers": list(range(1, record.version + 1)),
        },
    )


@router.post("/staff/knowledge/{entry_id}/revisions/{number}/rollback")
def rollback_submit(
    entry_id: str,
    number: int,
    request: Request,
    user: SupervisorUser,
    session: DbSession,
    comment: Annotated[str, Form(max_length=BIG)] = "",
    version: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        service.rollback(session, actor_of(request, user), entry_id, number, expected_version=_int(version),
                         comment=comment[:2000])
    except DomainError as problem:
        session.rollback()
        return _entry_error(request, session, entry_id, problem)
    return RedirectResponse(f"/staff/knowledge/{entry_id}?notice=rollback", status_code=303)


# ---------------------------------------------------------------------------------------------- gaps


def _gaps_page(request: Request, session: DbSession, days: int, show_drafted: bool, status: int = 200,
               error: str | None = None) -> Response:
    gaps = service.list_gaps(session, days=days, include_drafted=show_drafted)
    questions = [GapQuestion(g.id, g.text, g.topic_guess) for g in gaps]
    by_id = {g.id: g for g in gaps}
    clusters = []
    for cluster in cluster_gaps(questions)[:60]:
        members = [by_id[i] for i in cluster.ids]
        clusters.append({
            "cluster": cluster,
            "topic_name": topic_name(cluster.topic_guess),
            "handoffs": sum(1 for g in members if g.action == "handoff"),
            "channels": sorted({g.channel for g in members}),
            "latest": max(g.created_at for g in members),
            "drafted": sorted({g.draft_entry_id for g in members if g.draft_entry_id}),
        })
    return render(
        request,
        "knowledge/staff_gaps.html",
        {**_common(), "clusters": clusters, "total": len(gaps), "days": days, "show_drafted": show_drafted,
         "error": error},
        status,
    )


@router.get("/staff/knowledge-gaps")
def gaps_page(request: Request, user: SupervisorUser, session: DbSession, days: str = "90",
              drafted: str = "") -> Response:
    span = _int(days) or 90
    return _gaps_page(request, session, max(1, min(span, 3650)), drafted in ("1", "on", "true"))


@router.post("/staff/knowledge-gaps/draft")
def draft_from_cluster(
    request: Request,
    user: SupervisorUser,
    session: DbSession,
    gap_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    ids = [i for i in (_int(v) for v in gap_ids or []) if i is not None]
    try:
        record = service.draft_from_gaps(session, actor_of(request, user), ids)
    except DomainError as problem:
        session.rollback()
        return _gaps_page(request, session, 90, False, problem.status_code, problem.message)
    return RedirectResponse(f"/staff/knowledge/{record.id}/edit?notice=gap_draft", status_code=303)
