"""Triage: is this a personal-data breach, and how severe is it? Every answer carries reasons.

Severity model (documented in README, "Triage"): points for the most sensitive category exposed,
volume, unprotected data and an uncontained incident; P1 >= 7, P2 >= 5, P3 >= 3, else P4."""

from __future__ import annotations

from dataclasses import dataclass

from incidents.models import Incident

# GDPR Art. 9 special categories, PIPL Art. 28 sensitive personal information, and the data that
# US breach laws single out (identity numbers, financial access, credentials).
SPECIAL = frozenset({"health", "health_insurance", "biometric", "genetic", "religion", "ethnicity",
                     "sexual_orientation", "political_opinion", "criminal_record",
                     "precise_location"})
IDENTITY_FINANCIAL = frozenset({"ssn", "national_id", "drivers_license", "passport", "tax_id",
                                "military_id", "financial_account", "payment_card",
                                "account_access_code", "transaction_history"})
CREDENTIALS = frozenset({"password", "security_qa"})
# Not personal data on their own, but no category in the vocabulary is: every one of them relates
# to a person, so any exposure of confidentiality or integrity is a personal-data breach.


@dataclass(frozen=True)
class TriageResult:
    is_breach: bool
    severity: str
    reasons: tuple[str, ...]


def sensitivity(categories: frozenset[str]) -> tuple[int, str]:
    if categories & SPECIAL:
        return 4, "special-category or sensitive data exposed: " + ", ".join(sorted(categories & SPECIAL))
    if categories & IDENTITY_FINANCIAL:
        return 3, "identity or financial data exposed: " + ", ".join(sorted(categories & IDENTITY_FINANCIAL))
    if categories & CREDENTIALS:
        return 3, "credentials exposed: " + ", ".join(sorted(categories & CREDENTIALS))
    return 1, "contact or identifying data only: " + ", ".join(sorted(categories))


def assess(incident: Incident, *, subjects: int | None = None) -> TriageResult:
    """Decide breach yes/no and severity from the payload (and the number of people, once known)."""
    categories = frozenset(incident.data_categories)
    reasons: list[str] = []
    types = set(incident.breach_types)
    if not categories:
        return TriageResult(False, "P4", ("no personal data categories involved",))
    is_breach = bool(types)
    reasons.append(
        "personal data affected by a breach of " + ", ".join(sorted(types))
        + " (GDPR Art. 4(12): destruction, loss, alteration, unauthorised disclosure or access)"
    )
    points, why = sensitivity(categories)
    reasons.append(why)
    if incident.encrypted and not incident.key_compromised:
        points -= 2
        reasons.append("data was encrypted and the key was not compromised (-2)")
    elif incident.encrypted:
        reasons.append("data was encrypted but the key was compromised: no mitigation")
    if incident.contained is False:
        points += 2
        reasons.append("the incident is not contained (+2)")
    if incident.cause in {"external_attack", "insider_malicious"}:
        points += 1
        reasons.append(f"malicious cause ({incident.cause}) (+1)")
    if subjects is not None:
        if subjects >= 100_000:
            points += 3
        elif subjects >= 1_000:
            points += 2
        elif subjects >= 100:
            points += 1
        reasons.append(f"{subjects} people affected")
    severity = "P1" if points >= 7 else "P2" if points >= 5 else "P3" if points >= 3 else "P4"
    reasons.append(f"score {points} -> {severity}")
    return TriageResult(is_breach, severity, tuple(reasons))
