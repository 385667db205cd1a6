"""Which elements a notice carries, and why: the privacy policy's promises, each applicable law's
required content, and the prohibitions of some (Massachusetts).

A law's requirement beats another law's prohibition (M.G.L. c. 93H § 5 deems notice under federal
procedures, such as HIPAA's, compliant); a prohibition beats the privacy policy's baseline, whose
own words defer to the law ("as required by laws and regulations"). Every decision is kept with
its reason so that legal can read why a section is or is not there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from regulators.content import ELEMENTS

POLICY: Final = "privacy policy § IV(V)"
# The four things the privacy policy promises every person (reference/README.md, § IV(V)).
POLICY_PROMISES: Final[dict[str, tuple[str, ...]]] = {
    "basic circumstances and possible effects": ("what_happened", "likely_consequences"),
    "measures taken or to be taken": ("measures_taken",),
    "recommendations to prevent and reduce the risk": ("what_you_can_do",),
    "remedies available": ("remedy",),
}
# Always present unless a law forbids it: the promises, the person's own data, whom to ask.
BASELINE: Final[tuple[str, ...]] = (
    "what_happened", "data_categories", "likely_consequences", "measures_taken",
    "what_you_can_do", "remedy", "contact", "notice_date",
)
# Contract order of the data categories (docs/contracts.md), used to list a person's categories.
CATEGORY_ORDER: Final[tuple[str, ...]] = (
    "name", "email", "phone", "postal_address", "date_of_birth", "username", "password",
    "security_qa", "ssn", "national_id", "drivers_license", "passport", "tax_id", "military_id",
    "financial_account", "payment_card", "account_access_code", "health", "health_insurance",
    "biometric", "genetic", "precise_location", "ip_address", "device_id", "religion",
    "ethnicity", "sexual_orientation", "political_opinion", "criminal_record",
    "transaction_history", "license_plate", "photo",
)
# Categories -> the risk sentences of the `consequence` messages; phishing applies to everyone.
CONSEQUENCES: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("accounts", frozenset({"username", "password", "security_qa", "account_access_code"})),
    ("identity", frozenset({"ssn", "national_id", "drivers_license", "passport", "tax_id",
                            "military_id", "date_of_birth"})),
    ("financial", frozenset({"financial_account", "payment_card", "transaction_history"})),
    ("sensitive", frozenset({"health", "health_insurance", "biometric", "genetic", "religion",
                             "ethnicity", "sexual_orientation", "political_opinion",
                             "criminal_record", "precise_location", "photo"})),
)
# Never read out by a voice call, which may reach an answering machine or a shared line:
# special categories, identity and financial numbers, location. The call says other
# information was involved and leaves it to a channel that checks who is listening.
UNSPOKEN: Final[frozenset[str]] = frozenset({
    "ssn", "national_id", "drivers_license", "passport", "tax_id", "military_id",
    "financial_account", "payment_card", "account_access_code", "health", "health_insurance",
    "biometric", "genetic", "precise_location", "religion", "ethnicity", "sexual_orientation",
    "political_opinion", "criminal_record", "transaction_history", "date_of_birth", "photo",
})
# Categories with advice of their own (keys of the `advice` messages), most urgent first.
ADVICE: Final[tuple[str, ...]] = (
    "password", "security_qa", "account_access_code", "payment_card", "financial_account",
    "ssn", "national_id", "drivers_license", "passport", "tax_id", "biometric", "health",
    "health_insurance", "username", "email", "phone", "date_of_birth", "postal_address",
    "precise_location",
)


@dataclass(frozen=True)
class LawContent:
    """What one applicable law says about the notice: its citation, required, prohibited."""

    jurisdiction: str
    citation: str
    required: tuple[str, ...] = ()
    prohibited: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    elements: tuple[str, ...]
    # element -> the laws (citations) or the policy that call for it
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # element -> why it was left out, or why a prohibition was overridden
    decisions: dict[str, str] = field(default_factory=dict)

    def required_by_law(self) -> frozenset[str]:
        return frozenset(e for e, s in self.sources.items() if any(x != POLICY for x in s))


def select(laws: Iterable[LawContent]) -> Selection:
    laws = list(laws)
    sources: dict[str, list[str]] = {e: [POLICY] for e in BASELINE}
    for law in laws:
        for element in law.required:
            sources.setdefault(element, []).append(law.citation)
    decisions: dict[str, str] = {}
    for law in laws:
        for element in law.prohibited:
            if element not in sources:
                continue
            by_law = [s for s in sources[element] if s != POLICY]
            if by_law:
                decisions[element] = (f"prohibited by {law.citation} but required by "
                                      f"{'; '.join(by_law)}: kept")
            else:
                decisions[element] = f"left out: prohibited by {law.citation}"
                del sources[element]
    unknown = sorted(set(sources) - set(ELEMENTS))
    if unknown:
        raise ValueError(f"unknown notice elements {unknown}")
    return Selection(elements=tuple(sources), sources={k: tuple(v) for k, v in sources.items()},
                     decisions=decisions)


def parts(form: Mapping[str, Any], selection: Selection) -> list[dict[str, Any]]:
    """The form's headings with the selected elements under each, in the form's order.
    An element that the form has no place for is an error: it would silently vanish."""
    chosen = set(selection.elements) - {"notice_date"}
    placed: set[str] = set()
    out = []
    for part in form["part"]:
        elements = [e for e in part["elements"] if e in chosen]
        placed |= set(elements)
        if elements or form.get("keep_empty"):
            out.append({"heading": part["heading"], "elements": elements})
    missing = sorted(chosen - placed)
    if missing:
        raise ValueError(f"form {form.get('name')!r} has no place for elements {missing}")
    return out


def ordered_categories(categories: Iterable[str]) -> list[str]:
    wanted = set(categories)
    return [c for c in CATEGORY_ORDER if c in wanted] + sorted(wanted - set(CATEGORY_ORDER))


def consequences(categories: Iterable[str]) -> list[str]:
    wanted = set(categories)
    return [key for key, cats in CONSEQUENCES if wanted & cats] + ["phishing"]


def advice(categories: Iterable[str], *, guardian: bool = False,
           jurisdictions: Iterable[str] = ()) -> list[str]:
    """The advice keys for these categories, most urgent first. A guardian of a US child whose
    identity numbers leaked is also told of the child's credit file freeze (15 U.S.C.
    § 1681c-1(j): a parent may have a file created and frozen for a child under 16)."""
    wanted = set(categories)
    found = [key for key in ADVICE if key in wanted]
    if guardian and "ssn" in wanted and any(code.startswith("US") for code in jurisdictions):
        found.insert(found.index("ssn") + 1, "credit_freeze_us")
    return found


def policy_promises_kept(elements: Sequence[str]) -> dict[str, bool]:
    present = set(elements)
    return {promise: all(e in present for e in needed)
            for promise, needed in POLICY_PROMISES.items()}
