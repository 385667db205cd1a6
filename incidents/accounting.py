"""Every affected person accounted for.

For each individual-notice obligation that applies to a person, they are in exactly one state:

    notified      a notice on a method that law accepts was accepted or delivered
    pending       queued on a method (or the notification stage has not run yet)
    announced     covered by a posted public announcement that the law accepts for them
                  (its substitute notice), or that a responder chose for them
    needs_action  nothing lawful is left: the reason says why (no contact, method not
                  configured, every method failed, not in the directory, unknown residence ...)
    exempt        that law does not require notice to them (cited), or a responder exempted
                  them with a reason

In the totals a person counts once, in their least finished state. The incident does not close
while anyone is pending or needs action."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from incidents import holds
from incidents.models import AffectedSubject, Delivery, Incident, Obligation, Resolution, Step
from incidents.service import incident_facts
from incidents.sqltypes import JSONTexts, json_text
from regulators import get_regulator, lawful_channels

# Least finished first: a person's total state is the first of these that any of their laws gives.
STATES: Final = ("needs_action", "pending", "announced", "notified", "exempt")
_RANK: Final = {state: n for n, state in enumerate(STATES)}
NOTIFIED: Final = ("accepted", "delivered")
OPEN: Final = ("pending", "claimed", "unknown")
UNKNOWN_RESIDENCE: Final = "UNKNOWN"
# Exempt because the law's definition of personal information does not cover their data.
NOT_COVERED: Final = "data not covered"


@dataclass
class Tally:
    people: int = 0
    states: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, state: str, reason: str | None) -> None:
        self.people += 1
        self.states[state] += 1
        if reason:
            self.reasons[reason] += 1

    def document(self) -> dict[str, Any]:
        return {"people": self.people, **{state: self.states[state] for state in
                                          ("notified", "pending", "announced", "needs_action",
                                           "exempt")},
                "reasons": dict(sorted(self.reasons.items()))}


@dataclass(frozen=True)
class _Law:
    """What the accounting needs of one jurisdiction's individual-notice obligation."""

    required: bool
    citation: str
    substitute: bool  # the law accepts a public (substitute) notice for people it cannot reach


@dataclass(frozen=True)
class _Person:
    pk: int
    in_directory: bool
    reaches: frozenset[str]  # channels with a contact, themselves or a guardian
    unreachable: bool  # no channel left: a candidate for the announcement
    announced: bool
    jurisdictions: tuple[str, ...]
    categories: frozenset[str]
    minor: bool
    consent: bool  # agreed to electronic notice (E-SIGN)


def _laws(s: Session, incident_id: str) -> dict[str, _Law]:
    laws: dict[str, _Law] = {}
    for o in s.exec(select(Obligation).where(Obligation.incident_id == incident_id,
                                             Obligation.audience == "individuals")):
        known = laws.get(o.jurisdiction)
        # Several individual duties of one law (e.g. HIPAA's): required if any is.
        if known is not None and known.required:
            continue
        try:
            substitute = get_regulator(o.jurisdiction).substitute is not None
        except KeyError:
            substitute = False
        laws[o.jurisdiction] = _Law(required=o.required, citation=o.citation, substitute=substitute)
    return laws


def _deliveries(s: Session, incident_id: str) -> dict[int, set[tuple[str, str]]]:
    """Per person: (channel, state) of their notices (themselves or a guardian)."""
    found: dict[int, set[tuple[str, str]]] = defaultdict(set)
    query = sa_select(col(Delivery.subject_pk), col(Delivery.channel), col(Delivery.state)).where(
        col(Delivery.incident_id) == incident_id).distinct()
    for pk, channel, state in s.connection().execute(query):
        found[pk].add((channel, state))
    return found


def _resolutions(s: Session, incident_id: str) -> dict[tuple[int, str | None], Resolution]:
    return {(r.subject_pk, r.jurisdiction): r for r in s.exec(
        select(Resolution).where(Resolution.incident_id == incident_id))}


def _people(s: Session, incident_id: str) -> Iterable[_Person]:
    decoded = JSONTexts()

    @cache
    def reaches(channels: tuple[str, ...], guardian_email: bool,
                guardian_phone: bool) -> frozenset[str]:
        return (frozenset(channels) | ({"email"} if guardian_email else set())
                | ({"sms", "voice"} if guardian_phone else set()))

    @cache
    def categories(values: tuple[str, ...]) -> frozenset[str]:
        return frozenset(values)

    query = sa_select(
        col(AffectedSubject.id), col(AffectedSubject.in_directory),
        json_text(AffectedSubject.channels), col(AffectedSubject.guardian_email),
        col(AffectedSubject.guardian_phone), col(AffectedSubject.unreachable),
        col(AffectedSubject.announced_at), json_text(AffectedSubject.jurisdictions),
        json_text(AffectedSubject.data_categories), col(AffectedSubject.minor),
        col(AffectedSubject.electronic_consent)).where(
        col(AffectedSubject.incident_id) == incident_id)
    for row in s.connection().execute(query):
        yield _Person(pk=row.id, in_directory=bool(row.in_directory),
                      reaches=reaches(decoded(row.channels), bool(row.guardian_email),
                                      bool(row.guardian_phone)),
                      unreachable=bool(row.unreachable), announced=row.announced_at is not None,
                      jurisdictions=decoded(row.jurisdictions) or (UNKNOWN_RESIDENCE,),
                      categories=categories(decoded(row.data_categories)), minor=bool(row.minor),
                      consent=bool(row.electronic_consent))


