"""The organisation profile (`--org FILE`, TOML) and the documented example organisation."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidents.exceptions import InputError

EXAMPLE_ORG: dict[str, Any] = {
    "name": "Example Devices Ltd.",
    "contact_email": "privacy@example-devices.test",
    "contact_phone": "+1 555 0100",
    "toll_free_number": "+1 800 555 0199",
    "postal_address": "1 Example Way, Springfield, USA",
    "website": "https://www.example-devices.test",
    "dpo_name": "Dana Keller",
    "dpo_email": "dpo@example-devices.test",
    "signatory_name": "Alex Morgan",
    "signatory_title": {"en": "Chief Privacy Officer", "de": "Leiter Datenschutz",
                        "fr": "Directeur de la protection des données personnelles",
                        "es": "Director de Privacidad", "ja": "最高プライバシー責任者",
                        "zh-CN": "首席隐私官"},
    "media_contact_name": "Media relations",
    "media_contact_email": "press@example-devices.test",
    "media_contact_phone": "+1 555 0111",
    "establishment": "IE",
    "hipaa_covered_entity": False,
    "critical_infrastructure": False,
    "remedy": {
        "vendor": "Example Identity Services", "product": "IdentityWatch",
        "months": 24, "enrol_url": "https://enrol.example-identity.test",
        "enrol_by": "2027-03-31", "help_line": "+1 800 555 0142",
        # The example has no vendor code file: enrolment by address alone. A real offer
        # usually has one (activation_codes = true and codes_file, or `breachflow codes load`).
        "activation_codes": False,
    },
    # Who a reader calls depends on where they are: a US toll-free number is not free (or not
    # reachable) from Tokyo. `regions`: ISO countries, US, EU, or "*" (international).
    "contact_lines": [
        {"regions": ["US"], "number": "+1 800 555 0199", "toll_free": True, "days": "mon-fri",
         "opens": "08:00", "closes": "20:00", "time_zone": "America/New_York"},
        {"regions": ["EU", "GB"], "number": "+353 1 555 0100", "days": "mon-fri",
         "opens": "09:00", "closes": "17:30", "time_zone": "Europe/Dublin"},
        {"regions": ["*"], "number": "+1 555 0100", "days": "mon-fri", "opens": "08:00",
         "closes": "20:00", "time_zone": "America/New_York"},
    ],
    "unit_prices": {"email": 0.001, "sms_segment": 0.0079, "voice_minute": 0.014, "letter": 0.85},
    "notice": {"electronic_consent": "column"},
}
# Who agreed to electronic notice (E-SIGN, 15 U.S.C. § 7001(c)): the directory's
# `electronic_consent` column, everyone, or nobody.
CONSENT_MODES = ("column", "all", "none")

# The remedy (Cal. Civ. Code § 1798.82(d)(2)(G): "all information necessary to take advantage
# of the offer"): a table, so every locale states the same offer in its own words, with how to
# enrol. A text `remedy` (the old form) is still read, as an English-only description.
REMEDY_TEXT_KEYS = ("vendor", "product", "enrol_url", "enrol_by", "help_line", "codes_file")
REMEDY_KEYS = (*REMEDY_TEXT_KEYS, "months", "activation_codes", "text")

# What every notice, report and announcement quotes: a real profile must give these.
REQUIRED_KEYS = ("name", "contact_email", "contact_phone", "postal_address", "website", "remedy",
                 "dpo_name", "dpo_email")
# signatory_name / signatory_title sign the letters (the DPO's name when not given); the title
# may be a table of locale -> title, so a Japanese letter is not signed "Chief Privacy Officer";
# media_contact_* is whom journalists call about a media notice (the general contact if not given).
_TEXT_KEYS = ("name", "contact_email", "contact_phone", "toll_free_number", "postal_address",
              "website", "dpo_name", "dpo_email", "establishment", "signatory_name",
              "media_contact_name", "media_contact_email", "media_contact_phone")
# dfs_regulated: regulated by the New York DFS (23 NYCRR 500.17); vt_dfr_regulated: licensed
# or registered with the Vermont Department of Financial Regulation (9 V.S.A. § 2435(b)(3)).
_BOOL_KEYS = ("hipaa_covered_entity", "critical_infrastructure", "dfs_regulated",
              "vt_dfr_regulated")
_PRICE_KEYS = ("email", "sms_segment", "voice_minute", "letter")


def validate(data: dict[str, Any], *, example: bool = False) -> dict[str, Any]:
    """A checked org profile; unknown, mistyped or missing keys are errors naming the key. Only
    the documented example organisation (no --org) is filled from EXAMPLE_ORG."""
    unknown = sorted(set(data) - set(_TEXT_KEYS) - set(_BOOL_KEYS)
                     - {"unit_prices", "notice", "remedy", "contact_lines", "signatory_title"})
    if unknown:
        raise InputError(f"org profile: unknown key {unknown[0]!r}", field=unknown[0])
    for key in _TEXT_KEYS:
        if key in data and not isinstance(data[key], str):
            raise InputError(f"org profile: key {key!r} must be text", field=key)
    title = data.get("signatory_title", "")
    if not (isinstance(title, str) or (
            isinstance(title, dict) and title
            and all(isinstance(k, str) and isinstance(v, str) for k, v in title.items()))):
        raise InputError("org profile: key 'signatory_title' must be text or a table of "
                         "language -> text", field="signatory_title")
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
    if not isinstance(notice, dict) or set(notice) - {"electronic_consent", "sms_link"}:
        raise InputError("org profile: [notice] takes only electronic_consent and sms_link",
                         field="notice")
    if not isinstance(notice.get("sms_link", False), bool):
        raise InputError("org profile: notice.sms_link must be true or false", field="notice.sms_link")
    consent = notice.get("electronic_consent", "column")
    if consent not in CONSENT_MODES:
        raise InputError(f"org profile: notice.electronic_consent must be one of "
                         f"{', '.join(CONSENT_MODES)}", field="notice.electronic_consent")
    # sms_link: SMS and push link each person's notice page (on the org's own domain) instead
    # of giving the help line, the reference and the domain to type (README, "Short messages").
    notice = {"electronic_consent": consent, "sms_link": bool(notice.get("sms_link", False))}
    establishment = data.get("establishment")
    if establishment is not None and (len(establishment) != 2 or not establishment.isupper()):
        raise InputError("org profile: key 'establishment' must be an ISO 3166-1 alpha-2 code",
                         field="establishment")
    if "remedy" in data:
        data = {**data, "remedy": remedy(data["remedy"])}
    if "contact_lines" in data:
        data = {**data, "contact_lines": contact_lines(data["contact_lines"])}
    if example:
        return {**EXAMPLE_ORG, **data, "unit_prices": {**EXAMPLE_ORG["unit_prices"], **prices},
                "notice": notice, "remedy": data.get("remedy") or remedy(EXAMPLE_ORG["remedy"])}
    missing = [key for key in REQUIRED_KEYS if not data.get(key)]
    if missing:
        raise InputError(f"org profile: required key {missing[0]!r} is missing", field=missing[0])
    profile: dict[str, Any] = dict.fromkeys(_TEXT_KEYS) | dict.fromkeys(_BOOL_KEYS, False)
    # Unit prices only feed cost estimates: list prices stand in for the ones not given.
    return profile | data | {"unit_prices": {**EXAMPLE_ORG["unit_prices"], **prices},
                             "notice": notice}


def source(path: Path | None) -> dict[str, Any]:
    """Where a profile came from, recorded on the incident: the built-in example (whose name
    would otherwise sign real notices unnoticed) or a file, by name and content hash."""
    if path is None:
        return {"kind": "example", "name": EXAMPLE_ORG["name"]}
    import hashlib

    return {"kind": "file", "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def describe(recorded: dict[str, Any]) -> str:
    """One line for status, register and reports."""
    if recorded.get("kind") == "example":
        return f"EXAMPLE organisation ({recorded.get('name')}, built in: no --org given)"
    if recorded.get("kind") == "file":
        return f"{recorded.get('file')} (sha256 {str(recorded.get('sha256'))[:12]})"
    return "not recorded"


def remedy(value: Any) -> dict[str, Any]:
    """The checked remedy table. `months` is what is offered; a law's minimum (California's 12
    months of identity theft services) is checked against it, never printed beside it."""
    if isinstance(value, str):
        if not value.strip():
            raise InputError("org profile: key 'remedy' is empty", field="remedy")
        return {"text": {"en": value}, "months": None, "activation_codes": False}
    if not isinstance(value, dict):
        raise InputError("org profile: [remedy] must be a table (or a text)", field="remedy")
    unknown = sorted(set(value) - set(REMEDY_KEYS))
    if unknown:
        raise InputError(f"org profile: unknown key remedy.{unknown[0]}", field=f"remedy.{unknown[0]}")
    out: dict[str, Any] = dict.fromkeys(REMEDY_TEXT_KEYS) | {"text": {}}
    for key in REMEDY_TEXT_KEYS:
        found = value.get(key)
        if key == "enrol_by" and isinstance(found, date):
            found = found.isoformat()  # TOML dates: kept as ISO text (the profile is JSON)
        if found is not None and not isinstance(found, str):
            raise InputError(f"org profile: remedy.{key} must be text", field=f"remedy.{key}")
        out[key] = found
    months = value.get("months")
    if months is not None and (not isinstance(months, int) or isinstance(months, bool) or months < 1):
        raise InputError("org profile: remedy.months must be a positive whole number",
                         field="remedy.months")
    out["months"] = months
    text = value.get("text", {})
    if not isinstance(text, dict) or not all(isinstance(v, str) for v in text.values()):
        raise InputError("org profile: [remedy.text] maps a locale to its text", field="remedy.text")
    out["text"] = dict(text)
    if out["enrol_by"] is not None:
        try:
            date.fromisoformat(out["enrol_by"])
        except ValueError:
            raise InputError("org profile: remedy.enrol_by must be a date (YYYY-MM-DD)",
                             field="remedy.enrol_by") from None
    structured = out["vendor"] and out["product"] and months
    if not structured and not out["text"]:
        raise InputError("org profile: [remedy] needs vendor, product and months (or a text "
                         "per locale)", field="remedy")
    codes = value.get("activation_codes", bool(structured))
    if not isinstance(codes, bool):
        raise InputError("org profile: remedy.activation_codes must be true or false",
                         field="remedy.activation_codes")
    out["activation_codes"] = codes
    if structured and not (out["enrol_url"] and out["enrol_by"]):
        raise InputError("org profile: [remedy] needs enrol_url and enrol_by: how and by when "
                         "people take up the offer", field="remedy.enrol_url")
    return out


LINE_DAYS = ("mon-fri", "mon-sat", "daily")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def contact_lines(value: Any) -> list[dict[str, Any]]:
    """The checked `[[contact_lines]]`: regions, number, toll_free, days, opens, closes and
    time_zone (IANA) of each help line."""
    if not isinstance(value, list) or not value:
        raise InputError("org profile: [[contact_lines]] must be a list of tables",
                         field="contact_lines")
    out = []
    for index, line in enumerate(value):
        where = f"contact_lines[{index}]"
        if not isinstance(line, dict):
            raise InputError(f"org profile: {where} must be a table", field=where)
        unknown = sorted(set(line) - {"regions", "number", "toll_free", "days", "opens", "closes",
                                      "time_zone"})
        if unknown:
            raise InputError(f"org profile: unknown key {where}.{unknown[0]}", field=where)
        regions = line.get("regions")
        if not isinstance(regions, list) or not regions or not all(
                isinstance(r, str) and (r == "*" or re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", r))
                for r in regions):
            raise InputError(f"org profile: {where}.regions lists ISO codes, EU, or \"*\"",
                             field=f"{where}.regions")
        if not isinstance(line.get("number"), str) or not line["number"].strip():
            raise InputError(f"org profile: {where}.number is required", field=f"{where}.number")
        if not isinstance(line.get("toll_free", False), bool):
            raise InputError(f"org profile: {where}.toll_free must be true or false",
                             field=f"{where}.toll_free")
        hours = [line.get(k) for k in ("days", "opens", "closes", "time_zone")]
        if any(h is not None for h in hours):
            days, opens, closes, zone = hours
            if (days not in LINE_DAYS or not isinstance(opens, str) or not _CLOCK.fullmatch(opens)
                    or not isinstance(closes, str) or not _CLOCK.fullmatch(closes)):
                raise InputError(f"org profile: {where} needs days ({', '.join(LINE_DAYS)}), "
                                 "opens and closes (HH:MM) together", field=f"{where}.days")
            try:
                ZoneInfo(str(zone))
            except (ZoneInfoNotFoundError, ValueError):
                raise InputError(f"org profile: {where}.time_zone must be an IANA zone such as "
                                 "America/New_York", field=f"{where}.time_zone") from None
        out.append({"regions": list(regions), "number": line["number"].strip(),
                    "toll_free": bool(line.get("toll_free", False)), "days": line.get("days"),
                    "opens": line.get("opens"), "closes": line.get("closes"),
                    "time_zone": line.get("time_zone")})
    return out


def load(path: Path | None) -> dict[str, Any]:
    if path is None:
        return validate({}, example=True)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"org file {path.name!r}: not found", field="--org") from None
    except IsADirectoryError:
        raise InputError(f"org file {path.name!r}: is a folder, not a TOML file", field="--org") from None
    except OSError as error:
        raise InputError(f"org file {path.name!r}: cannot be read ({error.strerror})",
                         field="--org") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"org file {path.name!r}: not valid TOML ({error})", field="--org") from None
    return validate(data)
