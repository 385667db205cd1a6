"""The data-quality summary a person reads after `assess`, `plan`, `run` and `status`: what in
the sources was ignored or unusable, in counts (the row numbers and ids are in the incident's
data-quality.json, for the data steward)."""

from __future__ import annotations

from typing import Any

# count key -> what it means, and how to fix it where that is not obvious.
PROBLEMS = {
    "unparsed_rows": "--affected rows that could not be read",
    "directory_unparsed_rows": "--directory rows that could not be read",
    "unknown_categories": "unknown data categories in --affected (ignored)",
    "duplicate_directory_ids": "subject ids listed more than once in --directory (first row used)",
    "unknown_ids": "affected people the directory does not know (no contact data)",
    "invalid_emails": "unusable e-mail addresses",
    "invalid_phones": "unusable phone numbers (give E.164, e.g. +14155550100, or a country column "
    "for national numbers)",
    "invalid_push_targets": "unusable push targets",
    "refused_push_targets": "refused push targets",
    "invalid_guardian_contacts": "unusable guardian contacts",
    "invalid_countries": "countries that are not ISO 3166-1 alpha-2 codes",
    "invalid_regions": "regions that are not ISO 3166-2 codes",
    "invalid_locales": "locales that are not BCP 47 tags",
    "invalid_birth_dates": "birth dates that are not YYYY-MM-DD",
    "invalid_postal_addresses": "unusable postal addresses",
    "unknown_jurisdiction": "people whose residence (and so their law) is unknown",
}


def problems(quality: dict[str, Any]) -> int:
    return sum(int(quality.get(key) or 0) for key in PROBLEMS) + sum(
        len(v) for v in (quality.get("unknown_columns") or {}).values()
    )


def lines(quality: dict[str, Any], *, details: str | None = None) -> list[str]:
    """The summary: one line per kind of problem found, none when the sources are clean."""
    if not quality:
        return []
    found = problems(quality)
    where = f" (row numbers and ids: {details})" if details else ""
    if not found:
        return [f"Data quality: no problems found in the sources{where}"]
    out = [f"Data quality: {found} problem(s){where}"]
    for label, extra in sorted((quality.get("unknown_columns") or {}).items()):
        names = ", ".join(
            f"{name!r}" + (f" (did you mean {hint!r}?)" if hint else "") for name, hint in extra.items()
        )
        out.append(f"  {label}: unknown columns, ignored: {names}")
    values = quality.get("unknown_category_values") or {}
    for key, meaning in PROBLEMS.items():
        count = int(quality.get(key) or 0)
        if count:
            shown = (": " + ", ".join(sorted(values)[:10])) if key == "unknown_categories" and values else ""
            out.append(f"  {count:>6} {meaning}{shown}")
    return out
