from __future__ import annotations

from fastapi import APIRouter, Query, Request

from claimline.auth.deps import AgentUser, DbSession, actor_of
from claimline.cases.schemas import CallerIn, CallerOut
from claimline.cases.service import create_caller, find_callers, present_caller, update_caller, view_caller

router = APIRouter(prefix="/callers", tags=["来电人"])


@router.get("", summary="按手机号、身份证号或车牌号查找来电人（脱敏显示）")
def callers_search(
    request: Request, user: AgentUser, session: DbSession, q: str = Query(default="", max_length=64)
) -> list[CallerOut]:
    return [present_caller(c) for c in find_callers(session, actor_of(request, user), q)]


@router.post("", status_code=201, summary="新建来电人")
def callers_create(body: CallerIn, request: Request, user: AgentUser, session: DbSession) -> CallerOut:
    return present_caller(create_caller(session, actor_of(request, user), body))


@router.get("/{caller_id}", summary="查看来电人（脱敏；reveal=true 显示明文并记录审计）")
def callers_view(caller_id: int, request: Request, user: AgentUser, session: DbSession, reveal: bool = False) -> CallerOut:
    return view_caller(session, actor_of(request, user), caller_id, reveal=reveal)


@router.put("/{caller_id}", summary="修改来电人")
def callers_update(caller_id: int, body: CallerIn, request: Request, user: AgentUser, session: DbSession) -> CallerOut:
    return present_caller(update_caller(session, actor_of(request, user), caller_id, body))
