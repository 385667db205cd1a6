"""Which telephone line a notice gives: the org's line for its readers' country or region, with
opening hours in their language and the line's time zone; the international line where that is
all there is. A toll-free number is called toll-free only to readers in the region it is free
in (a US 800 number is neither free nor always reachable from Tokyo or Berlin).

Without `[[contact_lines]]` in the org profile, the toll-free number serves its own country
(by its calling code) and `contact_phone` is the international line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

import phonenumbers
from babel.dates import format_time, get_timezone, get_timezone_name


def _lines(org: dict[str, Any]) -> list[dict[str, Any]]:
    if org.get("contact_lines"):
        return list(org["contact_lines"])
    found = []
    if org.get("toll_free_number"):
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(org["toll_free_number"]))
        except phonenumbers.NumberParseException:
            region = None
        if region:
            found.append({"regions": [region], "number": org["toll_free_number"], "toll_free": True})
    if org.get("contact_phone"):
        found.append({"regions": ["*"], "number": org["contact_phone"], "toll_free": False})
    return found


def reader_regions(jurisdictions: Sequence[str]) -> set[str]:
    """US-CA -> {US-CA, US}; EU -> {EU}; US-HIPAA -> {US-HIPAA, US}."""
    found = set()
    for code in jurisdictions:
        found |= {code, code.split("-")[0]}
    return found


def lines_for(org: dict[str, Any], jurisdictions: Sequence[str] | None, *,
              locale: str) -> list[dict[str, Any]]:
    """The lines for these readers (None: every line, for a page everyone reads): kind
    (toll_free, phone, international), number, and the opening hours' parts for `locale`."""
    lines = _lines(org)
    if jurisdictions is None:
        chosen = [dict(line, kind="international" if "*" in line["regions"] else "phone")
                  for line in lines]
    else:
        wanted = reader_regions(jurisdictions)
        chosen = [dict(line, kind="toll_free" if line.get("toll_free") else "phone")
                  for line in lines if wanted & set(line["regions"])]
    if not chosen:
        chosen = [dict(line, kind="international") for line in lines if "*" in line["regions"]]
    for line in chosen:
        line["hours"] = _hours(line, locale) if line.get("days") else None
    return chosen


def _hours(line: dict[str, Any], locale: str) -> dict[str, str]:
    zone = get_timezone(line["time_zone"])
    return {"days": line["days"].replace("-", "_"),
            "opens": str(format_time(time.fromisoformat(line["opens"]), format="short", locale=locale)),
            "closes": str(format_time(time.fromisoformat(line["closes"]), format="short", locale=locale)),
            "zone": str(get_timezone_name(zone, width="long", locale=locale, zone_variant="generic"))}
