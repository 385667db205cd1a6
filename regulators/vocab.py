"""The closed vocabularies of the incident payload and the directory (docs/contracts.md)."""

from __future__ import annotations

from typing import Final

DATA_CATEGORIES: Final[frozenset[str]] = frozenset(
    {
        "name", "email", "phone", "postal_address", "date_of_birth", "username", "password",
        "security_qa", "ssn", "national_id", "drivers_license", "passport", "tax_id",
        "military_id", "financial_account", "payment_card", "account_access_code", "health",
        "health_insurance", "biometric", "genetic", "precise_location", "ip_address",
        "device_id", "religion", "ethnicity", "sexual_orientation", "political_opinion",
        "criminal_record", "transaction_history", "license_plate", "photo",
    }
)

BREACH_TYPES: Final[frozenset[str]] = frozenset({"confidentiality", "integrity", "availability"})

CAUSES: Final[frozenset[str]] = frozenset(
    {"external_attack", "insider_malicious", "insider_error", "lost_device", "vendor", "unknown"}
)

AUDIENCES: Final[tuple[str, ...]] = (
    "individuals", "regulator", "public", "credit_agencies", "media",
)

CHANNELS: Final[tuple[str, ...]] = ("email", "sms", "voice", "push", "letter")
