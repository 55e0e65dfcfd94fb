from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from claimline.audit.api import audit_filter
from claimline.audit.service import ACTION_LABELS, RECORD_TYPE_LABELS, search_audit
from claimline.auth.deps import AdminUser, DbSession
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/staff/audit")
def audit_page(
    request: Request,
    user: AdminUser,
    session: DbSession,
    actor: str = Query(default="", max_length=64),
    action: str = Query(default="", max_length=32),
    record_type: str = Query(default="", max_length=32),
    record_id: str = Query(default="", max_length=64),
    since: date | None = None,
    until: date | None = None,
    page: int = Query(default=1, ge=1, le=100000),
) -> Response:
    filters = audit_filter(actor, action, record_type, record_id, since, until)
    rows, total = search_audit(session, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    query = {"actor": actor, "action": action, "record_type": record_type, "record_id": record_id,
             "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    return render(request, "audit/list.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "query": query, "action_labels": ACTION_LABELS, "record_type_labels": RECORD_TYPE_LABELS,
    })
