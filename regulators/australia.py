"""Australia: Notifiable Data Breaches scheme, Privacy Act 1988 Part IIIC.

References:
    * Privacy Act 1988 s. 26WL (austlii.edu.au, ato.gov.au; docs/law/rules.md S22) [V]
    * s. 26WK statement (zoelaw.ai) [V]; s. 26WH 30-day assessment (rulesmate.com.au) [S]
    * s. 26WE eligible data breach, s. 26WF remedial action, s. 26WG factors [S/U]
"""

from __future__ import annotations

from datetime import timedelta

from regulators.base import Regulator
from regulators.deadlines import Deadline
from regulators.facts import IncidentFacts, ObligationDraft, OrgFacts, Population
from regulators.rules import Component, Duty, Encryption, SubstituteNotice, public_duty
from regulators.triggers import HARMFUL, present

STATEMENT = ("contact", "what_happened", "data_categories", "what_you_can_do")
# s. 26WK: statement to the Commissioner as soon as practicable after becoming aware of
# reasonable grounds to believe an eligible breach happened [V].
COMMISSIONER = Duty(
    "regulator", citation="Privacy Act 1988 s. 26WK", verification="V",
    deadline=Deadline("none", text="as soon as practicable after becoming aware"),
    recipient="Office of the Australian Information Commissioner (OAIC)", content=STATEMENT,
)
# s. 26WL(2)-(3): the statement's contents to everyone, or to those at risk, as soon as
# practicable after preparing it; s. 26WL(4) usual channel [V].
INDIVIDUALS = Duty(
    "individuals", citation="Privacy Act 1988 s. 26WL", verification="V",
    deadline=Deadline("none", text="as soon as practicable after preparing the statement"),
    content=STATEMENT, order="after:regulator",
    channel_rules=("the method normally used to communicate with the person is allowed "
                   "(s. 26WL(4))",),
)
# s. 26WL(2)(c): neither practicable -> publish the statement on the website and publicise it.
SUBSTITUTE = SubstituteNotice(
    citation="Privacy Act 1988 s. 26WL(2)(c)", verification="V",
    components=(Component("website", detail="publish the statement"),
                Component("public_announcement", detail="reasonable steps to publicise it")),
)


class Australia(Regulator):
    """NDB scheme: eligible data breaches likely to result in serious harm."""

    code = "AU"
    name = "Australia (Privacy Act, NDB scheme)"
    country = "AU"
    duties = (COMMISSIONER, INDIVIDUALS, public_duty(SUBSTITUTE, INDIVIDUALS))
    # s. 26WG: security measures and the likelihood they are overcome are factors [U].
    encryption = Encryption("factor", True, "Privacy Act 1988 s. 26WG", "U")
    substitute = SUBSTITUTE

    def triggered_by(self, categories: frozenset[str], incident: IncidentFacts) -> bool:  # noqa: ARG002
        return bool(categories)

    def obligations(
        self, *, incident: IncidentFacts, org: OrgFacts, population: Population  # noqa: ARG002
    ) -> list[ObligationDraft]:
        n = population.triggered
        signals = present(population.categories, HARMFUL)
        serious = n > 0 and bool(signals) and not incident.secured
        assess_by = (incident.aware_at + timedelta(days=30)).date().isoformat()
        reasons = [
            (f"{', '.join(signals)} involved: a reasonable person would likely conclude serious "
             "harm (s. 26WE) [S]") if serious else
            "the engine does not see likely serious harm (s. 26WE) [S]",
            f"if the breach is only suspected, finish the assessment by {assess_by} (s. 26WH) [S]",
            "no notice if remedial action makes serious harm unlikely (s. 26WF) [U]; the scheme "
            "covers APP entities (turnover above A$3m and some small businesses) [U]",
        ]
        regulator = self.draft(COMMISSIONER, incident, required=serious, count=n,
                               reasons=reasons, needs_review=n > 0)
        unreachable = population.unreachable if serious else 0
        individuals = self.draft(INDIVIDUALS, incident, required=serious, count=n,
                                 reasons=reasons[:1], needs_review=n > 0,
                                 substitute_notice=unreachable > 0)
        public = self.draft(
            self.duty("public"), incident, required=unreachable > 0, count=unreachable,
            substitute_notice=unreachable > 0, needs_review=unreachable > 0,
            reasons=[f"{unreachable:,} people cannot be notified: publish the statement and "
                     "publicise it (s. 26WL(2)(c))" if unreachable else "direct notice possible"],
        )
        return [regulator, individuals, public]
