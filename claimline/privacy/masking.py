"""Masking of personal data in pages and logs (shown in full only on purpose, and audited)."""

from __future__ import annotations

import re

from claimline.privacy.validators import PROVINCE_ABBREVIATIONS

# separators people type: 138 1234 5678, 138-1234-5678, +86 138…
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![\dA-Za-z])")
PLATE_IN_TEXT = re.compile(
    rf"([{PROVINCE_ABBREVIATIONS}]\s?[A-Z])[·\s]?([A-Z0-9]{{3,4}})([A-Z0-9]{{2}})(?![A-Z0-9])", re.IGNORECASE
)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(id_number: str) -> str:
    """440106199001011234 → 4401**********1234."""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"


def mask_plate(plate: str) -> str:
    """粤B12345 → 粤B·***45."""
    if len(plate) < 4:
        return "*" * len(plate)
    return f"{plate[:2]}·{'*' * (len(plate) - 4)}{plate[-2:]}"


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_text(text: str) -> str:
    """Mask phone numbers, ID numbers and plates wherever they appear in free text."""
    text = ID_IN_TEXT.sub(lambda m: f"{m.group(1)}**********{m.group(2)}", text)
    text = MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return PLATE_IN_TEXT.sub(lambda m: f"{m.group(1)}·{'*' * len(m.group(2))}{m.group(3)}", text)
