"""phone: telephone numbers to E.164 with Google's libphonenumber metadata."""

from __future__ import annotations

from typing import Any

import phonenumbers

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.source_values import as_text
from tools.transforms.spec import Phone


def phone(spec: Phone, value: Any) -> str:
    """'+44 7911 123456', '07911 123456' (read in ``default_region``) -> '+447911123456'.

    Numbers that libphonenumber cannot parse, or parses but knows are not in use
    ('12345'; in current metadata also Ofcom's drama range 07700 900xxx), are refused.
    """
    text = as_text(value, "a phone number").strip()
    try:
        number = phonenumbers.parse(text, spec.default_region.upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise TransformValueError(reasons.INVALID_PHONE.format(value=reasons.show(value), region=spec.default_region))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
