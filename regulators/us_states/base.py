"""What US state breach statutes share: name-plus-element definitions, an encryption safe harbour,
a resident notice, an Attorney General notice above a threshold, CRA notice, substitute notice.

A state module sets the class attributes; `obligations()` here applies them in the same order
for every state. Risk-of-harm exemptions come out as `needs_review` with a recommendation.
"""

from __future__ import annotations

from typing import ClassVar

from regulators import methods as methods_
from regulators.base import Regulator
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Duty, Mark
from regulators.triggers import (
    FINANCIAL_ACCOUNTS,
    name_plus,
    online_credentials,
)


class UsState(Regulator):
    country = "US"
    methods = methods_.WRITTEN_OR_ESIGN
    state: ClassVar[str]
    # Elements that are personal information together with a name.
    name_elements: ClassVar[frozenset[str]]
    # Account or card numbers count only with their access code (most states; not MA).
    financial_needs_code: ClassVar[bool] = True
    # Username or email + password / security Q&A is personal information on its own.
    standalone_credentials: ClassVar[bool] = False
    # (standard, citation, mark) of a risk-of-harm determination that can remove the duty.
    risk_of_harm: ClassVar[tuple[str, str, Mark] | None] = None
    # The statute forbids sending a credential-breach notice to the breached mailbox.
    credential_mailbox_rule: ClassVar[str | None] = None
    law_enforcement_delay_citation: ClassVar[str | None] = None

    def is_personal_information(self, categories: frozenset[str]) -> bool:
        if name_plus(categories, self.name_elements):
            return True
        financial = "name" in categories and bool(categories & FINANCIAL_ACCOUNTS)
        if financial and (not self.financial_needs_code or "account_access_code" in categories):
            return True
        return self.standalone_credentials and online_credentials(categories)

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:
        if not incident.acquisition_possible:
            return False
        if self.encryption.scope == "trigger" and incident.secured:
            return False
        return self.is_personal_information(categories)

    def individual_content(self, population: Population) -> tuple[str, ...]:  # noqa: ARG002
        return self.duty("individuals").content

    def extra_individual_reasons(
        self, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[str]:
        return []

    def doubts(self, incident: IncidentFacts, population: Population) -> list[str]:  # noqa: ARG002
        """Reasons that put the resident notice up for review (unverified parts of the law)."""
        return []

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> list[ObligationDraft]:
        individuals = self.individuals(incident, org, population)
        out = [individuals]
        for duty in self.duties:
            if duty.audience in ("regulator", "credit_agencies"):
                out.append(self.threshold_obligation(duty, incident, population, individuals))
        public = self.public_obligation(incident, population, individuals)
        if public is not None:
            out.append(public)
        return out

    def individuals(
        self, incident: IncidentFacts, org: OrgFacts, population: Population
    ) -> ObligationDraft:
        duty = self.duty("individuals")
        n = population.triggered
        reasons: list[str] = []
        review = False
        if n == 0:
            reasons.append(
                f"no {self.state} resident's data meets the definition of personal information "
                f"under {duty.citation}"
            )
            if incident.secured and self.encryption.scope == "trigger":
                reasons.append(f"the data was encrypted and the key was not compromised "
                               f"({self.encryption.citation})")
        else:
            cats = ", ".join(sorted(population.categories)) or "personal information"
            reasons.append(f"{n:,} {self.state} residents' {cats} was or may have been acquired "
                           f"by an unauthorised person ({duty.citation})")
            if incident.encrypted and incident.key_compromised:
                reasons.append("the data was encrypted but the key was also compromised, so the "
                               f"encryption safe harbour does not apply ({self.encryption.citation})")
                if self.encryption.key_compromise_negates is None:
                    review = True
                    reasons.append("the statute has no explicit key-compromise clause; treating "
                                   "the data as usable is an interpretation [U]")
        if n and self.risk_of_harm is not None:
            standard, citation, _mark = self.risk_of_harm
            review = True
            reasons.append(f"risk-of-harm exemption ({citation}): {standard}; the engine "
                           "recommends notifying unless a documented determination finds no "
                           "such risk")
        if n and incident.law_enforcement_delay and self.law_enforcement_delay_citation:
            review = True
            reasons.append("law enforcement asked for a delay: the deadline runs from the end of "
                           f"the delay ({self.law_enforcement_delay_citation})")
        reasons += self.extra_individual_reasons(incident, org, population)
        doubts = self.doubts(incident, population) if n else []
        review = review or bool(doubts)
        reasons += doubts
        substitute = False
        if n and self.substitute is not None:
            substitute = self.substitute.applies(population)[0]
        rules: tuple[str, ...] = ()
        if self.credential_mailbox_rule and online_credentials(population.categories):
            rules = (self.credential_mailbox_rule,)
        return self.draft(
            duty, incident, required=n > 0, count=n, reasons=reasons, needs_review=review,
            substitute_notice=substitute, content=self.individual_content(population),
            channel_rules=rules,
        )

    def threshold_obligation(
        self, duty: Duty, incident: IncidentFacts, population: Population,
        individuals: ObligationDraft,
    ) -> ObligationDraft:
        n = population.triggered
        reasons = [duty.threshold.verdict(n) + f" ({duty.citation})"]
        if not individuals.required:
            reasons.append("no resident is to be notified")
        return self.draft(
            duty, incident, required=individuals.required and duty.threshold.met(n), count=n,
            reasons=reasons,
        )

    def public_obligation(
        self, incident: IncidentFacts, population: Population, individuals: ObligationDraft
    ) -> ObligationDraft | None:
        if self.substitute is None:
            return None
        applies, whole, reasons = self.substitute.applies(population)
        if not individuals.required:
            applies, reasons = False, ["no resident is to be notified"]
        elif not applies:
            reasons = ["individual notice is possible for everyone; no substitute notice needed"]
        elif whole:
            reasons.append("substitute notice MAY replace individual notice for the whole class")
        return self.draft(
            self.duty("public"), incident, required=applies and population.unreachable > 0,
            count=population.triggered if whole else population.unreachable,
            reasons=reasons, needs_review=applies and whole, substitute_notice=applies,
        )
