"""Affected-user identification: forensic records + user directory -> one AffectedSubject per person.

Pass 1 folds the affected records per person (the union of their data categories and the
count of their records); its memory grows with the people affected, not with the directory.
Pass 2 streams the directory once: a row whose id was not affected costs one dictionary
look-up; a matched row becomes one AffectedSubject — residence and jurisdictions, minor status,
reachable channels — written in chunks with the driver's executemany. Affected ids that the
directory does not know are kept as `in_directory=False` rows and listed in the data-quality
report. Everything a data steward needs to fix the sources (row numbers, ids, which field was
invalid — never the value) goes to `data-quality.json` in the incident's output folder; the
database gets the counts and Prefect only the counts."""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert

from incidents import contacts, db, service
from incidents.models import AffectedSubject
from incidents.sources import AFFECTED_COLUMNS, DIRECTORY_COLUMNS, Row, read
from incidents.vocab import DATA_CATEGORIES
from regulators import OrgFacts, jurisdictions_for

CHUNK = 5_000
MAX_SUBJECT_ID = 200
# Below this age a person is a minor whose guardian is notified too; below the second age (where
# the law has one) all of their personal information is sensitive. Other jurisdictions and an
# unknown residence use DEFAULT_MINOR_AGE.
DEFAULT_MINOR_AGE = 18
MINOR_AGES: dict[str, tuple[int, int | None]] = {
    # Regulations on the Online Protection of Minors (2024): a minor (under 18) and the guardian
    # are told; PIPL Art. 28: all personal information of a child under 14 is sensitive.
    "CN": (18, 14),
    # DPDP Act s.2(f): a child is under 18; s.2(j): the parent is the Data Principal.
    "IN": (18, None),
}
_REGION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_VOICE_TYPES = frozenset({"mobile", "landline", "mobile_or_landline", "voip"})
_MAX_PUSH_TARGET = 2048


@dataclass
class Quality:
    records: int = 0
    unparsed_rows: list[int] = field(default_factory=list)
    unknown_categories: dict[str, int] = field(default_factory=dict)
    directory_rows: int = 0
    directory_unparsed_rows: list[int] = field(default_factory=list)
    duplicate_ids: list[str] = field(default_factory=list)
    unknown_ids: list[str] = field(default_factory=list)
    # (subject_id, field) of each value that was given but unusable; the value is never copied.
    invalid: list[tuple[str, str]] = field(default_factory=list)
    unknown_jurisdiction: int = 0

    def counts(self) -> dict[str, int]:
        by_field = Counter(name for _, name in self.invalid)
        return {
            "records": self.records,
            "unparsed_rows": len(self.unparsed_rows),
            "unknown_categories": sum(self.unknown_categories.values()),
            "directory_rows": self.directory_rows,
            "directory_unparsed_rows": len(self.directory_unparsed_rows),
            "duplicate_directory_ids": len(self.duplicate_ids),
            "unknown_ids": len(self.unknown_ids),
            "invalid_emails": by_field["email"],
            "invalid_phones": by_field["phone"],
            "invalid_push_targets": by_field["push_target"],
            "invalid_guardian_contacts": by_field["guardian_email"] + by_field["guardian_phone"],
            "invalid_countries": by_field["country"],
            "invalid_regions": by_field["region"],
            "invalid_locales": by_field["locale"],
            "invalid_birth_dates": by_field["birth_date"],
            "unknown_jurisdiction": self.unknown_jurisdiction,
        }

    def details(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "row_numbers": "CSV and JSONL: line numbers (the CSV header is line 1); "
                           "Parquet and database tables: 1-based row positions",
            "unparsed_row_numbers": self.unparsed_rows,
            "directory_unparsed_row_numbers": self.directory_unparsed_rows,
            "unknown_category_values": self.unknown_categories,
            "unknown_subject_ids": self.unknown_ids,
            "duplicate_directory_ids": self.duplicate_ids,
            "invalid_values": [{"subject_id": sid, "field": name} for sid, name in self.invalid],
        }


def org_facts(org: dict[str, Any]) -> OrgFacts:
    return OrgFacts(establishment=org.get("establishment"),
                    hipaa_covered_entity=bool(org.get("hipaa_covered_entity")),
                    critical_infrastructure=bool(org.get("critical_infrastructure")))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None


