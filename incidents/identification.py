"""Affected-user identification: forensic records + user directory -> one AffectedSubject per person.

Pass 1 folds the affected records per person (memory grows with the people affected, not with
the directory); pass 2 streams the directory and writes the matched people in chunks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session

from incidents import contacts, db, service
from incidents.models import AffectedSubject
from incidents.sources import Row, rows
from incidents.vocab import DATA_CATEGORIES
from regulators import OrgFacts, jurisdictions_for

CHUNK = 5_000
ADULT_AGE = 18


@dataclass
class Quality:
    records: int = 0
    unparsed_rows: list[int] = field(default_factory=list)
    unknown_categories: dict[str, int] = field(default_factory=dict)
    directory_rows: int = 0
    directory_unparsed_rows: list[int] = field(default_factory=list)
    duplicate_directory_ids: int = 0
    unknown_ids: list[str] = field(default_factory=list)
    invalid_emails: int = 0
    invalid_phones: int = 0
    unknown_jurisdiction: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "records": self.records,
            "unparsed_rows": len(self.unparsed_rows),
            "unknown_categories": sum(self.unknown_categories.values()),
            "directory_rows": self.directory_rows,
            "directory_unparsed_rows": len(self.directory_unparsed_rows),
            "duplicate_directory_ids": self.duplicate_directory_ids,
            "unknown_ids": len(self.unknown_ids),
            "invalid_emails": self.invalid_emails,
            "invalid_phones": self.invalid_phones,
            "unknown_jurisdiction": self.unknown_jurisdiction,
        }


def org_facts(org: dict[str, Any]) -> OrgFacts:
    return OrgFacts(establishment=org.get("establishment"),
                    hipaa_covered_entity=bool(org.get("hipaa_covered_entity")),
                    critical_infrastructure=bool(org.get("critical_infrastructure")))


def _fold_affected(path: str, base: frozenset[str], quality: Quality) -> dict[str, list[Any]]:
    people: dict[str, list[Any]] = {}
    for number, row in rows(path):
        subject_id = row.get("subject_id") if row else None
        if row is None or not subject_id:
            quality.unparsed_rows.append(number)
            continue
        quality.records += 1
        categories = set(base)
        for category in (row.get("data_categories") or "").split(";"):
            category = category.strip()
            if not category:
                continue
            if category in DATA_CATEGORIES:
                categories.add(category)
            else:
                quality.unknown_categories[category] = quality.unknown_categories.get(category, 0) + 1
        entry = people.setdefault(subject_id, [0, set()])
        entry[0] += 1
        entry[1] |= categories
    return people


def _subject(incident_id: str, row: Row, folded: list[Any], *, org: OrgFacts, aware: Any,
             quality: Quality) -> dict[str, Any]:
    email = row.get("email")
    if email and not contacts.valid_email(email):
        quality.invalid_emails += 1
        email = None
    phone = row.get("phone")
    info = contacts.phone_info(phone)
    if phone and info is None:
        quality.invalid_phones += 1
        phone = None
    categories = frozenset(folded[1])
    region = (row.get("region") or "").upper() or None
    country = (row.get("country") or "").upper() or (region.split("-")[0] if region else None)
    country = country or (info[1] if info else None) or contacts.country_from_locale(row.get("locale"))
    found = jurisdictions_for(country=country, region=region, categories=categories, org=org)
    if not found:
        quality.unknown_jurisdiction += 1
    age = contacts.age_on(row.get("birth_date"), aware.date())
    minor = age is not None and age < ADULT_AGE
    channels = [name for name, ok in (
        ("email", bool(email)),
        ("sms", bool(info) and contacts.sms_capable(info[0] if info else None)),
        ("voice", bool(info)),
        ("push", bool(row.get("push_target"))),
    ) if ok]
    guardian_email = row.get("guardian_email") if contacts.valid_email(row.get("guardian_email")) else None
    guardian_phone = row.get("guardian_phone") if contacts.phone_info(row.get("guardian_phone")) else None
    guardian_reachable = minor and bool(guardian_email or guardian_phone)
    return {
        "incident_id": incident_id, "subject_id": row["subject_id"], "in_directory": True,
        "records": folded[0], "data_categories": sorted(categories),
        "full_name": row.get("full_name"), "email": email, "phone": phone,
        "phone_type": info[0] if info else None, "push_target": row.get("push_target"),
        "country": country, "region": region, "locale": row.get("locale"),
        "birth_date": row.get("birth_date"), "minor": minor,
        "guardian_email": guardian_email, "guardian_phone": guardian_phone,
        "postal_address": row.get("postal_address"), "jurisdictions": found,
        "channels": channels, "unreachable": not channels and not guardian_reachable,
    }


def _unknown(incident_id: str, subject_id: str, folded: list[Any]) -> dict[str, Any]:
    return {"incident_id": incident_id, "subject_id": subject_id, "in_directory": False,
            "records": folded[0], "data_categories": sorted(folded[1]), "minor": False,
            "jurisdictions": [], "channels": [], "unreachable": True}


def _flush(session: Session, batch: list[dict[str, Any]]) -> None:
    if batch:
        session.execute(insert(AffectedSubject), batch)
        batch.clear()


def identify(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The identification stage; returns counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        sources, org = dict(incident.sources), org_facts(incident.org)
        base, aware = frozenset(incident.data_categories), incident.aware_at
    quality = Quality()
    people = _fold_affected(sources["affected"], base, quality)
    seen: set[str] = set()
    with db.session() as s:
        # A re-run after a crash starts this stage over: nothing downstream exists yet.
        s.execute(delete(AffectedSubject).where(AffectedSubject.incident_id == incident_id))  # type: ignore[arg-type]
        batch: list[dict[str, Any]] = []
        for number, row in rows(sources["directory"], table=sources.get("directory_table")):
            if row is None or not row.get("subject_id"):
                quality.directory_unparsed_rows.append(number)
                continue
            quality.directory_rows += 1
            subject_id = row["subject_id"] or ""
            if subject_id not in people:
                continue
            if subject_id in seen:
                quality.duplicate_directory_ids += 1
                continue
            seen.add(subject_id)
            batch.append(_subject(incident_id, row, people[subject_id], org=org, aware=aware,
                                  quality=quality))
            if len(batch) >= CHUNK:
                _flush(s, batch)
        for subject_id, folded in people.items():
            if subject_id not in seen:
                quality.unknown_ids.append(subject_id)
                batch.append(_unknown(incident_id, subject_id, folded))
                if len(batch) >= CHUNK:
                    _flush(s, batch)
        _flush(s, batch)
        incident = service.get_incident(session=s, incident_id=incident_id)
        incident.quality = quality.counts()
    out_dir.mkdir(parents=True, exist_ok=True)
    # Ids and row numbers only: the details a data steward needs to fix the sources.
    (out_dir / "data-quality.json").write_text(json.dumps({
        **quality.counts(), "unparsed_row_numbers": quality.unparsed_rows[:10_000],
        "directory_unparsed_row_numbers": quality.directory_unparsed_rows[:10_000],
        "unknown_category_values": quality.unknown_categories,
        "unknown_subject_ids": quality.unknown_ids[:100_000],
    }, indent=2), encoding="utf-8")
    return {"subjects": len(people), "in_directory": len(seen), **quality.counts()}
