"""Knowledge API: ask (every channel), the FAQ's instant search and public feedback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from claimline.auth.deps import DbSession, client_ip
from claimline.knowledge import service
from claimline.knowledge.entries import topic_name
from claimline.knowledge.matcher import AskResult
from claimline.knowledge.rendering import summary
from claimline.knowledge.schemas import (
    MAX_QUESTION_CHARS,
    MAX_REGION_CHARS,
    AskRequest,
    AskResponse,
    FeedbackRequest,
    FeedbackResponse,
    SearchResponse,
)

router = APIRouter(tags=["知识库与智能匹配"])


@router.post("/ask", response_model=AskResponse, summary="提问：直接回答、澄清或转人工")
def ask_question(body: AskRequest, request: Request, session: DbSession) -> dict[str, Any]:
    """Answers from the published entries; clarify/hand-off questions are kept as knowledge gaps."""
    result = service.ask(session, body.question, body.region)
    service.record_gap(session, body.question, result, "api", service.client_fingerprint(client_ip(request)))
    return result.to_dict()


# What the FAQ page says when it hands off (a web page cannot transfer the person itself).
FAQ_HANDOFF_TEXTS = {
    "emergency": "有人受伤或有危险时，请立即拨打120急救、122（或110）报警，车辆起火拨打119。",
    "human_requested": "需要人工解答？请通过以下方式联系我们：",
    "not_chinese": "我们暂时只能处理中文问题。需要帮助请通过以下方式联系人工：",
    "": "这个问题需要工作人员了解具体情况后解答，请通过以下方式联系人工：",
}


def _faq_message(result: AskResult) -> str:
    if result.action == "handoff":
        return FAQ_HANDOFF_TEXTS.get(result.reason, FAQ_HANDOFF_TEXTS[""])
    return result.message if result.action == "clarify" else ""


def search_payload(result: AskResult | None) -> dict[str, Any]:
    """The FAQ's view of a matcher result (entry summaries and links instead of full answers)."""
    if result is None:
        return {"action": "empty", "topic": "", "topic_name": "", "confidence": 0.0, "message": "", "choices": [],
                "results": []}
    return {
        "action": result.action,
        "topic": result.topic,
        "topic_name": topic_name(result.topic),
        "confidence": result.confidence,
        "message": _faq_message(result),
        "choices": [
            {"topic": c.topic, "topic_name": c.topic_name, "entry_id": c.entry_id, "title": c.title,
             "url": f"/kb/{c.entry_id}"}
            for c in result.choices
        ],
        "results": [
            {"id": r.id, "title": r.title, "topic": r.topic, "topic_name": topic_name(r.topic), "score": r.score,
             "summary": summary(r.answer), "url": f"/kb/{r.id}"}
            for r in result.results
            if not r.id.startswith("emergency")
        ],
    }


@router.get("/knowledge/search", response_model=SearchResponse, summary="常见问题即时搜索（不记录知识缺口）")
def search(
    session: DbSession,
    q: Annotated[str, Query(max_length=MAX_QUESTION_CHARS, description="问题")] = "",
    region: Annotated[str | None, Query(max_length=MAX_REGION_CHARS)] = None,
) -> dict[str, Any]:
    if not q.strip():
        return search_payload(None)
    return search_payload(service.ask(session, q, region or None))


@router.post(
    "/knowledge/entries/{entry_id}/feedback",
    response_model=FeedbackResponse,
    status_code=201,
    summary="这条回答有帮助吗？（公开，按来源限制频率）",
)
def feedback(entry_id: str, body: FeedbackRequest, request: Request, session: DbSession) -> dict[str, Any]:
    stored = service.record_feedback(
        session, entry_id, body.helpful, body.comment, service.client_fingerprint(client_ip(request))
    )
    return {"entry_id": stored.entry_id, "helpful": stored.helpful, "message": "谢谢您的反馈！"}
