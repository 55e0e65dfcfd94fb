"""The one API error shape: ``{"error": {"code": "...", "message": "中文说明", "field": "..."}}``.

API paths (``/api/...``) always get JSON. Pages get a Chinese error page, and a login redirect
when the session is missing or expired.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimline.errors import AuthenticationRequired, DomainError

log = structlog.get_logger()

HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("authentication_required", "请先登录"),
    403: ("permission_denied", "没有权限执行此操作"),
    404: ("not_found", "找不到该页面或资源"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的内容不符合要求"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后重试；如持续出现请联系管理员"),
}

VALIDATION_MESSAGES = {
    "missing": "此项为必填项",
    "json_invalid": "请求内容不是有效的 JSON",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "too_long": "条目过多",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为是或否（true/false）",
    "bool_type": "应为是或否（true/false）",
    "string_type": "应为文本",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式不正确",
    "extra_forbidden": "不允许的字段",
    "value_error": "取值不正确",
    "finite_number": "应为有限数字",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str, field: str | None) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(code, message, field), status_code=status)
    from claimline.web.templating import render

    return render(
        request, "error.html", {"status": status, "code": code, "message": message, "field": field}, status
    )


def _field_of(location: tuple[Any, ...]) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def handle_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    if isinstance(error, AuthenticationRequired) and not wants_json(request):
        target = quote(str(request.url.path))
        return RedirectResponse(f"/login?next={target}&reason={error.code}", status_code=303)
    return error_response(request, error.status_code, error.code, error.message, error.field)


async def handle_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    first = problems[0] if problems else {"type": "value_error", "loc": ()}
    kind = str(first.get("type", "value_error"))
    field = _field_of(tuple(first.get("loc", ())))
    message = VALIDATION_MESSAGES.get(kind, "提交的内容不符合要求")
    context = first.get("ctx")
    context = context if isinstance(context, dict) else {}
    if kind == "value_error" and isinstance(context.get("error"), Exception):
        text = str(context["error"])
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            message = text
    if kind == "json_invalid":
        field = None
    elif field:
        message = f"{field}：{message}"
    return error_response(request, 422, "json_invalid" if kind == "json_invalid" else "validation_error",
                          message, field)


async def handle_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    if status == 400 and _caused_by_body_limit(error):  # a chunked body ran over the limit while read
        status = 413
    code, message = HTTP_MESSAGES.get(status, ("http_error", "请求无法处理"))
    return error_response(request, status, code, message, None)


def _caused_by_body_limit(error: BaseException) -> bool:
    from claimline.web.middleware import BodyTooLarge

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, BodyTooLarge):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


async def handle_out_of_range(request: Request, error: Exception) -> Response:
    """Numbers or dates too large for the database or for date arithmetic (an id of 10**20,
    a date in year 9999): bad input, not a server fault. Nothing was stored (the transaction
    rolled back)."""
    log.info("out_of_range_input", path=request.url.path, error_type=type(error).__name__)
    return error_response(request, 422, "out_of_range", "数值或日期超出允许范围", None)


async def handle_integrity_error(request: Request, error: Exception) -> Response:
    """Two people changed the same record at once; the loser's change was rolled back."""
    log.info("integrity_conflict", path=request.url.path)
    return error_response(request, 409, "conflict", "数据刚被他人修改，请刷新后重试", None)


async def handle_unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path, error_type=type(error).__name__)
    code, message = HTTP_MESSAGES[500]
    return error_response(request, 500, code, message, None)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(OverflowError, handle_out_of_range)
    app.add_exception_handler(DataError, handle_out_of_range)  # PostgreSQL: integer out of range
    app.add_exception_handler(IntegrityError, handle_integrity_error)
    app.add_exception_handler(Exception, handle_unexpected_error)
