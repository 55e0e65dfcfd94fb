"""Time helpers: store aware UTC, show Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from claimline.config import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def today_local() -> date:
    """Today's date where the hotline is (Asia/Shanghai by default), not the server's."""
    return datetime.now(ZoneInfo(get_settings().display_timezone)).date()


def to_display(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(ZoneInfo(get_settings().display_timezone))
    return local.strftime("%Y-%m-%d %H:%M:%S")
