"""What makes a contact usable, and where a person lives when the directory does not say."""

from __future__ import annotations

import re
from datetime import date

import phonenumbers
from phonenumbers import PhoneNumberType

_EMAIL = re.compile(r"^[^@\s\"<>,;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
# SMS needs a handset; FIXED_LINE_OR_MOBILE is where the numbering plan cannot tell (US, CN).
_SMS_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_PHONE_TYPES = {PhoneNumberType.MOBILE: "mobile", PhoneNumberType.FIXED_LINE: "landline",
                PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile_or_landline",
                PhoneNumberType.VOIP: "voip"}


def valid_email(value: str | None) -> bool:
    return bool(value) and len(value or "") <= 254 and _EMAIL.match(value or "") is not None


def phone_info(value: str | None) -> tuple[str, str] | None:
    """(line type, ISO country) of a valid E.164 number, else None."""
    if not value or not value.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    kind = phonenumbers.number_type(parsed)
    return _PHONE_TYPES.get(kind, "other"), phonenumbers.region_code_for_number(parsed) or ""


def sms_capable(line_type: str | None) -> bool:
    return line_type in {"mobile", "mobile_or_landline"}


def country_from_locale(locale: str | None) -> str | None:
    """'de-DE' -> 'DE', 'zh_CN' -> 'CN'; a bare language says nothing about residence."""
    if not locale:
        return None
    parts = re.split(r"[-_]", locale)
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            return part.upper()
    return None


def age_on(birth_date: str | None, day: date) -> int | None:
    if not birth_date:
        return None
    try:
        born = date.fromisoformat(birth_date[:10])
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
