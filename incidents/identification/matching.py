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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, insert

from incidents import db, service
from incidents.exceptions import BreachflowError, InputError
from incidents.identification import contacts, postal
from incidents.identification.sources import (
    AFFECTED_COLUMNS,
    DIRECTORY_COLUMNS,
    Row,
    columns,
    read,
    unknown_columns,
    with_credentials,
)
from incidents.models import AffectedSubject, IncidentSources
from regulators import OrgFacts, jurisdictions_for
from regulators.minors import DEFAULT_MINOR_AGE, MINOR_AGES
from regulators.vocab import DATA_CATEGORIES

CHUNK = 5_000
MAX_SUBJECT_ID = 200
_REGION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
# An unknown category is reported by name (a typo like `emial` gets a hint), but only when it
# is written like the vocabulary (lower-case snake_case) and only the most frequent few: a
# shifted column puts e-mails, names and numbers here, one per row, and those must not reach
# the status document, the export pack or the terminal.
_CATEGORY_WORD = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_UNKNOWN_CATEGORY_NAMES = 20
NOT_A_CATEGORY_WORD = "(values that are not category words)"
_VOICE_TYPES = frozenset({"mobile", "landline", "mobile_or_landline", "voip"})


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
    # A refused push target is ("push_target:<reason>"): given, well-formed, but not allowed.
    invalid: list[tuple[str, str]] = field(default_factory=list)
    unknown_jurisdiction: int = 0
    # Why postal addresses were unusable (missing country, empty line, ...): problem -> count.
    postal_problems: Counter[str] = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        by_field = Counter(name for _, name in self.invalid)
        refused = sum(n for name, n in by_field.items() if name.startswith("push_target:"))
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
            "refused_push_targets": refused,
            "invalid_guardian_contacts": by_field["guardian_email"] + by_field["guardian_phone"],
            "invalid_countries": by_field["country"],
            "invalid_regions": by_field["region"],
            "invalid_locales": by_field["locale"],
            "invalid_birth_dates": by_field["birth_date"],
            "invalid_postal_addresses": by_field["postal_address"],
            "unknown_jurisdiction": self.unknown_jurisdiction,
        }

    def unknown_category_names(self) -> dict[str, int]:
        return dict(Counter(self.unknown_categories).most_common(MAX_UNKNOWN_CATEGORY_NAMES))

    def details(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "row_numbers": "CSV and JSONL: line numbers (the CSV header is line 1); "
                           "Parquet and database tables: 1-based row positions",
            "unparsed_row_numbers": self.unparsed_rows,
            "directory_unparsed_row_numbers": self.directory_unparsed_rows,
            "unknown_category_values": self.unknown_category_names(),
            "unknown_subject_ids": self.unknown_ids,
            "duplicate_subject_ids": self.duplicate_ids,
            "invalid_values": [_invalid_value(sid, name) for sid, name in self.invalid],
            "postal_address_problems": dict(sorted(self.postal_problems.items())),
        }


# The values of the directory's `electronic_consent` column (lower-cased); empty is unknown.
CONSENT_VALUES: dict[str | None, bool | None] = {"true": True, "false": False, None: None}
_BAD = object()


class BadConsent(Exception):
    """A row's electronic_consent is not true, false or empty (its value is not repeated: a
    shifted column could hold anything)."""


def consent_error(row: int) -> InputError:
    return InputError(f"--directory row {row}: column electronic_consent must be true, false or "
                      "empty", field="electronic_consent")


def check_consent(location: str, *, table: str | None = None, query: str | None = None) -> None:
    """Refuse a directory whose electronic_consent column holds anything else, before anything
    is written (identification checks it again as it reads)."""
    rows = read(location, ("subject_id", "electronic_consent"), label="--directory", table=table,
                query=query)
    at = rows.positions.get("electronic_consent")
    if at is None:
        return
    for number, row in rows:
        value = _text(row[at]) if row is not None else None
        if value is not None and value.lower() not in CONSENT_VALUES:
            raise consent_error(number)


