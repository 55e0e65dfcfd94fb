"""Validators for personal identifiers, with Chinese error messages.

- Mainland mobile numbers: 11 digits starting with 1[3-9] (optionally +86/0086).
- 居民身份证号码: GB 11643-1999, 18 characters, ISO 7064 MOD 11-2 check digit, a real birth date.
- 机动车号牌: GA 36-2018 style: province abbreviation + issuing-authority letter + 5 characters
  (ordinary plates) or 6 (new-energy plates, 新能源号牌: D/F in the first or last position).
"""

from __future__ import annotations

import re
from datetime import date

from claimline.errors import ValidationFailed

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_ORDINARY_RE = re.compile(rf"^[{PROVINCE_ABBREVIATIONS}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]$")
# 新能源: small cars D/A-K-ish letter then 5 digits/letters pattern: [DF][A-HJ-NP-Z0-9]\d{4};
# large vehicles: 5 digits then D/F.
PLATE_NEW_ENERGY_RE = re.compile(
    rf"^[{PROVINCE_ABBREVIATIONS}][A-HJ-NP-Z](?:[DABCEFGHJK][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DABCEFGHJK])$"
)


def normalise_mobile(raw: str, field: str = "phone") -> str:
    """Return the 11-digit number or raise a Chinese error."""
    digits = re.sub(r"[\s\-()（）]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
    if not MOBILE_RE.match(digits):
        raise ValidationFailed("手机号码格式不正确，应为 11 位中国大陆手机号", code="invalid_phone", field=field)
    return digits


def id_number_check_char(first17: str) -> str:
    total = sum(int(ch) * weight for ch, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_id_number(raw: str, field: str = "id_number") -> str:
    value = (raw or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationFailed("身份证号码应为 18 位，最后一位可以是数字或 X", code="invalid_id_number", field=field)
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationFailed("身份证号码中的出生日期不存在", code="invalid_id_birth_date", field=field) from None
    if birth > date.today() or birth.year < 1900:
        raise ValidationFailed("身份证号码中的出生日期不合理", code="invalid_id_birth_date", field=field)
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationFailed("身份证号码校验位不正确，请核对后重新输入", code="invalid_id_checksum", field=field)
    return value


def normalise_plate(raw: str, field: str = "plate") -> str:
    value = re.sub(r"[\s·.\-]", "", (raw or "")).upper()
    if PLATE_ORDINARY_RE.match(value) or PLATE_NEW_ENERGY_RE.match(value):
        return value
    raise ValidationFailed(
        "车牌号格式不正确，例如 粤B12345 或新能源号牌 粤BD12345", code="invalid_plate", field=field
    )
