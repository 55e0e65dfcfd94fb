from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimline.audit.service import Actor, record_audit
from claimline.cases.models import Caller
from claimline.cases.schemas import CallerIn, CallerOut
from claimline.errors import NotFound, ValidationFailed
from claimline.privacy.fields import blind_index
from claimline.privacy.masking import mask_id_number, mask_name, mask_phone, mask_plate, mask_text
from claimline.privacy.validators import normalise_id_number, normalise_mobile, normalise_plate


def _clean(data: CallerIn) -> CallerIn:
    name = (data.name or "").strip() or None
    phone = normalise_mobile(data.phone) if data.phone and data.phone.strip() else None
    id_number = normalise_id_number(data.id_number) if data.id_number and data.id_number.strip() else None
    plate = normalise_plate(data.plate) if data.plate and data.plate.strip() else None
    if not (name or phone):
        raise ValidationFailed("请至少填写姓名或手机号", code="caller_identity_required", field="phone")
    return CallerIn(
        name=name, phone=phone, id_number=id_number, plate=plate, region=data.region, notes=data.notes.strip()
    )


def _apply(caller: Caller, data: CallerIn) -> None:
    caller.name = data.name
    caller.phone = data.phone
    caller.phone_index = blind_index(data.phone, "caller.phone") if data.phone else None
    caller.id_number = data.id_number
    caller.id_number_index = blind_index(data.id_number, "caller.id_number") if data.id_number else None
    caller.plate = data.plate
    caller.plate_index = blind_index(data.plate, "caller.plate") if data.plate else None
    caller.region = (data.region or "").strip() or None
    caller.notes = data.notes


def create_caller(session: Session, actor: Actor, data: CallerIn) -> Caller:
    clean = _clean(data)
    caller = Caller(created_by=actor.user_id)
    _apply(caller, clean)
    session.add(caller)
    session.flush()
    record_audit(session, actor, "create", "caller", caller.id, "新建来电人")
    return caller


def update_caller(session: Session, actor: Actor, caller_id: int, data: CallerIn) -> Caller:
    caller = get_caller(session, caller_id)
    clean = _clean(data)
    changed = [
        label
        for label, old, new in (
            ("姓名", caller.name, clean.name),
            ("手机号", caller.phone, clean.phone),
            ("身份证号", caller.id_number, clean.id_number),
            ("车牌号", caller.plate, clean.plate),
            ("地区", caller.region, clean.region),
            ("备注", caller.notes, clean.notes),
        )
        if (old or None) != (new or None)
    ]
    _apply(caller, clean)
    session.flush()
    record_audit(session, actor, "update", "caller", caller.id, "修改：" + ("、".join(changed) or "无变化"))
    return caller


def get_caller(session: Session, caller_id: int) -> Caller:
    caller = session.get(Caller, caller_id)
    if caller is None:
        raise NotFound("找不到该来电人", code="caller_not_found", field="caller_id")
    return caller


def find_callers(session: Session, actor: Actor, query: str) -> list[Caller]:
    """Exact look-up by phone, 身份证号 or plate through the blind indexes (no decryption)."""
    query = query.strip()
    if not query:
        return list(session.scalars(select(Caller).order_by(Caller.id.desc()).limit(50)).all())
    conditions = []
    for normalise, column, context in (
        (normalise_mobile, Caller.phone_index, "caller.phone"),
        (normalise_id_number, Caller.id_number_index, "caller.id_number"),
        (normalise_plate, Caller.plate_index, "caller.plate"),
    ):
        try:
            conditions.append(column == blind_index(normalise(query), context))
        except ValidationFailed:
            continue
    if not conditions:
        raise ValidationFailed(
            "请输入完整的手机号、身份证号或车牌号进行查找", code="invalid_caller_query", field="q"
        )
    from sqlalchemy import or_

    rows = list(session.scalars(select(Caller).where(or_(*conditions)).order_by(Caller.id.desc())).all())
    record_audit(session, actor, "search", "caller", None, f"按号码检索，命中 {len(rows)} 条")
    return rows


def present_caller(caller: Caller, *, reveal: bool = False) -> CallerOut:
    if reveal:
        return CallerOut(
            id=caller.id, name=caller.name, phone=caller.phone, id_number=caller.id_number,
            plate=caller.plate, region=caller.region, notes=caller.notes, masked=False,
        )
    return CallerOut(
        id=caller.id,
        name=mask_name(caller.name) if caller.name else None,
        phone=mask_phone(caller.phone) if caller.phone else None,
        id_number=mask_id_number(caller.id_number) if caller.id_number else None,
        plate=mask_plate(caller.plate) if caller.plate else None,
        region=caller.region,
        notes=mask_text(caller.notes or ""),
        masked=True,
    )


def view_caller(session: Session, actor: Actor, caller_id: int, *, reveal: bool = False) -> CallerOut:
    caller = get_caller(session, caller_id)
    record_audit(session, actor, "reveal" if reveal else "view", "caller", caller.id)
    return present_caller(caller, reveal=reveal)
