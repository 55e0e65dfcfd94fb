"""The public self-service FAQ (no login): search, topics, entry pages, "was this helpful?"."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from claimline.auth.deps import DbSession, client_ip
from claimline.auth.service import SESSION_COOKIE, resolve_session
from claimline.config import get_settings
from claimline.errors import DomainError, NotFound
from claimline.knowledge import service
from claimline.knowledge.api import search_payload
from claimline.knowledge.entries import load_taxonomy, topic_ids, topic_name
from claimline.knowledge.rendering import citation_article, render_markdown, summary
from claimline.knowledge.schemas import MAX_FEEDBACK_COMMENT, MAX_QUESTION_CHARS
from claimline.users.models import StaffIdentity
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)

FEEDBACK_MESSAGES = {
    "thanks": "谢谢您的反馈！",
    "sorry": "谢谢您的反馈，我们会改进这条回答。需要进一步帮助请看下方的人工服务方式。",
}


def _recognise_staff(request: Request, session: DbSession) -> None:
    """Public pages need no login; a logged-in staff member still sees their own menu."""
    try:
        user, staff_session = resolve_session(session, request.cookies.get(SESSION_COOKIE))
    except DomainError:
        return
    request.state.user = StaffIdentity.of(user)
    request.state.csrf_token = staff_session.csrf_token


def _service_hours() -> str:
    settings = get_settings()
    return f"{settings.business_hours_start:%H:%M}–{settings.business_hours_end:%H:%M}"


def _topics(session: DbSession) -> list[dict[str, Any]]:
    counts = service.topic_counts(session)
    return [{"id": t.id, "name": t.name, "count": counts.get(t.id, 0)} for t in load_taxonomy()]


@router.get("/")
def faq_home(request: Request, session: DbSession, q: str = "", region: str = "") -> Response:
    _recognise_staff(request, session)
    question = q[:MAX_QUESTION_CHARS]
    search = None
    if question.strip():
        result = service.ask(session, question, region[:32] or None)
        service.record_gap(session, question, result, "faq", service.client_fingerprint(client_ip(request)))
        search = search_payload(result)
    return render(
        request,
        "knowledge/faq.html",
        {"q": question, "search": search, "topics": _topics(session), "service_hours": _service_hours()},
    )


@router.get("/kb/topics/{topic_id}")
def faq_topic(topic_id: str, request: Request, session: DbSession) -> Response:
    _recognise_staff(request, session)
    if topic_id not in topic_ids():
        raise NotFound("找不到该主题", code="topic_not_found", field="topic")
    entries = [
        {"id": r.id, "title": r.title, "summary": summary(r.answer)} for r in service.entries_of_topic(session, topic_id)
    ]
    return render(
        request,
        "knowledge/topic.html",
        {"topic": {"id": topic_id, "name": topic_name(topic_id)}, "entries": entries, "topics": _topics(session),
         "service_hours": _service_hours()},
    )


def _related(session: DbSession, record: Any, limit: int = 4) -> list[dict[str, str]]:
    """Entries the matcher finds for this entry's title, then entries of the same topic."""
    matcher = service.current_matcher(session)
    found = matcher.ask(record.title).results if len(matcher) else ()
    related: dict[str, str] = {}
    for item in found:
        if item.id != record.id and not item.id.startswith("emergency"):
            related.setdefault(item.id, item.title)
    if len(related) < limit:
        for other in service.entries_of_topic(session, record.topic):
            if other.id != record.id:
                related.setdefault(other.id, other.title)
            if len(related) >= limit:
                break
    return [{"id": k, "title": v} for k, v in list(related.items())[:limit]]


def _entry_page(
    request: Request, session: DbSession, entry_id: str, status: int = 200, **extra: Any
) -> Response:
    _recognise_staff(request, session)
    record = service.get_published(session, entry_id)
    basis = [{"citation": c, "article": citation_article(c)} for c in record.legal_basis or ()]
    return render(
        request,
        "knowledge/entry.html",
        {
            "entry": record,
            "topic": {"id": record.topic, "name": topic_name(record.topic)},
            "answer_html": render_markdown(record.answer),
            "legal_basis": basis,
            "related": _related(session, record),
            "service_hours": _service_hours(),
            **extra,
        },
        status,
    )


@router.get("/kb/{entry_id}")
def faq_entry(entry_id: str, request: Request, session: DbSession, feedback: str = "") -> Response:
    return _entry_page(request, session, entry_id, feedback_message=FEEDBACK_MESSAGES.get(feedback))


@router.post("/kb/{entry_id}/feedback")
def faq_feedback(
    entry_id: str,
    request: Request,
    session: DbSession,
    helpful: Annotated[str, Form(max_length=8)] = "",
    comment: Annotated[str, Form(max_length=MAX_FEEDBACK_COMMENT * 4)] = "",
) -> Response:
    """Form version of the feedback buttons (works without JavaScript); no login, rate-limited."""
    service.get_published(session, entry_id)
    if helpful not in ("yes", "no"):
        return _entry_page(request, session, entry_id, 422, feedback_error="请选择“有帮助”或“没帮助”")
    try:
        service.record_feedback(
            session, entry_id, helpful == "yes", comment[:MAX_FEEDBACK_COMMENT],
            service.client_fingerprint(client_ip(request)),
        )
    except DomainError as error:
        session.rollback()
        return _entry_page(request, session, entry_id, error.status_code, feedback_error=error.message)
    target = f"/kb/{entry_id}?feedback={'thanks' if helpful == 'yes' else 'sorry'}#feedback"
    return RedirectResponse(target, status_code=303)
