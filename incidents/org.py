"""The organisation profile (`--org FILE`, TOML) and the documented example organisation."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from incidents.exceptions import InputError

EXAMPLE_ORG: dict[str, Any] = {
    "name": "Example Devices Ltd.",
    "contact_email": "privacy@example-devices.test",
    "contact_phone": "+1 555 0100",
    "toll_free_number": "+1 800 555 0199",
    "postal_address": "1 Example Way, Springfield, USA",
    "website": "https://www.example-devices.test",
    "dpo_name": "Data Protection Officer",
    "dpo_email": "dpo@example-devices.test",
    "signatory_name": "Alex Morgan",
    "signatory_title": "Chief Privacy Officer",
    "media_contact_name": "Media relations",
    "media_contact_email": "press@example-devices.test",
    "media_contact_phone": "+1 555 0111",
    "establishment": "IE",
    "hipaa_covered_entity": False,
    "critical_infrastructure": False,
    "remedy": "24 months of free credit and identity monitoring",
    "unit_prices": {"email": 0.001, "sms_segment": 0.0079, "voice_minute": 0.014, "letter": 0.85},
    "notice": {"electronic_consent": "column"},
}
# Who agreed to electronic notice (E-SIGN, 15 U.S.C. § 7001(c)): the directory's
# `electronic_consent` column, everyone, or nobody.
CONSENT_MODES = ("column", "all", "none")

# What every notice, report and announcement quotes: a real profile must give these.
REQUIRED_KEYS = ("name", "contact_email", "contact_phone", "postal_address", "website", "remedy",
                 "dpo_name", "dpo_email")
# signatory_name / signatory_title sign the letters (the DPO's name when not given);
# media_contact_* is whom journalists call about a media notice (the general contact if not given).
_TEXT_KEYS = ("name", "contact_email", "contact_phone", "toll_free_number", "postal_address",
              "website", "dpo_name", "dpo_email", "establishment", "remedy", "signatory_name",
              "signatory_title", "media_contact_name", "media_contact_email", "media_contact_phone")
# dfs_regulated: regulated by the New York DFS (23 NYCRR 500.17); vt_dfr_regulated: licensed
# or registered with the Vermont Department of Financial Regulation (9 V.S.A. § 2435(b)(3)).
_BOOL_KEYS = ("hipaa_covered_entity", "critical_infrastructure", "dfs_regulated",
              "vt_dfr_regulated")
_PRICE_KEYS = ("email", "sms_segment", "voice_minute", "letter")


def validate(data: dict[str, Any], *, example: bool = False) -> dict[str, Any]:
    """A checked org profile; unknown, mistyped or missing keys are errors naming the key. Only
    the documented example organisation (no --org) is filled from EXAMPLE_ORG."""
    unknown = sorted(set(data) - set(_TEXT_KEYS) - set(_BOOL_KEYS) - {"unit_prices", "notice"})
    if unknown:
        raise InputError(f"org profile: unknown key {unknown[0]!r}", field=unknown[0])
    for key in _TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise InputError(f"org profile: key {key!r} must be text", field=key)
    for key in _BOOL_KEYS:
        if key in data and not isinstance(data[key], bool):
            raise InputError(f"org profile: key {key!r} must be true or false", field=key)
    prices = data.get("unit_prices", {})
    if not isinstance(prices, dict):
        raise InputError("org profile: [unit_prices] must be a table", field="unit_prices")
    for key, value in prices.items():
        if key not in _PRICE_KEYS or not isinstance(value, int | float) or value < 0:
            raise InputError(f"org profile: unit_prices.{key} must be one of {_PRICE_KEYS} "
                             "with a non-negative number", field=f"unit_prices.{key}")
    notice = data.get("notice", {})
    if not isinstance(notice, dict) or set(notice) - {"electronic_consent"}:
        raise InputError("org profile: [notice] takes only electronic_consent", field="notice")
    consent = notice.get("electronic_consent", "column")
    if consent not in CONSENT_MODES:
        raise InputError(f"org profile: notice.electronic_consent must be one of "
                         f"{', '.join(CONSENT_MODES)}", field="notice.electronic_consent")
    notice = {"electronic_consent": consent}
    establishment = data.get("establishment")
    if establishment is not None and (len(establishment) != 2 or not establishment.isupper()):
        raise InputError("org profile: key 'establishment' must be an ISO 3166-1 alpha-2 code",
                         field="establishment")
    if example:
        return {**EXAMPLE_ORG, **data, "unit_prices": {**EXAMPLE_ORG["unit_prices"], **prices},
                "notice": notice}
    missing = [key for key in REQUIRED_KEYS if not data.get(key)]
    if missing:
        raise InputError(f"org profile: required key {missing[0]!r} is missing", field=missing[0])
    profile: dict[str, Any] = dict.fromkeys(_TEXT_KEYS) | dict.fromkeys(_BOOL_KEYS, False)
    # Unit prices only feed cost estimates: list prices stand in for the ones not given.
    return profile | data | {"unit_prices": {**EXAMPLE_ORG["unit_prices"], **prices},
                             "notice": notice}


def load(path: Path | None) -> dict[str, Any]:
    if path is None:
        return validate({}, example=True)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"org file {path.name!r}: not found", field="--org") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"org file {path.name!r}: not valid TOML ({error})", field="--org") from None
    return validate(data)
