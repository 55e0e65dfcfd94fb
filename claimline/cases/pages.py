from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from claimline.auth.deps import AgentUser, DbSession, actor_of
from claimline.cases.schemas import CallerIn
from claimline.cases.service import create_caller, find_callers, present_caller, update_caller, view_caller
from claimline.errors import DomainError
from claimline.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/staff/callers")
def callers_page(request: Request, user: AgentUser, session: DbSession, q: str = Query(default="", max_length=64)) -> Response:
    error = None
    try:
        callers = [present_caller(c) for c in find_callers(session, actor_of(request, user), q)]
    except DomainError as problem:
        callers, error = [], problem
    return render(request, "callers/list.html", {"callers": callers, "q": q, "search_error": error, "form": {}})


def _caller_form(
    name: str, phone: str, id_number: str, plate: str, region: str, notes: str
) -> CallerIn:
    return CallerIn(name=name, phone=phone, id_number=id_number, plate=plate, region=region, notes=notes)


@router.post("/staff/callers")
def callers_create_submit(
    request: Request,
    user: AgentUser,
    session: DbSession,
    name: Annotated[str, Form(max_length=64)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    id_number: Annotated[str, Form(max_length=32)] = "",
    plate: Annotated[str, Form(max_length=16)] = "",
    region: Annotated[str, Form(max_length=32)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    data = _caller_form(name, phone, id_number, plate, region, notes)
    try:
        caller = create_caller(session, actor_of(request, user), data)
    except DomainError as error:
        session.rollback()
        return render(request, "callers/list.html",
                      {"callers": [], "q": "", "form": data.model_dump(), "error": error}, 422)
    return RedirectResponse(f"/staff/callers/{caller.id}", status_code=303)


@router.get("/staff/callers/{caller_id}")
def caller_detail(caller_id: int, request: Request, user: AgentUser, session: DbSession) -> Response:
    caller = view_caller(session, actor_of(request, user), caller_id)
    return render(request, "callers/detail.html", {"caller": caller})


@router.post("/staff/callers/{caller_id}/reveal")
def caller_reveal(caller_id: int, request: Request, user: AgentUser, session: DbSession) -> Response:
    caller = view_caller(session, actor_of(request, user), caller_id, reveal=True)
    return render(request, "callers/detail.html", {"caller": caller})


@router.post("/staff/callers/{caller_id}")
def caller_update_submit(
    caller_id: int,
    request: Request,
    user: AgentUser,
    session: DbSession,
    name: Annotated[str, Form(max_length=64)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    id_number: Annotated[str, Form(max_length=32)] = "",
    plate: Annotated[str, Form(max_length=16)] = "",
    region: Annotated[str, Form(max_length=32)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    data = _caller_form(name, phone, id_number, plate, region, notes)
    try:
        update_caller(session, actor_of(request, user), caller_id, data)
    except DomainError as error:
        session.rollback()
        caller = view_caller(session, actor_of(request, user), caller_id, reveal=True)
        return render(request, "callers/detail.html", {"caller": caller, "error": error, "editing": True}, 422)
    return RedirectResponse(f"/staff/callers/{caller_id}", status_code=303)
