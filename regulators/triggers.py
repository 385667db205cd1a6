"""Category sets and combinations that statutes use to define "personal information".

Names follow `regulators.vocab.DATA_CATEGORIES`; a set here never invents a category.
"""

from __future__ import annotations

from typing import Final

from regulators.vocab import DATA_CATEGORIES

GOVERNMENT_IDS: Final = frozenset(
    {"ssn", "national_id", "drivers_license", "passport", "tax_id", "military_id"}
)
FINANCIAL_ACCOUNTS: Final = frozenset({"financial_account", "payment_card"})
FINANCIAL: Final = FINANCIAL_ACCOUNTS | {"account_access_code", "transaction_history"}
LOGIN_IDS: Final = frozenset({"username", "email"})
SECRETS: Final = frozenset({"password", "security_qa"})
CREDENTIALS: Final = SECRETS | {"account_access_code"}
HEALTH: Final = frozenset({"health", "health_insurance", "genetic"})
# GDPR Art. 9(1) special categories plus Art. 10 criminal data: the usual "sensitive" set.
SPECIAL: Final = frozenset(
    {"health", "genetic", "biometric", "religion", "ethnicity", "sexual_orientation",
     "political_opinion", "criminal_record"}
)
# PIPL Art. 28 sensitive personal information [U] in our vocabulary; "specific identity" is read
# as the GDPR special categories already in SPECIAL (ethnicity, criminal record ...), and minors
# under 14 are counted after identification (regulators/minors.py).
PIPL_SENSITIVE: Final = frozenset({"biometric", "religion", "health", "health_insurance", "genetic",
                                   "financial_account", "payment_card", "precise_location"})
ALL: Final = DATA_CATEGORIES


def online_credentials(categories: frozenset[str]) -> bool:
    """Username or email together with a password or security Q&A that permits access."""
    return bool(categories & LOGIN_IDS) and bool(categories & SECRETS)


def financial_with_code(categories: frozenset[str]) -> bool:
    """Account or card number with the code or password that permits access to the account."""
    return bool(categories & FINANCIAL_ACCOUNTS) and bool(
        categories & {"account_access_code", "password"}
    )


def name_plus(categories: frozenset[str], elements: frozenset[str]) -> bool:
    return "name" in categories and bool(categories & elements)


def present(categories: frozenset[str], elements: frozenset[str]) -> list[str]:
    """Sorted intersection, for reasons text."""
    return sorted(categories & elements)



# What the engine treats as a sign of likely (serious / significant / high) harm where a law
# leaves it to judgment: special categories, money, credentials, identity documents, location.
HARMFUL: Final = SPECIAL | FINANCIAL | CREDENTIALS | GOVERNMENT_IDS | {"precise_location"}
