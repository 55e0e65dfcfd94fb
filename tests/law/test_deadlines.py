"""Deadlines: working days with the official holiday schedule, calendar days, years, countdown, .ics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from claimline.errors import ValidationFailed
from claimline.law.deadlines import (
    add_working_days,
    add_years,
    compute_deadlines,
    compute_deadlines_from,
    deadlines_to_ics,
    roll_to_working_day,
)


def by_code(items):  # type: ignore[no-untyped-def]
    return {d.code: d for d in items}


def test_review_deadline_skips_national_day_holiday_and_counts_makeup_saturday() -> None:
    # 2026 National Day: 10-01 … 10-07 off, Saturday 10-10 is a make-up working day.
    # 认定书 received Wed 09-30 → working days 10-08 (1), 10-09 (2), 10-10 (3).
    ds = by_code(compute_deadlines(date(2026, 9, 28), {"certificate_received": date(2026, 9, 30)}))
    review = ds["review_application"]
    assert review.due == date(2026, 10, 10)
    assert review.unit == "working_days" and review.amount == 3
    assert review.article == "《道路交通事故处理程序规定》第七十一条"
    assert review.kind == "action" and not review.approximate
    # 10 working days: 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20.
    assert ds["police_mediation_application"].due == date(2026, 10, 20)


def test_review_over_a_plain_weekend() -> None:
    # Received Friday 2026-11-20 → Mon 23, Tue 24, Wed 25.
    ds = by_code(compute_deadlines(date(2026, 11, 18), {"certificate_received": date(2026, 11, 20)}))
    assert ds["review_application"].due == date(2026, 11, 25)


def test_expected_certificate_until_the_certificate_arrives() -> None:
    # 10 working days from the accident (Mon 2026-11-02): 3,4,5,6,9,10,11,12,13,16 → 11-16.
    ds = by_code(compute_deadlines(date(2026, 11, 2)))
    assert ds["certificate_expected"].due == date(2026, 11, 16)
    assert ds["certificate_expected"].kind == "expect"
    ds = by_code(compute_deadlines(date(2026, 11, 2), {"certificate_received": date(2026, 11, 10)}))
    assert "certificate_expected" not in ds


def test_appraisal_reappraisal_and_certificate_after_it() -> None:
    # Appraisal served Thu 2026-11-05: re-appraisal request within 3 working days → Tue 11-10;
    # certificate within 3 + 5 = 8 working days → 6,9,10,11,12,13,16,17 → 11-17.
    ds = by_code(compute_deadlines(date(2026, 11, 1), {"appraisal_received": date(2026, 11, 5)}))
    assert ds["reappraisal_request"].due == date(2026, 11, 10)
    assert ds["certificate_after_appraisal"].due == date(2026, 11, 17)
    assert "certificate_expected" not in ds


def test_insurance_calendar_days_end_on_a_working_day() -> None:
    # Claim documents Fri 2026-11-20: 交强险 notice 1 day → Sat 21 → Mon 23 (《民法典》第二百零三条);
    # 交强险 decision 5 days → Wed 25; complex case 30 days → Sun 12-20 → Mon 12-21.
    ds = by_code(compute_deadlines(date(2026, 11, 1), {"claim_submitted": date(2026, 11, 20)}))
    assert ds["jqx_document_notice"].due == date(2026, 11, 23)
    assert ds["jqx_decision"].due == date(2026, 11, 25)
    assert ds["insurance_decision"].due == date(2026, 12, 21)
    assert ds["insurance_decision"].article == "《保险法》第二十三条"
    # Agreement Mon 2026-11-30 → pay within 10 days → Thu 12-10.
    ds = by_code(
        compute_deadlines(
            date(2026, 11, 1), {"claim_submitted": date(2026, 11, 20), "insurer_agreement": date(2026, 11, 30)}
        )
    )
    assert ds["insurance_payment"].due == date(2026, 12, 10)


def test_limitation_periods_in_years() -> None:
    ds = by_code(compute_deadlines(date(2026, 3, 10)))
    civil = ds["civil_limitation"]
    assert civil.due == date(2029, 3, 12)  # 2029-03-10 is a Saturday → next working day (Monday)
    assert civil.article == "《民法典》第一百八十八条"
    assert civil.kind == "limit"
    assert ds["insurance_claim_limitation"].due == date(2028, 3, 10)  # Friday
    assert ds["insurance_claim_limitation"].article == "《保险法》第二十六条"
    assert "中断" in (civil.note or "")


def test_add_years_and_leap_day() -> None:
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2026, 1, 31), 2) == date(2028, 1, 31)


def test_unknown_holiday_years_fall_back_to_weekdays_and_say_so() -> None:
    day, exact = add_working_days(date(2030, 1, 4), 3)  # Fri → Mon 7, Tue 8, Wed 9
    assert day == date(2030, 1, 9) and not exact
    assert roll_to_working_day(date(2030, 1, 5)) == (date(2030, 1, 7), False)
    ds = by_code(compute_deadlines(date(2029, 12, 28), {"certificate_received": date(2030, 1, 4)}))
    assert ds["review_application"].approximate
    assert "放假安排" in (ds["review_application"].note or "")


def test_countdown_relative_to_today_and_sorting() -> None:
    items = compute_deadlines(date(2026, 9, 28), {"certificate_received": date(2026, 9, 30)}, today=date(2026, 10, 9))
    ds = by_code(items)
    assert ds["review_application"].days_left == 1
    assert ds["review_application"].status == "upcoming"
    assert ds["review_application"].countdown_text == "还剩 1 天"
    assert [d.due for d in items] == sorted(d.due for d in items)
    late = by_code(
        compute_deadlines(date(2026, 9, 28), {"certificate_received": date(2026, 9, 30)}, today=date(2026, 10, 12))
    )
    assert late["review_application"].status == "overdue" and late["review_application"].days_left == -2
    assert late["review_application"].countdown_text == "已过期 2 天"
    today = by_code(
        compute_deadlines(date(2026, 9, 28), {"certificate_received": date(2026, 9, 30)}, today=date(2026, 10, 10))
    )
    assert today["review_application"].status == "due_today"


def test_only_what_the_person_must_do_for_sms() -> None:
    items = compute_deadlines(
        date(2026, 11, 2), {"certificate_received": date(2026, 11, 10), "claim_submitted": date(2026, 11, 12)},
        include_expected=False,
    )
    assert items and all(d.kind in ("action", "limit") for d in items)


def test_milestones_for_discharge_and_disability_appraisal() -> None:
    ds = by_code(
        compute_deadlines(
            date(2026, 6, 1), {"discharge": date(2026, 7, 1), "disability_appraisal": date(2026, 9, 1)}
        )
    )
    assert ds["mediation_start_injury"].due == date(2026, 7, 1)
    assert ds["mediation_start_disability"].kind == "milestone"
    assert "第九十条" in ds["mediation_start_disability"].article


@pytest.mark.parametrize(
    ("events", "field"),
    [
        ({"certificate_received": date(2026, 1, 1)}, "events.certificate_received"),
        ({"alien_landing": date(2026, 6, 1)}, "events.alien_landing"),
        (
            {"claim_submitted": date(2026, 6, 10), "insurer_agreement": date(2026, 6, 5)},
            "events.insurer_agreement",
        ),
    ],
)
def test_bad_events(events: dict[str, date], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        compute_deadlines(date(2026, 3, 1), events)
    assert caught.value.field == field


def test_raw_request_parsing() -> None:
    items = compute_deadlines_from(
        {"accident_date": "2026-09-28", "events": [{"type": "certificate_received", "date": "2026-09-30"}],
         "today": "2026-10-08"}
    )
    assert by_code(items)["review_application"].days_left == 2
    with pytest.raises(ValidationFailed) as caught:
        compute_deadlines_from({"accident_date": "28/09/2026"})
    assert caught.value.field == "accident_date"


def test_ics_export_is_valid_rfc5545() -> None:
    items = compute_deadlines(date(2026, 9, 28), {"certificate_received": date(2026, 9, 30)})
    ics = deadlines_to_ics(items, stamp=datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")  # only CRLF line breaks
    for line in ics.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = ics.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == len(items)
    assert "DTSTART;VALUE=DATE:20261010" in unfolded
    assert "DTEND;VALUE=DATE:20261011" in unfolded
    assert "SUMMARY:申请复核（对事故认定有异议）（您需要在此前办理）" in unfolded
    assert "DTSTAMP:20261001T080000Z" in unfolded
    assert "《道路交通事故处理程序规定》第七十一条" in unfolded
    assert "TRIGGER;RELATED=START:-P1D" in unfolded
    uids = [line for line in unfolded.split("\r\n") if line.startswith("UID:")]
    assert len(uids) == len(set(uids)) == len(items)


def test_ics_text_escaping() -> None:
    from claimline.law.deadlines import _ics_escape

    assert _ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