class _Affected:
    """The affected records folded per person, compactly: a dict from id to a slot, the record
    count per slot, and per slot the id of an interned category set (most people share one)."""

    def __init__(self, base: frozenset[str], quality: Quality) -> None:
        self.slots: dict[str, int] = {}
        self.records = array("q")
        self.category_set = array("q")
        self.matched = bytearray()
        self.sets: list[frozenset[str]] = [base]
        self._set_ids: dict[frozenset[str], int] = {base: 0}
        self._parsed: dict[str, tuple[int, tuple[str, ...]]] = {}
        self._unions: dict[tuple[int, int], int] = {}
        self._quality = quality

    def _intern(self, categories: frozenset[str]) -> int:
        found = self._set_ids.get(categories)
        if found is None:
            found = self._set_ids[categories] = len(self.sets)
            self.sets.append(categories)
        return found

    def _parse(self, key: str) -> tuple[int, tuple[str, ...]]:
        """(category set id, names outside the vocabulary) of one data_categories value."""
        categories, unknown = set(self.sets[0]), []
        for item in key.split(";"):
            name = item.strip()
            if name in DATA_CATEGORIES:
                categories.add(name)
            elif name:
                unknown.append(name)
        found = self._parsed[key] = (self._intern(frozenset(categories)), tuple(unknown))
        return found

    def fold(self, location: str) -> None:
        quality = self._quality
        unknown = quality.unknown_categories
        rows = read(location, AFFECTED_COLUMNS, label="--affected")
        id_at = rows.positions["subject_id"]
        categories_at = rows.positions.get("data_categories", -1)
        slots, records, category_set = self.slots, self.records, self.category_set
        parsed, unions = self._parsed, self._unions
        count = 0
        for number, row in rows:
            subject_id = _text(row[id_at]) if row is not None else None
            if row is None or subject_id is None or len(subject_id) > MAX_SUBJECT_ID:
                quality.unparsed_rows.append(number)
                continue
            count += 1
            raw = row[categories_at] if categories_at >= 0 else None
            set_id = 0
            if raw:
                key = raw if type(raw) is str else ";".join(
                    str(item) for item in raw) if isinstance(raw, list | tuple) else str(raw)
                found = parsed.get(key) or self._parse(key)
                set_id = found[0]
                for name in found[1]:
                    unknown[name] = unknown.get(name, 0) + 1
            slot = slots.get(subject_id)
            if slot is None:
                slots[subject_id] = len(records)
                records.append(1)
                category_set.append(set_id)
                self.matched.append(0)
                continue
            records[slot] += 1
            old = category_set[slot]
            if old != set_id and set_id:
                union = unions.get((old, set_id))
                if union is None:
                    union = unions[(old, set_id)] = self._intern(self.sets[old] | self.sets[set_id])
                category_set[slot] = union
        quality.records = count


@dataclass
class _Outcome:
    in_directory: int = 0
    minors: int = 0
    sensitive_minors: int = 0
    unreachable: int = 0
    residence_from_phone: int = 0
    residence_from_locale: int = 0
    residence_unknown: int = 0
    channels: Counter[str] = field(default_factory=Counter)


