"""Deadlines after a road accident (期限提醒): 复核, 调解, insurance claim and payment, limitation.

``compute_deadlines(accident_date, events, today=...)`` is pure (rules from ``data/deadlines.yaml``,
holidays from ``chinese_calendar``) and is reused by the case module for SMS reminders.

Counting, as the law says:

* ``working_days`` — 道路交通事故处理程序规定 第一百一十二条第五项: its 一日…十日 are working days,
  holidays excluded. Official holiday schedules (调休) come from ``chinese_calendar``; for years it does
  not know yet, Monday–Friday is used and the deadline is marked ``approximate``.
* ``days`` — calendar days; a period whose last day is a 法定休假日 ends on the next working day
  (《民法典》第二百零三条).
* ``years`` — the same date N years later, or the month's last day (《民法典》第二百零二条), then 203.
* The start day is not counted (《民法典》第二百零一条).
"""

from __future__ import annotations

import calendar as _calendar
import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, Literal

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from claimline.errors import ValidationFailed
from claimline.law.datafiles import load_yaml
from claimline.law.schemas import validation_failed_from

Unit = Literal["working_days", "days", "years"]
Kind = Literal["action", "expect", "limit", "milestone"]
Status = Literal["overdue", "due_today", "upcoming"]

KIND_LABELS: dict[str, str] = {
    "action": "您需要在此前办理",
    "expect": "对方应当在此前完成",
    "limit": "时效届满日",
    "milestone": "时间节点",
}
UNIT_LABELS: dict[str, str] = {"working_days": "个工作日", "days": "日", "years": "年"}


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    kind: Kind
    who: str
    due: date
    amount: int | None
    unit: Unit | None
    start_event: str
    start_label: str
    start_date: date
    article: str
    description: str
    note: str | None = None
    #: Calendar days from ``today`` to ``due`` (negative when overdue); None without ``today``.
    days_left: int | None = None
    status: Status | None = None
    #: True when a working-day count ran into a year whose holiday schedule is not known yet.
    approximate: bool = False

    @property
    def period_text(self) -> str:
        if self.amount is None or self.unit is None:
            return ""
        return f"{self.amount}{UNIT_LABELS[self.unit]}"

    @property
    def countdown_text(self) -> str:
        if self.days_left is None:
            return ""
        if self.days_left < 0:
            return f"已过期 {-self.days_left} 天"
        if self.days_left == 0:
            return "今天到期"
        return f"还剩 {self.days_left} 天"


class DeadlineRequest(BaseModel):
    """``POST /api/v1/deadlines`` body (also accepted by ``compute_deadlines_from``)."""

    model_config = ConfigDict(extra="forbid")

    accident_date: date
    events: dict[str, date] = Field(default_factory=dict)
    today: date | None = None

    @field_validator("events", mode="before")
    @classmethod
    def _events_as_mapping(cls, value: Any) -> Any:
        # Also accept [{"type": "certificate_received", "date": "2026-11-20"}, ...].
        if isinstance(value, list):
            out: dict[str, Any] = {}
            for row in value:
                if isinstance(row, Mapping) and "type" in row and "date" in row:
                    out[str(row["type"])] = row["date"]
                else:
                    return value
            return out
        return value


# --------------------------------------------------------------------------------------- calendars


@lru_cache(maxsize=8192)
def is_working_day(day: date) -> tuple[bool, bool]:
    """(is it a working day in mainland China, is that answer exact).

    Uses the State Council holiday schedule (including make-up working weekends) for the years
    ``chinese_calendar`` knows; otherwise Monday–Friday, marked inexact.
    """
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: date, n: int) -> tuple[date, bool]:
    """The n-th working day after ``start`` (start day not counted) and whether it is exact."""
    day, counted, exact = start, 0, True
    while counted < n:
        day += timedelta(days=1)
        working, known = is_working_day(day)
        exact = exact and known
        if working:
            counted += 1
    return day, exact


def roll_to_working_day(day: date) -> tuple[date, bool]:
    """《民法典》第二百零三条: a period ending on a 法定休假日 ends on the next working day."""
    exact = True
    while True:
        working, known = is_working_day(day)
        exact = exact and known
        if working:
            return day, exact
        day += timedelta(days=1)


