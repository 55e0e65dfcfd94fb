from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from claimline.audit.models import AuditRecord
from claimline.db import get_engine, session_scope
from claimline.errors import ValidationFailed
from claimline.privacy.keyring import get_keyring, sealed_key_id
from claimline.privacy.masking import mask_id_number, mask_phone, mask_plate, mask_text
from claimline.privacy.rotation import rotate_keys
from claimline.privacy.validators import (
    id_number_check_char,
    normalise_id_number,
    normalise_mobile,
    normalise_plate,
)


def test_masks_match_the_house_style() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("440106199001011234") == "4401**********1234"
    assert mask_plate("粤B12345") == "粤B·***45"
    masked = mask_text("电话13812345678，身份证11010519491231002X，车牌粤B12345")
    assert "13812345678" not in masked and "11010519491231002X" not in masked and "粤B12345" not in masked


@pytest.mark.parametrize("raw", ["13812345678", "+86 138-1234-5678", "008613812345678"])
def test_mobile_numbers_are_normalised(raw: str) -> None:
    assert normalise_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc", "", "023-12345678"])
def test_bad_mobile_numbers_are_refused_in_chinese(raw: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        normalise_mobile(raw)
    assert error.value.field == "phone" and "手机号" in error.value.message


def test_id_number_check_digit_and_birth_date() -> None:
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationFailed, match="校验位"):
        normalise_id_number("110105194912310021")
    with pytest.raises(ValidationFailed, match="出生日期"):
        normalise_id_number("110105194902300023")  # 2月30日
    with pytest.raises(ValidationFailed, match="18 位"):
        normalise_id_number("1101051949")


@given(st.from_regex(r"\A[1-6]\d{5}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}\Z"))
def test_any_id_with_its_check_digit_is_accepted(first17: str) -> None:
    full = first17 + id_number_check_char(first17)
    assert normalise_id_number(full) == full


@pytest.mark.parametrize("raw", ["粤B12345", "粤b·12345", "京AD12345", "沪A12345F", "粤B1234学"])
def test_plates_including_new_energy(raw: str) -> None:
    assert normalise_plate(raw)


@pytest.mark.parametrize("raw", ["B12345", "粤12345", "粤BI2345", "粤B123", "ABCDEFG"])
def test_bad_plates_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed, match="车牌号"):
        normalise_plate(raw)


def _create_caller(client) -> int:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/callers", json={
        "name": "张三", "phone": "13812345678", "id_number": "11010519491231002X", "plate": "粤B12345",
        "notes": "对方电话 139 1234 5678，车牌粤b54321"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_personal_data_is_encrypted_at_rest_and_masked(client, login_as) -> None:
    login_as("agent")
    caller_id = _create_caller(client)
    with get_engine().connect() as connection:
        raw = connection.execute(text("SELECT name, phone, id_number, plate, notes FROM callers")).one()
    for value, plain in zip(raw, ["张三", "13812345678", "11010519491231002X", "粤B12345", "对方电话"], strict=True):
        assert plain not in value and value.startswith("v1:")
    shown = client.get(f"/api/v1/callers/{caller_id}").json()
    assert shown["phone"] == "138****5678" and shown["plate"] == "粤B·***45" and shown["name"] == "张*"
    assert "1234 5678" not in shown["notes"] and "54321" not in shown["notes"] and "对方电话" in shown["notes"]
    page = client.get(f"/staff/callers/{caller_id}").text
    assert "13812345678" not in page and "138****5678" in page


def test_caller_lookup_by_phone_uses_blind_index_and_is_audited(client, login_as) -> None:
    login_as("agent")
    caller_id = _create_caller(client)
    found = client.get("/api/v1/callers", params={"q": "138 1234 5678"}).json()
    assert [c["id"] for c in found] == [caller_id]
    assert client.get("/api/v1/callers", params={"q": "13900000000"}).json() == []
    assert client.get(f"/api/v1/callers/{caller_id}").json()["phone"] == "138****5678"
    revealed = client.get(f"/api/v1/callers/{caller_id}", params={"reveal": True}).json()
    assert revealed["phone"] == "13812345678"
    with session_scope() as session:
        actions = session.scalars(select(AuditRecord.action).where(AuditRecord.record_type == "caller")).all()
    assert {"create", "search", "view", "reveal"} <= set(actions)


def test_invalid_personal_data_changes_nothing(client, login_as) -> None:
    login_as("agent")
    response = client.post("/api/v1/callers", json={"name": "李四", "phone": "13812345678",
                                                    "id_number": "110105194912310021"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "id_number"
    with get_engine().connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM callers")).scalar() == 0


def test_audit_records_cannot_be_changed(client, login_as) -> None:
    login_as("agent")
    _create_caller(client)
    with pytest.raises(RuntimeError), session_scope() as session:
        record = session.scalars(select(AuditRecord)).first()
        assert record is not None
        record.detail = "tampered"
        session.flush()


def test_key_rotation_reseals_everything_and_data_stays_readable(client, login_as, monkeypatch) -> None:
    monkeypatch.setattr("claimline.privacy.rotation.time.sleep", lambda _s: None)
    login_as("agent")
    caller_id = _create_caller(client)
    old_key = get_keyring().active_key_id
    report = rotate_keys(get_engine())
    assert report.new_key_id != old_key and report.resealed == 5  # name, phone, ID, plate, notes
    with get_engine().connect() as connection:
        raw = connection.execute(text("SELECT phone FROM callers")).scalar_one()
    assert sealed_key_id(raw) == report.new_key_id
    revealed = client.get(f"/api/v1/callers/{caller_id}", params={"reveal": True}).json()
    assert revealed["id_number"] == "11010519491231002X"
    assert [c["id"] for c in client.get("/api/v1/callers", params={"q": "粤B12345"}).json()] == [caller_id]


def test_logs_mask_personal_data_in_nested_values_tracebacks_and_request_lines(capsys) -> None:
    import logging

    import structlog

    from claimline.logging import MaskRequestLine, configure_logging

    configure_logging("INFO")
    log = structlog.get_logger()
    try:
        raise ValueError("caller 138 1234 5678 id 440106199001011234")
    except ValueError:
        log.exception("boom", data={"phone": "13812345678", "plates": ["粤b12345"]})
    output = capsys.readouterr().out
    for secret in ("1234 5678", "13812345678", "440106199001011234", "粤b12345"):
        assert secret not in output
    assert "138****5678" in output
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s"', (
        "127.0.0.1", "GET", "/staff/callers?q=13812345678&p=%E7%B2%A4B12345"), None)
    MaskRequestLine().filter(record)
    assert "13812345678" not in record.getMessage() and "粤B12345" not in record.getMessage()


def test_masking_catches_the_spellings_people_type() -> None:
    for raw in ("138 1234 5678", "138-1234-5678", "+86 138 1234 5678"):
        assert mask_text(raw) == "138****5678"
    assert mask_text("粤b12345") == "粤b·***45"
    assert "12345" not in mask_text("粤 B12345")