class _People:
    """Turns one matched directory row into the values of one AffectedSubject row."""

    COLUMNS = ("incident_id", "subject_id", "in_directory", "records", "data_categories",
               "full_name", "email", "phone", "phone_type", "push_target", "country", "region",
               "locale", "birth_date", "minor", "guardian_email", "guardian_phone",
               "postal_address", "jurisdictions", "channels", "unreachable")

    def __init__(self, incident_id: str, affected: _Affected, positions: dict[str, int], *,
                 org: OrgFacts, today: date, quality: Quality) -> None:
        self.incident_id, self.affected, self.org, self.today = incident_id, affected, org, today
        self.quality, self.outcome = quality, _Outcome()
        self.at = {name: positions.get(name, -1) for name in DIRECTORY_COLUMNS}
        self._category_json: dict[int, str] = {}
        self._jurisdictions: dict[tuple[str | None, str | None, int], tuple[list[str], str]] = {}
        self._channels_json: dict[tuple[str, ...], str] = {}

    def categories_json(self, set_id: int) -> str:
        found = self._category_json.get(set_id)
        if found is None:
            found = self._category_json[set_id] = json.dumps(sorted(self.affected.sets[set_id]))
        return found

    def _jurisdictions_for(self, country: str | None, region: str | None,
                           set_id: int) -> tuple[list[str], str]:
        key = (country, region, set_id)
        found = self._jurisdictions.get(key)
        if found is None:
            codes = jurisdictions_for(country=country, region=region,
                                      categories=self.affected.sets[set_id], org=self.org)
            found = self._jurisdictions[key] = (codes, json.dumps(codes))
        return found

    def _value(self, row: Row, name: str) -> str | None:
        at = self.at[name]
        return _text(row[at]) if at >= 0 else None

    def subject(self, subject_id: str, slot: int, row: Row) -> tuple[Any, ...]:
        value, invalid, outcome = self._value, self.quality.invalid, self.outcome
        email = value(row, "email")
        if email is not None and not contacts.valid_email(email):
            invalid.append((subject_id, "email"))
            email = None
        phone = value(row, "phone")
        info = contacts.phone_info(phone) if phone is not None else None
        if phone is not None and info is None:
            invalid.append((subject_id, "phone"))
        push = value(row, "push_target")
        if push is not None and (len(push) > _MAX_PUSH_TARGET or any(c.isspace() for c in push)):
            invalid.append((subject_id, "push_target"))
            push = None

        country, region, locale = self._residence(subject_id, row, info)
        set_id = self.affected.category_set[slot]
        codes, codes_json = self._jurisdictions_for(country, region, set_id)
        if not codes:
            self.quality.unknown_jurisdiction += 1

        minor, guardian_email, guardian_phone, born = self._minor(subject_id, row, codes)
        channels = tuple(name for name, usable in (
            ("email", email is not None),
            ("sms", info is not None and info.line_type in contacts.SMS_TYPES),
            ("voice", info is not None and info.line_type in _VOICE_TYPES),
            ("push", push is not None)) if usable)
        channels_json = self._channels_json.get(channels)
        if channels_json is None:
            channels_json = self._channels_json[channels] = json.dumps(list(channels))
        outcome.channels.update(channels)
        unreachable = not channels and not (minor and (guardian_email or guardian_phone))
        outcome.unreachable += unreachable
        return (self.incident_id, subject_id, True, self.affected.records[slot],
                self.categories_json(set_id), value(row, "full_name"), email,
                info.e164 if info else None, info.line_type if info else None, push, country,
                region, locale, born, minor, guardian_email, guardian_phone,
                value(row, "postal_address"), codes_json, channels_json, unreachable)

    def _residence(self, subject_id: str, row: Row,
                   info: contacts.PhoneInfo | None) -> tuple[str | None, str | None, str | None]:
        """country/region from the directory, else the phone's country, else the locale's."""
        invalid = self.quality.invalid
        country = self._value(row, "country")
        if country is not None:
            country = country.upper()
            if len(country) != 2 or not country.isalpha():
                invalid.append((subject_id, "country"))
                country = None
        region = self._value(row, "region")
        if region is not None:
            region = region.upper()
            if "-" not in region and country:
                region = f"{country}-{region}"  # "CA" with country US is US-CA
            if not _REGION.fullmatch(region) or (country and region[:2] != country):
                invalid.append((subject_id, "region"))
                region = None
        locale = self._value(row, "locale")
        if locale is not None and not contacts.valid_locale(locale):
            invalid.append((subject_id, "locale"))
            locale = None
        if country is None and region is not None:
            country = region[:2]
        if country is None and info is not None and len(info.country) == 2:
            country = info.country
            self.outcome.residence_from_phone += 1
        if country is None and locale is not None:
            country = contacts.country_from_locale(locale)
            self.outcome.residence_from_locale += country is not None
        self.outcome.residence_unknown += country is None
        return country, region, locale

    def _minor(self, subject_id: str, row: Row,
               codes: list[str]) -> tuple[bool, str | None, str | None, str | None]:
        """(minor, guardian e-mail, guardian phone, ISO birth date); guardians only for minors."""
        raw = self._value(row, "birth_date")
        born = contacts.birth_date(raw, self.today)
        if raw is not None and born is None:
            self.quality.invalid.append((subject_id, "birth_date"))
        if born is None:
            return False, None, None, None
        age = contacts.age_on(born, self.today)
        if age >= DEFAULT_MINOR_AGE and not codes:
            return False, None, None, born.isoformat()
        ages = [MINOR_AGES.get(code, (DEFAULT_MINOR_AGE, None)) for code in codes] or [
            (DEFAULT_MINOR_AGE, None)]
        if age >= max(limit for limit, _ in ages):
            return False, None, None, born.isoformat()
        self.outcome.minors += 1
        self.outcome.sensitive_minors += any(sensitive is not None and age < sensitive
                                             for _, sensitive in ages)
        guardian_email = self._value(row, "guardian_email")
        if guardian_email is not None and not contacts.valid_email(guardian_email):
            self.quality.invalid.append((subject_id, "guardian_email"))
            guardian_email = None
        raw_phone = self._value(row, "guardian_phone")
        guardian = contacts.phone_info(raw_phone) if raw_phone is not None else None
        if raw_phone is not None and guardian is None:
            self.quality.invalid.append((subject_id, "guardian_phone"))
        return True, guardian_email, guardian.e164 if guardian else None, born.isoformat()

    def unknown(self, subject_id: str, slot: int) -> tuple[Any, ...]:
        set_id = self.affected.category_set[slot]
        return (self.incident_id, subject_id, False, self.affected.records[slot],
                self.categories_json(set_id), None, None, None, None, None, None, None, None,
                None, False, None, None, None, "[]", "[]", True)


