"""The severity model: is this a personal-data breach, and how severe is it? Every answer carries
reasons. The triage stage scores it first (incidents/triage/stage.py); the assessment scores it
again once identification has counted the people.

The model (README, "Triage") adds up explainable factors:

    sensitivity   4  GDPR Art. 9/10 special categories, PIPL Art. 28 sensitive information
                     (biometrics, religion, health, financial accounts, whereabouts) or minors' data
                  3  identity numbers, credentials, account codes, transaction history
                  1  contact or identifying data only
    volume        +1 / +2 / +3 for 100 / 1,000 / 100,000 people (once identification counted them)
    encryption    -2 encrypted with the key intact; 0 when the key was compromised too
    containment   +2 not contained; +1 containment not confirmed
    cause         +1 external attack or malicious insider

P1 >= 7, P2 >= 5, P3 >= 3, else P4. A responder may override the result at the triage gate with
a reason; the override survives every re-scoring and both answers are in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from incidents import audit
from incidents.models import Incident
from regulators.triggers import GOVERNMENT_IDS, PIPL_SENSITIVE, SECRETS, SPECIAL

MOST_SENSITIVE = SPECIAL | PIPL_SENSITIVE
IDENTITY_FINANCIAL = GOVERNMENT_IDS | SECRETS | {"account_access_code", "transaction_history"}
SEVERITIES = ("P1", "P2", "P3", "P4")
BANDS = ((7, "P1"), (5, "P2"), (3, "P3"))
VOLUME = ((100_000, 3), (1_000, 2), (100, 1))
MALICIOUS = frozenset({"external_attack", "insider_malicious"})


@dataclass(frozen=True)
class Factor:
    name: str
    points: int
    reason: str


@dataclass(frozen=True)
class TriageResult:
    is_breach: bool
    severity: str
    reasons: tuple[str, ...]
    score: int = 0
    factors: tuple[Factor, ...] = ()
    model_severity: str = ""


def breach_decision(incident: Incident) -> tuple[bool, list[str]]:
    """A personal-data breach (GDPR Art. 4(12)) needs personal data and a breach of security."""
    categories = sorted(incident.data_categories)
    types = sorted(incident.breach_types)
    if not categories:
        return False, ["no personal data categories involved: not a personal-data breach"]
    if not types:
        return False, ["the alert reports no loss of confidentiality, integrity or availability: "
                       "a security event, not a personal-data breach (GDPR Art. 4(12)); it is "
                       "still documented in the breach register (GDPR Art. 33(5))"]
    reasons = [f"personal data ({', '.join(categories)}) affected by a breach of {', '.join(types)} "
               "(GDPR Art. 4(12): destruction, loss, alteration, unauthorised disclosure or access)"]
    if types == ["availability"]:
        reasons.append("a loss of availability alone is a personal-data breach too "
                       "(EDPB Guidelines 9/2022, paragraph 15)")
    return True, reasons


def sensitivity(categories: frozenset[str], *, minors: int = 0) -> Factor:
    if found := categories & MOST_SENSITIVE:
        return Factor("sensitivity", 4, "special-category or sensitive data exposed "
                      "(GDPR Art. 9/10, PIPL Art. 28): " + ", ".join(sorted(found)))
    if minors:
        return Factor("sensitivity", 4, f"personal data of {minors:,} minors "
                      "(sensitive under PIPL Art. 28)")
    if found := categories & IDENTITY_FINANCIAL:
        return Factor("sensitivity", 3, "identity, credential or financial data exposed: "
                      + ", ".join(sorted(found)))
    return Factor("sensitivity", 1, "contact or identifying data only: " + ", ".join(sorted(categories)))


def factors(incident: Incident, *, subjects: int | None = None, minors: int = 0) -> list[Factor]:
    found = [sensitivity(frozenset(incident.data_categories), minors=minors)]
    if subjects is None:
        found.append(Factor("volume", 0, "number of people not known yet (scored after identification)"))
    else:
        points = next((p for at_least, p in VOLUME if subjects >= at_least), 0)
        found.append(Factor("volume", points, f"{subjects:,} people affected"))
    if incident.encrypted and not incident.key_compromised:
        found.append(Factor("encryption", -2, "data was encrypted and the key was not compromised"))
    elif incident.encrypted:
        found.append(Factor("encryption", 0, "data was encrypted but the key was compromised: "
                            "no mitigation"))
    else:
        found.append(Factor("encryption", 0, "data was not encrypted"))
    if incident.contained is False:
        found.append(Factor("containment", 2, "the incident is not contained"))
    elif incident.contained is None:
        found.append(Factor("containment", 1, "containment is not confirmed"))
    else:
        found.append(Factor("containment", 0, "the incident is contained"))
    if incident.cause in MALICIOUS:
        found.append(Factor("cause", 1, f"malicious cause ({incident.cause})"))
    else:
        found.append(Factor("cause", 0, f"cause: {incident.cause or 'not reported'}"))
    return found


def band(score: int) -> str:
    return next((severity for at_least, severity in BANDS if score >= at_least), "P4")


def _points(points: int) -> str:
    return f"{points:+d}" if points else "0"


def assess(incident: Incident, *, subjects: int | None = None, minors: int = 0) -> TriageResult:
    """Breach yes/no and severity from the incident (and the people, once known).

    A responder's severity override (set at the triage gate) wins over the model's result."""
    is_breach, reasons = breach_decision(incident)
    if incident.is_breach is not None and incident.decided_by:
        # The responder's answer at the gate stands; the model's is kept in the reasons.
        if incident.is_breach != is_breach:
            reasons.append(f"decided by {incident.decided_by}: "
                           f"{'a' if incident.is_breach else 'not a'} personal-data breach "
                           f"({incident.decision_reason})")
        is_breach = incident.is_breach
    found = factors(incident, subjects=subjects, minors=minors)
    score = sum(f.points for f in found)
    model = band(score)
    reasons += [f"{f.name} {_points(f.points)}: {f.reason}" for f in found]
    reasons.append(f"score {score} -> {model} (P1 >= 7, P2 >= 5, P3 >= 3, else P4)")
    severity = model
    if not is_breach:
        severity = "P4"
        reasons.append("not a personal-data breach: P4")
    if incident.severity_override:
        severity = incident.severity_override
        reasons.append(f"severity overridden to {severity} by {incident.severity_override_by}: "
                       f"{incident.severity_override_reason} (model: {model})")
    return TriageResult(is_breach, severity, tuple(reasons), score, tuple(found), model)


def apply(session: Session, incident: Incident, result: TriageResult, *, actor: str,
          action: str) -> None:
    incident.is_breach, incident.severity = result.is_breach, result.severity
    incident.triage_reasons = list(result.reasons)
    if not incident.decided_by:
        incident.decision_reason = "; ".join(breach_decision(incident)[1])
    audit.record(session, incident_id=incident.id, actor=actor, action=action,
                 detail={"is_breach": result.is_breach, "severity": result.severity,
                         "model_severity": result.model_severity, "score": result.score,
                         "factors": [f.__dict__ for f in result.factors],
                         "reasons": list(result.reasons)})