def _step(s: Session, incident_id: str, name: str) -> Step | None:
    return s.exec(select(Step).where(Step.incident_id == incident_id, Step.name == name)).first()


def _state(person: _Person, code: str, law: _Law | None, notices: set[tuple[str, str]],
           resolution: Resolution | None, *, sending_started: bool,
           announced_all: bool) -> tuple[str, str | None]:
    """(state, reason) of one person under one law. A notice on a method this law does not
    accept (an SMS to a Californian) may have gone out as a courtesy: it does not count."""
    allowed = lawful_channels((code,), consent=person.consent)
    sent = {state for channel, state in notices if channel in allowed}
    contactable = bool(person.reaches & allowed)
    if law is not None and not law.required:
        return "exempt", f"not required: {law.citation}"
    if resolution is not None and resolution.action == "exempt":
        return "exempt", "exempted by a responder"
    if sent & set(NOTIFIED):
        return "notified", None
    if sent & set(OPEN):
        return "pending", "queued"
    chosen = resolution is not None and resolution.action == "announce"
    if person.announced and (chosen or (law is not None and law.substitute)):
        return "announced", None
    if not sending_started and contactable:
        return "pending", "not yet sent"
    if not person.announced and not announced_all and (
            chosen or (law is not None and law.substitute and person.unreachable)):
        return "pending", "awaiting the announcement"
    return "needs_action", _why(person, code, law, sent, contactable=contactable,
                                courtesy=bool(notices) and not sent)


def _why(person: _Person, code: str, law: _Law | None, sent: set[str], *, contactable: bool,
         courtesy: bool) -> str:
    if not person.in_directory:
        return "not in the directory"
    if code == UNKNOWN_RESIDENCE:
        return "unknown residence"
    if courtesy:
        return "no method this law accepts"
    if "bounced" in sent or "failed" in sent:
        return "every method failed"
    if "cancelled" in sent:
        return "sending cancelled"
    if contactable:
        return "method not configured"
    if law is None:
        return "no rule for this jurisdiction"
    if person.announced:
        return "announcement not accepted by this law"
    return "no contact for any lawful method"


def walk(s: Session, incident_id: str) -> Iterator[tuple[_Person, list[tuple[str, str, str | None]]]]:
    """Each person with their (jurisdiction, state, reason) under every law of theirs."""
    laws = _laws(s, incident_id)
    sent = _deliveries(s, incident_id)
    resolutions = _resolutions(s, incident_id)
    # A step set to run again (after a resolution) has still started once.
    sending = _step(s, incident_id, "notification")
    sending_started = sending is not None and sending.started_at is not None
    announcement = _step(s, incident_id, "announcement")
    announced_all = announcement is not None and announcement.state == "done"
    incident = s.get(Incident, incident_id)
    assert incident is not None  # noqa: S101 - the caller found it
    facts = incident_facts(incident)
    # Jurisdictions whose notices wait (a law-enforcement hold, a report the law puts first):
    # their pending people show why. One notice covers all of a person's laws, so it waits
    # when any of them holds it.
    waiting = {code: w.reason for code, w in holds.waiting(s, incident_id).items()}

    @cache
    def covers(code: str, categories: frozenset[str]) -> bool:
        """Whether the law's definition of personal information covers these categories (as
        the assessment counts the people of each obligation)."""
        try:
            return get_regulator(code).triggered_by(categories, facts)
        except KeyError:
            return True  # no module for it: nothing tells us it does not

    for person in _people(s, incident_id):
        found: list[tuple[str, str, str | None]] = []
        for code in person.jurisdictions:
            law = laws.get(code)
            if law is not None and not covers(code, person.categories):
                found.append((code, "exempt", f"{NOT_COVERED}: {law.citation}"))
                continue
            resolution = resolutions.get((person.pk, code)) or resolutions.get((person.pk, None))
            state, reason = _state(person, code, law, sent.get(person.pk, set()),
                                   resolution, sending_started=sending_started,
                                   announced_all=announced_all)
            if state == "pending" and reason in ("queued", "not yet sent") and waiting:
                held = [waiting[c] for c in (code, *person.jurisdictions) if c in waiting]
                reason = held[0] if held else reason
            found.append((code, state, reason))
        yield person, found


def least_finished(states: list[tuple[str, str, str | None]]) -> tuple[str, str | None]:
    _, state, reason = min(states, key=lambda found: _RANK[found[1]])
    return state, reason


def account(s: Session, incident_id: str) -> dict[str, Any]:
    """The `accounting` document of `status --json`."""
    total = Tally()
    by_code: dict[str, Tally] = defaultdict(Tally)
    for _, states in walk(s, incident_id):
        for code, state, reason in states:
            by_code[code].add(state, reason)
        total.add(*least_finished(states))
    return {**total.document(),
            "by_jurisdiction": {code: tally.document() for code, tally in sorted(by_code.items())}}


def unaccounted(document: dict[str, Any]) -> int:
    return int(document["pending"]) + int(document["needs_action"])


def refusal(document: dict[str, Any], *, incident_ref: str) -> str:
    """Why an incident cannot close, and what to do (counts and reasons only)."""
    reasons = ", ".join(f"{reason}: {n}" for reason, n in document["reasons"].items()
                        if not reason.startswith("not required"))
    return (f"{unaccounted(document)} of {document['people']} people are not accounted for "
            f"({document['needs_action']} need action, {document['pending']} pending; {reasons}). "
            f"See `breachflow status {incident_ref}`; send by another method, add them to the "
            f"announcement or exempt them with `breachflow resolve {incident_ref} ...`, then "
            f"`breachflow resume {incident_ref}`")