class _Writer:
    """Chunked executemany of positional rows on the session's connection (one transaction)."""

    def __init__(self, connection: Connection, columns: tuple[str, ...]) -> None:
        table = AffectedSubject.__table__  # type: ignore[attr-defined]
        dialect = connection.dialect
        extra = [c for c in table.columns if c.name not in columns and not c.primary_key]
        # Columns other modules may add later: their scalar defaults, or NULL.
        self._defaults = tuple(c.default.arg if c.default is not None and c.default.is_scalar
                               else None for c in extra)
        names = [*columns, *(c.name for c in extra)]
        marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
        self._core = marker is None or any(
            c.default is not None and not c.default.is_scalar and not c.nullable for c in extra)
        quote = dialect.identifier_preparer.quote
        self._sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "  # noqa: S608 - names from the model
                     f"VALUES ({', '.join([marker or '?'] * len(names))})")
        self._json = [i for i, name in enumerate(columns)
                      if name in {"data_categories", "jurisdictions", "channels"}]
        self._connection, self._columns = connection, columns
        self.batch: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.batch.append(row)
        if len(self.batch) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        if self._core:  # an unusual driver or column: let SQLAlchemy bind every value
            self._connection.execute(insert(AffectedSubject), [self._as_dict(row) for row in self.batch])
        elif self._defaults:
            self._connection.exec_driver_sql(self._sql, [row + self._defaults for row in self.batch])
        else:
            self._connection.exec_driver_sql(self._sql, self.batch)
        self.batch.clear()

    def _as_dict(self, row: tuple[Any, ...]) -> dict[str, Any]:
        values = dict(zip(self._columns, row, strict=True))
        for index in self._json:
            values[self._columns[index]] = json.loads(row[index])
        return values


def identify(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The identification stage; returns counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        sources, org = dict(incident.sources), org_facts(incident.org)
        base, today = frozenset(incident.data_categories), incident.aware_at.date()
    quality = Quality()
    affected = _Affected(base, quality)
    affected.fold(sources["affected"])
    directory = read(sources["directory"], DIRECTORY_COLUMNS, label="--directory",
                     table=sources.get("directory_table"), query=sources.get("directory_query"))
    people = _People(incident_id, affected, directory.positions, org=org, today=today,
                     quality=quality)
    with db.session() as s:
        # A re-run after a crash starts this stage over: nothing downstream exists yet.
        s.execute(delete(AffectedSubject).where(AffectedSubject.incident_id == incident_id))  # type: ignore[arg-type]
        writer = _Writer(s.connection(), _People.COLUMNS)
        _match(directory, affected, people, writer, quality)
        for subject_id, slot in affected.slots.items():
            if not affected.matched[slot]:
                quality.unknown_ids.append(subject_id)
                writer.add(people.unknown(subject_id, slot))
        writer.flush()
        incident = service.get_incident(session=s, incident_id=incident_id)
        incident.quality = quality.counts()
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "data-quality.json", "w", encoding="utf-8") as handle:
        json.dump(quality.details(), handle, indent=1)
    outcome = people.outcome
    return {"subjects": len(affected.slots), "in_directory": outcome.in_directory,
            "minors": outcome.minors, "sensitive_minors": outcome.sensitive_minors,
            "unreachable": outcome.unreachable + len(quality.unknown_ids),
            "reachable_by": dict(sorted(outcome.channels.items())),
            "residence_from_phone": outcome.residence_from_phone,
            "residence_from_locale": outcome.residence_from_locale,
            "residence_unknown": outcome.residence_unknown, **quality.counts()}


def _match(directory: Any, affected: _Affected, people: _People, writer: _Writer,
           quality: Quality) -> None:
    """Pass 2: one look-up per directory row; matched rows become subjects."""
    id_at = directory.positions["subject_id"]
    slots, matched = affected.slots, affected.matched
    unparsed = quality.directory_unparsed_rows
    rows = 0
    for number, row in directory:
        raw = row[id_at] if row is not None else None
        subject_id = (raw.strip() if type(raw) is str else _text(raw)) if raw is not None else None
        if not subject_id:
            unparsed.append(number)
            continue
        rows += 1
        slot = slots.get(subject_id)
        if slot is None:
            continue
        if matched[slot]:
            quality.duplicate_ids.append(subject_id)
            continue
        matched[slot] = 1
        writer.add(people.subject(subject_id, slot, row))
    quality.directory_rows = rows
    people.outcome.in_directory = sum(matched)