def add_years(start: date, years: int) -> date:
    """Same month and day ``years`` later; the month's last day when there is no such day (2月29日)."""
    year = start.year + years
    last = _calendar.monthrange(year, start.month)[1]
    return date(year, start.month, min(start.day, last))


def _due(start: date, amount: int, unit: str) -> tuple[date, bool]:
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "days":
        return roll_to_working_day(start + timedelta(days=amount))
    if unit == "years":
        return roll_to_working_day(add_years(start, amount))
    raise ValueError(f"unknown unit {unit!r}")  # pragma: no cover - data error


# -------------------------------------------------------------------------------------------- rules


@cache
def _data() -> dict[str, Any]:
    return load_yaml("deadlines.yaml")  # type: ignore[no-any-return]


def event_labels() -> dict[str, str]:
    """Event code → Chinese label (for forms)."""
    return dict(_data()["events"])


EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def _check_plausible(day: date, field: str) -> None:
    """Dates far outside a person's life make no sense here (and would overflow date arithmetic)."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationFailed(
            f"日期应在 {EARLIEST_DATE.year} 年到 {LATEST_DATE.year} 年之间。", code="date_out_of_range", field=field
        )


def _validate_events(accident_date: date, events: Mapping[str, date]) -> dict[str, date]:
    labels = event_labels()
    out: dict[str, date] = {"accident": accident_date}
    for code, day in events.items():
        if code not in labels:
            raise ValidationFailed(
                f"不认识的事件“{code}”。可用的事件：{'、'.join(f'{k}（{v}）' for k, v in labels.items())}。",
                code="unknown_event",
                field=f"events.{code}",
            )
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValidationFailed("日期格式应为 YYYY-MM-DD。", code="invalid_input", field=f"events.{code}")
        _check_plausible(day, f"events.{code}")
        if code == "accident":
            if day != accident_date:
                raise ValidationFailed(
                    "events.accident 与事故日期不一致。", code="inconsistent_input", field="events.accident"
                )
            continue
        if day < accident_date:
            raise ValidationFailed(
                f"“{labels[code]}”的日期不能早于事故日期。", code="inconsistent_input", field=f"events.{code}"
            )
        out[code] = day
    order = [
        ("certificate_received", "review_submitted"),
        ("review_submitted", "review_conclusion_received"),
        ("claim_submitted", "insurer_agreement"),
    ]
    for first, then in order:
        if first in out and then in out and out[then] < out[first]:
            raise ValidationFailed(
                f"“{labels[then]}”不能早于“{labels[first]}”。", code="inconsistent_input", field=f"events.{then}"
            )
    return out


def compute_deadlines(
    accident_date: date,
    events: Mapping[str, date] | None = None,
    today: date | None = None,
    *,
    include_expected: bool = True,
) -> list[Deadline]:
    """Deadlines that follow from the accident date and the events known so far, soonest first.

    ``events`` maps event codes (see ``event_labels()``) to dates. With ``today`` every deadline gets
    ``days_left`` and ``status``. ``include_expected=False`` keeps only what the person must do
    (actions and limitation periods) — what SMS reminders need.
    """
    if not isinstance(accident_date, date) or isinstance(accident_date, datetime):
        raise ValidationFailed("事故日期格式应为 YYYY-MM-DD。", code="invalid_input", field="accident_date")
    _check_plausible(accident_date, "accident_date")
    if today is not None:
        _check_plausible(today, "today")
    known = _validate_events(accident_date, events or {})
    labels = event_labels()
    out: list[Deadline] = []
    for rule in _data()["rules"]:
        start_code = rule["from_event"]
        if start_code not in known:
            continue
        if any(skip in known for skip in rule.get("skip_if", [])):
            continue
        if not include_expected and rule["kind"] == "expect":
            continue
        start = known[start_code]
        due, exact = _due(start, int(rule["amount"]), rule["unit"])
        out.append(
            Deadline(
                code=rule["id"],
                name=rule["name"],
                kind=rule["kind"],
                who=rule["who"],
                due=due,
                amount=int(rule["amount"]),
                unit=rule["unit"],
                start_event=start_code,
                start_label=labels[start_code],
                start_date=start,
                article=rule["article"],
                description=rule["description"],
                note=_note(rule.get("note"), exact),
                approximate=not exact,
            )
        )
    if include_expected:
        for m in _data()["milestones"]:
            if m["from_event"] in known:
                out.append(
                    Deadline(
                        code=m["id"],
                        name=m["name"],
                        kind="milestone",
                        who="交警",
                        due=known[m["from_event"]],
                        amount=None,
                        unit=None,
                        start_event=m["from_event"],
                        start_label=labels[m["from_event"]],
                        start_date=known[m["from_event"]],
                        article=m["article"],
                        description=m["description"],
                    )
                )
    if today is not None:
        for d in out:
            d.days_left = (d.due - today).days
            d.status = "overdue" if d.days_left < 0 else "due_today" if d.days_left == 0 else "upcoming"
    out.sort(key=lambda d: (d.due, d.kind != "action", d.code))
    return out


def _note(note: str | None, exact: bool) -> str | None:
    if exact:
        return note
    extra = "该年度的法定节假日安排尚未收录，工作日按周一至周五估算，请以国务院公布的放假安排为准。"
    return f"{note} {extra}" if note else extra


def events_from_query(params: Mapping[str, str], *, ignore_unknown: bool = False) -> dict[str, date]:
    """Events given as query or form parameters (``certificate_received=2026-09-30``)."""
    labels = event_labels()
    events: dict[str, date] = {}
    for code, raw in params.items():
        raw = raw.strip()
        if code in ("accident", "accident_date", "today", "only_mine") or not raw:
            continue
        if code not in labels:
            if ignore_unknown:
                continue
            raise ValidationFailed(f"不认识的事件“{code}”。", code="unknown_event", field=code)
        try:
            events[code] = date.fromisoformat(raw)
        except ValueError:
            raise ValidationFailed(
                f"“{labels[code]}”的日期格式应为 YYYY-MM-DD。", code="invalid_input", field=code
            ) from None
    return events


def compute_deadlines_from(data: Mapping[str, Any] | DeadlineRequest) -> list[Deadline]:
    """Validate raw JSON (``DeadlineRequest``) and compute; ``ValidationFailed`` with a field path."""
    if isinstance(data, DeadlineRequest):
        req = data
    else:
        if not isinstance(data, Mapping):
            raise ValidationFailed("请求内容必须是一个 JSON 对象。", code="invalid_input")
        try:
            req = DeadlineRequest.model_validate(data)
        except ValidationError as exc:
            raise validation_failed_from(exc) from None
    return compute_deadlines(req.accident_date, req.events, req.today)


# ----------------------------------------------------------------------------------------------- ics


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace(
        "\n", "\\n"
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " " + ch, 1 + n, 75
        else:
            current += ch
            size += n
    out.append(current)
    return "\r\n".join(out)


def deadlines_to_ics(
    deadlines: Iterable[Deadline],
    *,
    calendar_name: str = "理赔热线 · 事故期限提醒",
    stamp: datetime | None = None,
) -> str:
    """An iCalendar (RFC 5545) file with one all-day event per deadline, CRLF line endings.

    Actions and limitation periods get a reminder one day before (and a week before for limits).
    """
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    dtstamp = stamp.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Claimline//理赔热线 期限提醒//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_escape(calendar_name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for d in deadlines:
        uid_seed = f"{d.code}|{d.start_event}|{d.start_date.isoformat()}|{d.due.isoformat()}"
        uid = hashlib.sha256(uid_seed.encode()).hexdigest()[:24]
        summary = f"{d.name}（{KIND_LABELS[d.kind]}）" if d.kind != "milestone" else d.name
        body = [d.description]
        if d.period_text:
            body.append(f"期限：自{d.start_label}（{d.start_date.isoformat()}）起{d.period_text}")
        body.append(f"依据：{d.article}")
        if d.note:
            body.append(f"说明：{d.note}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@claimline",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{d.due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(d.due + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{_ics_escape(summary)}",
            f"DESCRIPTION:{_ics_escape(chr(10).join(body))}",
            "TRANSP:TRANSPARENT",
        ]
        if d.kind in ("action", "limit"):
            triggers = ["-P1D"] + (["-P7D"] if d.kind == "limit" else [])
            for trigger in triggers:
                lines += [
                    "BEGIN:VALARM",
                    "ACTION:DISPLAY",
                    f"DESCRIPTION:{_ics_escape(d.name)}",
                    f"TRIGGER;RELATED=START:{trigger}",
                    "END:VALARM",
                ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
