"""Generated inputs for bench/identify.py: a user directory across every supported jurisdiction
and a forensic export of affected records, written as CSV (and converted to Parquet or JSONL).

Fictional and seeded. The directory has the blemishes of a real one: invalid e-mails and phone
numbers, people known only by their phone or their locale, people with no residence at all,
minors with guardians, duplicate rows and malformed lines. The affected records name about 80 %
as many people as records (several records per person), with some ids the directory lacks."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberType

from regulators import all_regulators
from regulators.eea import EEA

COLUMNS = ("subject_id", "full_name", "email", "phone", "push_target", "country", "region",
           "locale", "birth_date", "guardian_email", "guardian_phone", "postal_address")
LOCALES = {"CN": "zh-CN", "JP": "ja-JP", "KR": "ko-KR", "IN": "en-IN", "SG": "en-SG",
           "AU": "en-AU", "BR": "pt-BR", "CA": "en-CA", "GB": "en-GB", "US": "en-US",
           "DE": "de-DE", "FR": "fr-FR", "ES": "es-ES", "IT": "it-IT", "NL": "nl-NL",
           "PL": "pl-PL", "SE": "sv-SE", "IE": "en-IE", "AT": "de-AT", "PT": "pt-PT"}
EXTRA_CATEGORIES = ("ssn", "financial_account", "date_of_birth", "health", "national_id",
                    "payment_card", "precise_location")
FIRST = ("Alex", "Sam", "Maria", "Wei", "Yuki", "Lena", "Jonas", "Chloe", "Diego", "Aoife")
LAST = ("Smith", "Wang", "Müller", "Martin", "García", "Sato", "Murphy", "Chen", "Kim", "Rossi")


def places() -> list[tuple[str, str | None]]:
    """(country, region) for every jurisdiction: each US state, each EEA country, each nation."""
    found: list[tuple[str, str | None]] = []
    for regulator in all_regulators():
        code = regulator.code
        if code == "EU":
            found += [(country, None) for country in sorted(EEA)]
        elif code == "US-PR":
            found.append(("PR", None))
        elif code.startswith("US-") and code != "US-HIPAA":
            found.append(("US", code))
        elif "-" not in code:
            found.append((code, None))
    return found


def _number_pool(rng: random.Random, country: str, kind: int, size: int) -> list[str]:
    """Valid numbers of one type: the library's example with random last digits."""
    example = phonenumbers.example_number_for_type(country, kind)
    if example is None:
        return []
    digits = str(example.national_number)
    pool: list[str] = []
    for _ in range(size * 3):
        tail = "".join(rng.choice("0123456789") for _ in range(4))
        candidate = f"+{example.country_code}{digits[:-4]}{tail}"
        number = phonenumbers.parse(candidate)
        if phonenumbers.is_valid_number(number):
            pool.append(candidate)
            if len(pool) >= size:
                break
    return pool


def write_directory(path: Path, people: int, *, seed: int = 1) -> None:
    rng = random.Random(seed)
    where = places()
    mobiles = {c: _number_pool(rng, c, PhoneNumberType.MOBILE, 200) for c, _ in where}
    landlines = {c: _number_pool(rng, c, PhoneNumberType.FIXED_LINE, 50) for c, _ in where}
    duplicates: list[list[str]] = []
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(people):
            country, region = where[rng.randrange(len(where))]
            roll = rng.random()
            mobile = rng.random() < 0.8
            pool = (mobiles if mobile else landlines).get(country) or mobiles.get(country) or []
            phone = ""
            if pool and roll < 0.65:
                # A real directory's numbers are unique; vary the pool's last three digits
                # (some variations fall outside the numbering plan: invalid numbers).
                phone = pool[rng.randrange(len(pool))][:-3] + f"{rng.randrange(1000):03d}"
            first, last = FIRST[rng.randrange(10)], LAST[rng.randrange(10)]
            email = f"{first.lower()}.{n}@mail.example" if roll < 0.9 else ""
            if rng.random() < 0.02:
                email = f"{first.lower()}.{n}@@broken"
            minor = rng.random() < 0.05
            year = 2026 - (rng.randint(6, 17) if minor else rng.randint(18, 85))
            locale = LOCALES.get(country, f"en-{country}")
            residence = rng.random()
            row_country, row_region = country, region or ""
            if residence < 0.06:  # the phone's country has to do
                row_country = row_region = ""
            elif residence < 0.09:  # only the locale says where they live
                row_country = row_region = ""
                phone = ""
            elif residence < 0.1:  # nothing at all
                row_country = row_region = locale = phone = ""
            if phone and rng.random() < 0.01:
                phone = phone[:6]  # cut short: not a valid number
            born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            row = [f"p{n:08d}", f"{first} {last}", email, phone,
                   f"pover://user{n}@token" if rng.random() < 0.2 else "",
                   row_country, row_region, locale, born,
                   f"guardian.{n}@mail.example" if minor else "", "", ""]
            if rng.random() < 0.001:
                row = row[:5]  # a truncated line
            writer.writerow(row)
            if rng.random() < 0.005:
                duplicates.append(row)
        writer.writerows(duplicates)


def write_affected(path: Path, records: int, *, directory_people: int, seed: int = 2) -> int:
    """`records` rows naming about 0.8 x records people, 1 % of them unknown to the directory."""
    rng = random.Random(seed)
    people = max(1, min(int(records * 0.8), directory_people))
    unknown = max(1, people // 100)
    known = rng.sample(range(directory_people), people - unknown)
    ids = [f"p{n:08d}" for n in known] + [f"x{n:08d}" for n in range(unknown)]
    rows = ids + [ids[rng.randrange(len(ids))] for _ in range(records - len(ids))]
    rng.shuffle(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("subject_id", "data_categories"))
        for subject_id in rows:
            extra = ""
            if rng.random() < 0.1:
                extra = ";".join(rng.sample(EXTRA_CATEGORIES, rng.randint(1, 2)))
            if rng.random() < 0.0005:
                writer.writerow((subject_id, extra, "stray field"))
                continue
            writer.writerow((subject_id, extra))
    return len(ids)


def convert(csv_path: Path, kind: str) -> Path:
    """The same rows as Parquet or JSONL (every column a string, as in the CSV)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    target = csv_path.with_suffix(f".{kind}")
    if target.exists():
        return target
    with open(csv_path, encoding="utf-8") as handle:
        names = next(csv.reader(handle))
    options = pacsv.ConvertOptions(column_types={name: pa.string() for name in names},
                                   strings_can_be_null=True)
    parse = pacsv.ParseOptions(invalid_row_handler=lambda _row: "skip")
    reader = pacsv.open_csv(csv_path, convert_options=options, parse_options=parse)
    if kind == "parquet":
        with pq.ParquetWriter(target, reader.schema) as out:
            for batch in reader:
                out.write_batch(batch)
    else:
        with open(target, "w", encoding="utf-8") as out:
            for batch in reader:
                for record in batch.to_pylist():
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target