def _invalid_value(subject_id: str, name: str) -> dict[str, str]:
    found, _, reason = name.partition(":")
    return {"subject_id": subject_id, "field": found, **({"reason": reason} if reason else {})}


def org_facts(org: dict[str, Any]) -> OrgFacts:
    return OrgFacts(establishment=org.get("establishment"),
                    hipaa_covered_entity=bool(org.get("hipaa_covered_entity")),
                    critical_infrastructure=bool(org.get("critical_infrastructure")),
                    dfs_regulated=bool(org.get("dfs_regulated")),
                    vt_dfr_regulated=bool(org.get("vt_dfr_regulated")))


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
                unknown.append(name if _CATEGORY_WORD.fullmatch(name) else NOT_A_CATEGORY_WORD)
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
    by_channels: dict[tuple[str, ...], int] = field(default_factory=dict)

    def channels(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for channels, people in self.by_channels.items():
            for name in channels:
                found[name] += people
        return dict(sorted(found.items()))


    def add(self, other: _Outcome) -> None:
        for name in ("minors", "sensitive_minors", "unreachable", "residence_from_phone",
                     "residence_from_locale", "residence_unknown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for channels, people in other.by_channels.items():
            self.by_channels[channels] = self.by_channels.get(channels, 0) + people


@dataclass
class _Counts:
    invalid: list[tuple[str, str]]
    unknown_jurisdiction: int
    outcome: _Outcome
    postal_problems: Counter[str]

    def merge_into(self, quality: Quality, outcome: _Outcome) -> None:
        quality.invalid.extend(self.invalid)
        quality.postal_problems.update(self.postal_problems)
        quality.unknown_jurisdiction += self.unknown_jurisdiction
        outcome.add(self.outcome)


@dataclass(frozen=True)
class _Place:
    """What one combination of country, region, locale and phone country resolves to."""

    country: str | None
    region: str | None
    locale: str | None
    invalid: tuple[str, ...]  # fields given but unusable
    source: str  # directory | phone | locale | unknown


# (jurisdictions, the same as JSON, minor age, sensitive-minor age)
_Law = tuple[list[str], str, int, int | None]
# (place, jurisdictions as JSON, no jurisdiction?, minor age, sensitive-minor age, categories JSON)
_Where = tuple["_Place", str, bool, int, int | None, str]
_FIELDS = DIRECTORY_COLUMNS[1:]  # every column after subject_id, in this order
_NO_CHANNELS: tuple[str, ...] = ()


class SubjectRow(NamedTuple):
    """One AffectedSubject row as the writer inserts it: the field names are the column names
    (`_Writer` binds them by position, JSON columns already serialised, booleans as the
    driver binds them)."""

    incident_id: str
    subject_id: str
    in_directory: Any
    records: int
    data_categories: str
    full_name: str | None
    email: str | None
    phone: str | None
    phone_type: str | None
    push_target: str | None
    country: str | None
    region: str | None
    locale: str | None
    birth_date: str | None
    minor: Any
    guardian_email: str | None
    guardian_phone: str | None
    postal_address: str | None
    electronic_consent: Any
    jurisdictions: str
    channels: str
    unreachable: Any


class _People:
    """Turns one matched directory row into the values of one AffectedSubject row.

    Most of a row repeats across people — the same places, birth dates, category sets and
    channel combinations — so each of those is resolved once and looked up afterwards; what
    is personal (e-mail, phone) is checked per row."""

    COLUMNS = SubjectRow._fields

    def __init__(self, incident_id: str, sets: list[frozenset[str]], positions: dict[str, int], *,
                 org: OrgFacts, today: date, booleans: tuple[Any, Any], text_only: bool = False,
                 consent: str = "column", records_of_care: bool = False) -> None:
        self.incident_id, self.sets, self.org, self.today = incident_id, sets, org, today
        self.records_of_care = records_of_care
        self.false, self.true = booleans
        # The org's E-SIGN consent rule: everyone, nobody, or the directory's column.
        self._consent: dict[str | None, Any] = (
            dict.fromkeys(CONSENT_VALUES, self.true) if consent == "all"
            else dict.fromkeys(CONSENT_VALUES, self.false) if consent == "none"
            else {None: None, **{v: self.true if CONSENT_VALUES[v] else self.false
                                 for v in CONSENT_VALUES if v is not None}})
        self.quality, self.outcome = Quality(), _Outcome()
        at = [positions.get(name, -1) for name in _FIELDS]
        self._getter: Any = itemgetter(*at) if min(at) >= 0 else (
            lambda row: [row[i] if i >= 0 else None for i in at])
        self._category_json: dict[int, str] = {}
        self._wheres: dict[tuple[Any, ...], _Where] = {}
        self._reaches: dict[tuple[bool, str | None, bool, bool], tuple[tuple[str, ...], str]] = {}
        # Every value a str (CSV with every column): no type checks. A missing column reads None.
        self._clean: Any = _clean_text if text_only and min(at) >= 0 else _clean_values
        self._jurisdictions: dict[tuple[str | None, str | None, int], _Law] = {}
        self._births: dict[str, tuple[int, str] | None] = {}
        self._push_schemes = contacts.push_schemes()

    def categories_json(self, set_id: int) -> str:
        found = self._category_json.get(set_id)
        if found is None:
            found = self._category_json[set_id] = json.dumps(sorted(self.sets[set_id]))
        return found

    def _law(self, country: str | None, region: str | None, set_id: int) -> _Law:
        """(jurisdictions, as JSON, minor age, sensitive-minor age) for one place and category set."""
        key = (country, region, set_id)
        found = self._jurisdictions.get(key)
        if found is None:
            codes = jurisdictions_for(country=country, region=region,
                                      categories=self.sets[set_id], org=self.org,
                                      records_of_care=self.records_of_care)
            ages = [MINOR_AGES.get(code, (DEFAULT_MINOR_AGE, None)) for code in codes] or [
                (DEFAULT_MINOR_AGE, None)]
            sensitive = [age for _, age in ages if age is not None]
            found = self._jurisdictions[key] = (codes, json.dumps(codes), max(a for a, _ in ages),
                                                max(sensitive) if sensitive else None)
        return found

    def _birth(self, raw: str) -> tuple[int, str] | None:
        """(age on the day of awareness, ISO date) of a birth_date value, None if unusable."""
        if raw in self._births:
            return self._births[raw]
        born = contacts.birth_date(raw, self.today)
        found = self._births[raw] = (contacts.age_on(born, self.today), born.isoformat()) if born else None
        return found

    def _where(self, key: tuple[Any, ...]) -> _Where:
        """Residence, jurisdictions and ages for (country, region, locale, phone country, set)."""
        place = _resolve(*key[:4])
        codes, codes_json, minor_age, sensitive_age = self._law(place.country, place.region, key[4])
        found = self._wheres[key] = (place, codes_json, not codes, minor_age, sensitive_age,
                                     self.categories_json(key[4]))
        return found

    def _reach(self, key: tuple[bool, str | None, bool, bool]) -> tuple[tuple[str, ...], str]:
        """(channels, as JSON) for (has e-mail, phone line type, has push target, has a
        usable postal address)."""
        has_email, line, has_push, has_letter = key
        channels = tuple(name for name, usable in (
            ("email", has_email), ("sms", line in contacts.SMS_TYPES),
            ("voice", line in _VOICE_TYPES), ("push", has_push), ("letter", has_letter)) if usable)
        found = self._reaches[key] = (channels, json.dumps(list(channels)))
        return found

    def subject(self, subject_id: str, records: int, set_id: int, row: Row) -> SubjectRow:
        (full_name, email, phone, push, country, region, locale, birth, guardian_email,
         guardian_phone, postal_raw, consent) = self._clean(self._getter(row))
        electronic_consent = self._consent.get(consent.lower() if consent else None, _BAD)
        if electronic_consent is _BAD:
            raise BadConsent
        invalid, outcome = self.quality.invalid, self.outcome
        if email is not None and not contacts.valid_email(email):
            invalid.append((subject_id, "email"))
            email = None
        info = contacts.phone_info(phone) if phone is not None else None
        if phone is not None and info is None:
            invalid.append((subject_id, "phone"))
        if push is not None:
            problem = contacts.push_target_problem(push, schemes=self._push_schemes)
            if problem is not None:
                # Not a usable push channel: the person is reached another way.
                invalid.append((subject_id, "push_target" if problem == "malformed"
                                else f"push_target:{problem}"))
                push = None

        key = (country, region, locale, info.country if info is not None else None, set_id)
        where = self._wheres.get(key) or self._where(key)
        place, codes_json, unknown, minor_age, sensitive_age, categories_json = where
        if place.invalid:
            invalid.extend((subject_id, name) for name in place.invalid)
        if place.source != "directory":
            self._count_source(place.source)
        if unknown:
            self.quality.unknown_jurisdiction += 1

        minor, born = False, None
        if birth is not None:
            found = self._births[birth] if birth in self._births else self._birth(birth)
            if found is None:
                invalid.append((subject_id, "birth_date"))
            else:
                age, born = found
                minor = age < minor_age
        if minor:
            outcome.minors += 1
            outcome.sensitive_minors += sensitive_age is not None and age < sensitive_age
            if guardian_email is not None and not contacts.valid_email(guardian_email):
                invalid.append((subject_id, "guardian_email"))
                guardian_email = None
            guardian = contacts.phone_info(guardian_phone) if guardian_phone is not None else None
            if guardian_phone is not None and guardian is None:
                invalid.append((subject_id, "guardian_phone"))
            guardian_phone = guardian.e164 if guardian is not None else None
        else:  # an adult's guardian contacts are not needed: not copied into the incident
            guardian_email = guardian_phone = None

        if postal_raw is not None:
            found_address = postal.parse(postal_raw, place.country if place.source == "directory"
                                         else None)
            if isinstance(found_address, str):
                invalid.append((subject_id, "postal_address"))
                self.quality.postal_problems[found_address] += 1
                postal_raw = None
            else:
                postal_raw = found_address.stored()
        line = info.line_type if info is not None else None
        reach_key = (email is not None, line, push is not None, postal_raw is not None)
        channels, channels_json = self._reaches.get(reach_key) or self._reach(reach_key)
        by_channels = outcome.by_channels
        by_channels[channels] = by_channels.get(channels, 0) + 1
        unreachable = not channels and guardian_email is None and guardian_phone is None
        outcome.unreachable += unreachable
        true, false = self.true, self.false
        return SubjectRow(
            incident_id=self.incident_id, subject_id=subject_id, in_directory=true,
            records=records, data_categories=categories_json, full_name=full_name, email=email,
            phone=info.e164 if info is not None else None, phone_type=line, push_target=push,
            country=place.country, region=place.region, locale=place.locale, birth_date=born,
            minor=true if minor else false, guardian_email=guardian_email,
            guardian_phone=guardian_phone, postal_address=postal_raw,
            electronic_consent=electronic_consent, jurisdictions=codes_json,
            channels=channels_json, unreachable=true if unreachable else false)

    def take_counts(self) -> _Counts:
        """What this instance counted since the last call (a worker's share), then reset."""
        counts = _Counts(self.quality.invalid, self.quality.unknown_jurisdiction, self.outcome,
                         self.quality.postal_problems)
        self.quality, self.outcome = Quality(), _Outcome()
        return counts

    def _count_source(self, source: str) -> None:
        if source == "phone":
            self.outcome.residence_from_phone += 1
        elif source == "locale":
            self.outcome.residence_from_locale += 1
        else:
            self.outcome.residence_unknown += 1

    def unknown(self, subject_id: str, records: int, set_id: int) -> SubjectRow:
        """An affected id the directory does not know: no contact, no jurisdiction."""
        return SubjectRow(
            incident_id=self.incident_id, subject_id=subject_id, in_directory=self.false,
            records=records, data_categories=self.categories_json(set_id), full_name=None,
            email=None, phone=None, phone_type=None, push_target=None, country=None, region=None,
            locale=None, birth_date=None, minor=self.false, guardian_email=None,
            guardian_phone=None, postal_address=None, electronic_consent=None,
            jurisdictions="[]", channels="[]",
            unreachable=self.true)


def _clean_text(values: Sequence[str]) -> list[str | None]:
    return [value.strip() or None for value in values]


def _clean_values(values: Sequence[Any]) -> list[str | None]:
    return [(v.strip() or None) if type(v) is str else _text(v) for v in values]


def _resolve(country: str | None, region: str | None, locale: str | None,
             phone_country: str | None) -> _Place:
    """Residence: country/region from the directory, else the phone's country, else the
    locale's region subtag; values that are not ISO codes or BCP 47 tags count as missing."""
    invalid: list[str] = []
    if country is not None:
        country = country.upper()
        if len(country) != 2 or not country.isalpha():
            invalid.append("country")
            country = None
    if region is not None:
        region = region.upper()
        if "-" not in region and country:
            region = f"{country}-{region}"  # "CA" with country US is US-CA
        if not _REGION.fullmatch(region) or (country and region[:2] != country):
            invalid.append("region")
            region = None
    if locale is not None and not contacts.valid_locale(locale):
        invalid.append("locale")
        locale = None
    source = "directory"
    if country is None and region is not None:
        country = region[:2]
    if country is None and phone_country is not None and len(phone_country) == 2:
        country, source = phone_country, "phone"
    if country is None and locale is not None:
        country = contacts.country_from_locale(locale)
        source = "locale"
    if country is None:
        source = "unknown"
    return _Place(country, region, locale, tuple(invalid), source)


class _Writer:
    """Chunked executemany of positional rows on the session's connection (one transaction).

    Not from a second thread: sqlite3's executemany releases the GIL around every row's step
    and must win it back to bind the next row, so a writer thread waits out the interpreter's
    switch interval once per row and runs several times slower than writing in line."""

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
        values = f"({', '.join([marker or '?'] * len(names))})"
        insert_into = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "  # noqa: S608 - names from the model
        self._sql = insert_into + values
        # Several rows per statement bind fewer statements (about a fifth less time on SQLite);
        # 999 is the smallest limit on bound variables among SQLite builds.
        self._per_statement = max(1, 999 // len(names))
        self._sql_many = insert_into + ", ".join([values] * self._per_statement)
        self._json = [i for i, name in enumerate(columns)
                      if name in {"data_categories", "jurisdictions", "channels"}]
        self._connection, self._columns = connection, columns
        # sqlite3 binds a bool through its adapter protocol (~3 µs a row): 0/1 bind directly.
        self.booleans: tuple[Any, Any] = (0, 1) if dialect.name == "sqlite" and not self._core \
            else (False, True)
        self.batch: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.batch.append(row)
        if len(self.batch) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self._write(self.batch)
            self.batch = []

    def _write(self, chunk: list[tuple[Any, ...]]) -> None:
        if self._core:  # an unusual driver or column: let SQLAlchemy bind every value
            self._connection.execute(insert(AffectedSubject), [self._as_dict(row) for row in chunk])
            return
        if self._defaults:
            chunk = [row + self._defaults for row in chunk]
        size = self._per_statement
        whole = len(chunk) - len(chunk) % size
        if whole:
            flat = chain.from_iterable
            self._connection.exec_driver_sql(
                self._sql_many, [tuple(flat(chunk[i:i + size])) for i in range(0, whole, size)])
        if whole < len(chunk):
            self._connection.exec_driver_sql(self._sql, chunk[whole:])

    def _as_dict(self, row: tuple[Any, ...]) -> dict[str, Any]:
        values = dict(zip(self._columns, row, strict=True))
        for index in self._json:
            values[self._columns[index]] = json.loads(row[index])
        return values


def identify(incident_id: str, *, out_dir: Path) -> dict[str, Any]:
    """The identification stage; returns counts only."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        sources, org = incident.sources.model_copy(), org_facts(incident.org)
        consent_mode = incident.org.get("notice", {}).get("electronic_consent", "column")
        base, today = frozenset(incident.data_categories), incident.aware_at.date()
        records_of_care = incident.records_of_care
    if not sources.affected or not sources.directory:
        # An incident opened through the intake API takes its files from the server's
        # configuration (BREACHFLOW_AFFECTED, BREACHFLOW_DIRECTORY).
        raise BreachflowError("no affected-records file or user directory is configured for "
                              "this incident: set BREACHFLOW_AFFECTED and BREACHFLOW_DIRECTORY "
                              "for the intake API, or use `breachflow run`")
    quality = Quality()
    affected = _Affected(base, quality)
    affected.fold(sources.affected)
    directory = read(with_credentials(sources.directory), DIRECTORY_COLUMNS, label="--directory",
                     table=sources.directory_table, query=sources.directory_query)
    outcome = _Outcome()
    with db.session() as s:
        # A re-run after a crash starts this stage over: nothing downstream exists yet.
        s.execute(delete(AffectedSubject).where(AffectedSubject.incident_id == incident_id))  # type: ignore[arg-type]
        writer = _Writer(s.connection(), _People.COLUMNS)
        people = _People(incident_id, affected.sets, directory.positions, org=org, today=today,
                         booleans=writer.booleans, text_only=directory.text_only,
                         consent=consent_mode, records_of_care=records_of_care)
        _match(directory, affected, people, writer, quality)
        people.take_counts().merge_into(quality, outcome)
        outcome.in_directory = sum(affected.matched)
        for subject_id, slot in affected.slots.items():
            if not affected.matched[slot]:
                quality.unknown_ids.append(subject_id)
                writer.add(people.unknown(subject_id, affected.records[slot],
                                          affected.category_set[slot]))
        writer.flush()
        incident = service.get_incident(session=s, incident_id=incident_id)
        incident.quality = {**quality.counts(),
                            "unknown_category_values": quality.unknown_category_names(),
                            "unknown_columns": _unknown_columns(sources)}
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "data-quality.json", "w", encoding="utf-8") as handle:
        json.dump(quality.details(), handle, indent=1)
    return {"subjects": len(affected.slots), "in_directory": outcome.in_directory,
            "minors": outcome.minors, "sensitive_minors": outcome.sensitive_minors,
            "unreachable": outcome.unreachable + len(quality.unknown_ids),
            "reachable_by": outcome.channels(),
            "residence_from_phone": outcome.residence_from_phone,
            "residence_from_locale": outcome.residence_from_locale,
            "residence_unknown": outcome.residence_unknown, **quality.counts()}


def _unknown_columns(sources: IncidentSources) -> dict[str, dict[str, str | None]]:
    """Columns of the files that the contract does not name, per flag (a database table's
    other columns are its own business and are not listed)."""
    found: dict[str, dict[str, str | None]] = {}
    for label, location, known in (("--affected", sources.affected, AFFECTED_COLUMNS),
                                   ("--directory", sources.directory, DIRECTORY_COLUMNS)):
        if location and "://" not in location:
            extra = unknown_columns(columns(location, label=label), known)
            if extra:
                found[label] = extra
    return found


def _match(directory: Any, affected: _Affected, people: _People, writer: _Writer,
           quality: Quality) -> None:
    """Pass 2: one look-up per directory row; matched rows become subjects."""
    id_at = directory.positions["subject_id"]
    slots, matched = affected.slots, affected.matched
    records, category_set = affected.records, affected.category_set
    unparsed = quality.directory_unparsed_rows
    subject, add = people.subject, writer.add
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
        try:
            add(subject(subject_id, records[slot], category_set[slot], row))
        except BadConsent:
            raise consent_error(number) from None
    quality.directory_rows = rows
