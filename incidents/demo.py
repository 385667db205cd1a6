"""The fictional organisation of `breachflow demo`: its people, an incident and its files.

Everything is generated from a seed: names from small lists, e-mail addresses on reserved
example domains, and phone numbers that are valid in each country's numbering plan."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

# (country, region, locale, share of the population)
PLACES: tuple[tuple[str, str | None, str, float], ...] = (
    ("CN", "CN-GD", "zh-CN", 0.22), ("CN", "CN-BJ", "zh-CN", 0.08),
    ("DE", None, "de-DE", 0.10), ("FR", None, "fr-FR", 0.07), ("ES", None, "es-ES", 0.05),
    ("IE", None, "en-IE", 0.03), ("NL", None, "nl-NL", 0.03), ("GB", None, "en-GB", 0.08),
    ("US", "US-CA", "en-US", 0.10), ("US", "US-TX", "en-US", 0.06), ("US", "US-NY", "en-US", 0.05),
    ("US", "US-FL", "en-US", 0.04), ("US", "US-MA", "en-US", 0.03), ("JP", None, "ja-JP", 0.06),
)
FIRST = ("Alex", "Sam", "Maria", "Wei", "Yuki", "Lena", "Jonas", "Chloe", "Diego", "Aoife",
         "Fatima", "Noah", "Mei", "Hiro", "Lucas", "Emma", "Sofia", "Li", "Omar", "Ines")
LAST = ("Smith", "Wang", "Müller", "Martin", "García", "Sato", "Murphy", "de Vries", "Chen",
        "Brown", "Tanaka", "Li", "Dubois", "Rossi", "Zhang", "Jones", "Schmidt", "Kim")
INCIDENT_CATEGORIES = ["email", "name", "password", "phone"]
EXTRA = (("ssn", "US"), ("financial_account", None), ("date_of_birth", None), ("health", None),
         ("national_id", "CN"), ("precise_location", None))


def _phone(rng: random.Random, country: str, kind: int) -> str | None:
    example = phonenumbers.example_number_for_type(country, kind)
    if example is None:
        return None
    digits = str(example.national_number)
    for _ in range(20):
        tail = "".join(rng.choice("0123456789") for _ in range(4))
        candidate = phonenumbers.parse(f"+{example.country_code}{digits[:-4]}{tail}")
        if phonenumbers.is_valid_number(candidate):
            return phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
    return None


def _app_and_landline(person: dict[str, Any], seed: int, n: int, country: str) -> None:
    """Some people use the app (a push device token), some have only a landline (voice).
    A separate stream per person, so the rest of the seeded population stays as it was."""
    aux = random.Random(f"{seed}:{n}:devices")  # noqa: S311 - fictional data, not security
    draw = aux.random()
    if not person["email"] and not person["phone"]:
        if draw < 0.6:
            person["push_target"] = f"dev-{aux.getrandbits(64):016x}"
    elif person["email"] and draw < 0.1:
        person["push_target"] = f"dev-{aux.getrandbits(64):016x}"
    elif not person["email"] and person["phone"] and draw < 0.4:
        person["phone"] = _phone(aux, country, PhoneNumberType.FIXED_LINE) or person["phone"]


# A fictional city line per US state, as the postal service reads it by machine.
_US_CITY = {"US-CA": "San Francisco, CA 94103", "US-TX": "Austin, TX 78701",
            "US-NY": "Albany, NY 12207", "US-MA": "Boston, MA 02108", "US-FL": "Tampa, FL 33602"}


def _address(seed: int, n: int, country: str, region: str | None) -> str:
    """A billing address: every US customer has one (written notice is US law's default);
    elsewhere about a third do. Its own random stream, so the rest stays as it was."""
    aux = random.Random(f"{seed}:{n}:address")  # noqa: S311 - fictional data, not security
    number = aux.randint(1, 999)
    if country == "US":
        return f"{number} Example Street|{_US_CITY.get(region or '', 'Springfield, IL 62701')}"
    return f"Example Street {number}|{aux.randint(10000, 99999)} Example City" if aux.random() < 0.3 else ""


def people(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - fictional data, not security
    weights = [p[3] for p in PLACES]
    found = []
    for n in range(1, count + 1):
        country, region, locale, _ = rng.choices(PLACES, weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        minor = rng.random() < 0.04
        born = date(2026 - (rng.randint(8, 16) if minor else rng.randint(19, 80)),
                    rng.randint(1, 12), rng.randint(1, 28))
        reach = rng.random()
        person = {
            "subject_id": f"u{n:06d}", "full_name": f"{first} {last}",
            "email": f"{first.lower()}.{n:06d}@mail.example" if reach > 0.12 else "",
            "phone": _phone(rng, country, PhoneNumberType.MOBILE)
            if reach > 0.55 or 0.05 < reach < 0.12 else "",
            "push_target": "",
            "country": country, "region": region or "", "locale": locale,
            "birth_date": born.isoformat(),
            "guardian_email": f"guardian.{n:06d}@mail.example" if minor else "",
            "guardian_phone": "", "postal_address": "", "electronic_consent": "",
        }
        if reach < 0.03:
            person["email"] = person["phone"] = ""  # nobody can reach these people individually
        _app_and_landline(person, seed, n, country)
        person["postal_address"] = _address(seed, n, country, region)
        if person["email"]:
            # Most agreed to electronic notice at sign-up (E-SIGN); a few never said, or declined.
            said = random.Random(f"{seed}:{n}:consent").random()  # noqa: S311 - fictional data
            person["electronic_consent"] = "true" if said < 0.92 else "" if said < 0.97 else "false"
        found.append(person)
    return found


def write(folder: Path, *, count: int = 3000, seed: int = 7, strangers: int = 5) -> dict[str, Path]:
    """Write the demo's incident, affected records, directory and org profile; return paths.
    `strangers`: affected ids the directory does not know (they stop the close until resolved)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)  # noqa: S311 - fictional data, not security
    directory = people(count, seed)
    paths = {name: folder / name for name in ("incident.json", "affected.csv",
                                                "directory.csv", "org.toml")}
    with open(paths["directory.csv"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(directory[0]))
        writer.writeheader()
        writer.writerows(directory)
    with open(paths["affected.csv"], "w", newline="", encoding="utf-8") as handle:
        records = csv.writer(handle)
        records.writerow(["subject_id", "data_categories"])
        for person in directory:
            if rng.random() < 0.2:
                continue
            for _ in range(rng.randint(1, 3)):
                extra = [c for c, where in EXTRA if (where in (None, person["country"]))
                         and rng.random() < 0.08]
                records.writerow([person["subject_id"], ";".join(extra)])
        for n in range(strangers):
            records.writerow([f"x-unknown-{n}", ""])
    now = datetime.now(UTC).replace(microsecond=0)

    def stamp(delta: timedelta) -> str:
        return (now - delta).isoformat().replace("+00:00", "Z")

    incident = {
        "external_id": f"DEMO-{now:%Y%m%d-%H%M%S}",
        "title": "Credential stuffing against the account service",
        "summary": "An attacker used passwords leaked elsewhere to sign in to customer accounts "
                   "and read profile data.",
        "detected_at": stamp(timedelta(hours=30)), "aware_at": stamp(timedelta(hours=28)),
        "determined_at": stamp(timedelta(hours=6)),
        "occurred_from": stamp(timedelta(days=4)), "occurred_to": stamp(timedelta(hours=31)),
        "breach_types": ["confidentiality"], "cause": "external_attack",
        "data_categories": INCIDENT_CATEGORIES,
        "encryption": {"encrypted": False, "key_compromised": False},
        "systems": ["accounts-db"], "contained": True,
        "measures_taken": "We revoked all sessions, reset the affected passwords and blocked the "
                          "attacking addresses.",
        "law_enforcement_delay": False, "related_to": None,
        # The same facts in every language the notices go out in (payload `translations`).
        "language": "en", "translations": TRANSLATIONS,
    }
    paths["incident.json"].write_text(json.dumps(incident, indent=2), encoding="utf-8")
    # The remedy vendor's code file: one code per affected person and some to spare. Codes of
    # their own for each demo incident: a code loaded for one incident is refused for another.
    paths["remedy-codes.csv"] = folder / "remedy-codes.csv"
    codes = random.Random(f"{seed}:{incident['external_id']}:{folder.resolve()}")  # noqa: S311
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    with open(paths["remedy-codes.csv"], "w", newline="", encoding="utf-8") as handle:
        handle.write("code\n")
        for _ in range(count + strangers + count // 10 + 10):
            raw = "".join(codes.choices(alphabet, k=12))
            handle.write(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}\n")
    paths["org.toml"].write_text(ORG_TOML.replace("CODES_FILE", paths["remedy-codes.csv"]
                                                  .resolve().as_posix()), encoding="utf-8")
    return paths


TRANSLATIONS = {
    "de": {"summary": "Ein Angreifer hat sich mit anderswo entwendeten Passwörtern bei Kundenkonten "
                      "angemeldet und Profildaten eingesehen.",
           "measures_taken": "Wir haben alle Sitzungen beendet, die betroffenen Passwörter "
                             "zurückgesetzt und die angreifenden Adressen gesperrt."},
    "fr": {"summary": "Un attaquant s'est connecté à des comptes clients à l'aide de mots de passe "
                      "dérobés ailleurs et a consulté des données de profil.",
           "measures_taken": "Nous avons fermé toutes les sessions, réinitialisé les mots de passe "
                             "concernés et bloqué les adresses d'où venait l'attaque."},
    "es": {"summary": "Un atacante accedió a cuentas de clientes con contraseñas robadas en otros "
                      "servicios y consultó datos del perfil.",
           "measures_taken": "Hemos cerrado todas las sesiones, restablecido las contraseñas "
                             "afectadas y bloqueado las direcciones desde las que se atacó."},
    "ja": {"summary": "攻撃者が他所で流出したパスワードを使ってお客様のアカウントにログインし、"
                      "プロフィール情報を閲覧しました。",
           "measures_taken": "すべてのログインセッションを無効にし、該当するパスワードをリセットし、"
                             "攻撃元のアドレスを遮断しました。"},
    "zh-CN": {"summary": "攻击者利用在其他地方泄露的密码登录了客户账户，并查看了个人资料信息。",
              "measures_taken": "我们已终止所有登录会话，重置了受影响的密码，并封禁了发起攻击的地址。"},
}


ORG_TOML = """\
name = "Lumen Gadgets Ltd."
contact_email = "privacy@lumen-gadgets.example"
contact_phone = "+1 555 0100"
toll_free_number = "+1 800 555 0199"
postal_address = "1 Example Way, Dublin, Ireland"
website = "https://www.lumen-gadgets.example"
dpo_name = "Dana Keller"
dpo_email = "dpo@lumen-gadgets.example"
signatory_name = "Alex Morgan"
media_contact_name = "Jordan Lee, Communications"
media_contact_email = "press@lumen-gadgets.example"
media_contact_phone = "+1 555 0111"
establishment = "IE"
hipaa_covered_entity = false
critical_infrastructure = false

# Help lines by reader: a US toll-free number is neither free nor always reachable abroad.
[[contact_lines]]
regions = ["US"]
number = "+1 800 555 0199"
toll_free = true
days = "mon-fri"
opens = "08:00"
closes = "20:00"
time_zone = "America/New_York"

[[contact_lines]]
regions = ["EU", "GB"]
number = "+353 1 555 0100"
days = "mon-fri"
opens = "09:00"
closes = "17:30"
time_zone = "Europe/Dublin"

[[contact_lines]]
regions = ["*"]
number = "+353 1 555 0100"
days = "mon-fri"
opens = "09:00"
closes = "17:30"
time_zone = "Europe/Dublin"

# The remedy: what, from whom, how long, how and by when to enrol. Each person's notice carries
# one activation code from the vendor's code file (`breachflow codes load` adds more).
[remedy]
vendor = "Northwind Identity Services"
product = "IdentityGuard Plus"
months = 24
enrol_url = "https://enroll.northwind-identity.example"
enrol_by = 2027-03-31
help_line = "+1 800 555 0142"
codes_file = "CODES_FILE"

# Who signs, in each reader's language (plain text would sign every letter in English).
[signatory_title]
en = "Chief Privacy Officer"
de = "Leiter Datenschutz"
fr = "Directeur de la protection des données personnelles"
es = "Director de Privacidad"
ja = "最高プライバシー責任者"
zh-CN = "首席隐私官"

[unit_prices]
email = 0.001
sms_segment = 0.0079
voice_minute = 0.014
letter = 0.85

[notice]
# Electronic notice counts under US law only with E-SIGN consent: the directory's column says.
electronic_consent = "column"
"""
