"""Structured logs (structlog); personal data is masked before anything is written.

Masked: every string in an event (nested dicts and lists too, exception text included) and the
request line of uvicorn's access log (search boxes put numbers into URLs).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote

import structlog

from claimline.privacy.masking import mask_text


def masked(value: Any) -> Any:
    """``value`` with phone numbers, ID numbers and plates masked in every string inside it."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return type(value)(masked(item) for item in value)
    return value


def _mask_event(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        event[key] = masked(value)
    return event


class MaskRequestLine(logging.Filter):
    """uvicorn.access records carry the path with its query string (?q=13812345678)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(unquote(a)) if isinstance(a, str) else a for a in record.args)
        return True


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", level=getattr(logging, level.upper(), logging.INFO))
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskRequestLine) for f in access.filters):
        access.addFilter(MaskRequestLine())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,  # first render the traceback, then mask it too
            _mask_event,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.INFO)),
        cache_logger_on_first_use=True,
    )
