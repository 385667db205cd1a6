"""A responder resolves the people left needing action: another method, the public
announcement, or exempt with a reason. Every decision is audited (counts only) and the steps
it affects run again on `breachflow resume`."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from sqlalchemy import update
from sqlmodel import Session, col, select

from incidents import accounting, audit, db, service, steps
from incidents.delivery import ledger
from incidents.exceptions import InputError
from incidents.models import (
    AffectedSubject,
    Delivery,
    DeliveryObligation,
    Notice,
    Obligation,
    Resolution,
)

ACTIONS: Final = ("method", "announce", "exempt")
# The steps each action needs to run again, and the close that refused.
RERUN: Final = {"method": ("notification", "close"), "announce": ("announcement", "close"),
                "exempt": ("close",)}
_CONTACT: Final = {"email": ("email", "guardian_email"), "sms": ("phone", "guardian_phone"),
                   "voice": ("phone", "guardian_phone"), "push": ("push_target", None),
                   "letter": ("postal_address", None)}


def resolve(*, incident_id: str, action: str, reason: str, actor: str, method: str | None = None,
            jurisdiction: str | None = None, because: str | None = None,
            subject_ids: Collection[str] | None = None) -> dict[str, Any]:
    """Resolve the people who need action now (optionally only under one law, for one reason,
    or those listed). Returns counts; nothing changes when the input is wrong."""
    if action not in ACTIONS:
        raise InputError(f"action: must be one of {', '.join(ACTIONS)}")
    if not reason.strip():
        raise InputError("--reason: say why (it goes into the audit trail)")
    if (action == "method") != (method is not None):
        raise InputError("--method: give a channel exactly when sending by another method")
    if method is not None and method not in ledger.LADDER:
        raise InputError(f"--method: must be one of {', '.join(ledger.LADDER)}")
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        chosen = _needing_action(s, incident.id, jurisdiction=jurisdiction, because=because,
                                 subject_ids=subject_ids)
        skipped = 0
        for pk, codes in chosen.items():
            if action == "method":
                assert method is not None  # noqa: S101 - checked above
                if not _requeue(s, incident.id, pk, method, codes):
                    skipped += 1
                    continue
            if action == "announce":
                s.execute(update(AffectedSubject).where(col(AffectedSubject.id) == pk)
                          .values(unreachable=True))
            for code in (codes if jurisdiction else [None]):
                _decide(s, incident.id, pk, code, action=action, method=method, reason=reason,
                        actor=actor)
        resolved = len(chosen) - skipped
        if resolved:
            steps.run_again(s, incident_id=incident.id, names=RERUN[action])
        audit.record(s, incident_id=incident.id, actor=actor, action=f"accounting.{action}",
                     detail={"people": resolved, "skipped_no_contact": skipped, "method": method,
                             "jurisdiction": jurisdiction, "because": because, "reason": reason})
        return {"resolved": resolved, "skipped": skipped, "incident_id": incident.id}


def _needing_action(s: Session, incident_id: str, *, jurisdiction: str | None,
                    because: str | None, subject_ids: Collection[str] | None) -> dict[int, list[str]]:
    """Person pk -> the jurisdictions under which they need action (and match the filters)."""
    wanted: set[int] | None = None
    if subject_ids is not None:
        found = dict(s.exec(select(AffectedSubject.subject_id, AffectedSubject.id).where(
            AffectedSubject.incident_id == incident_id,
            col(AffectedSubject.subject_id).in_(list(subject_ids)))).all())
        unknown = len(set(subject_ids) - set(found))
        if unknown:
            raise InputError(f"--subjects: {unknown} subject id(s) are not affected by this incident")
        wanted = {pk for pk in found.values() if pk is not None}
    chosen: dict[int, list[str]] = {}
    for person, states in accounting.walk(s, incident_id):
        if wanted is not None and person.pk not in wanted:
            continue
        codes = [code for code, state, reason in states if state == "needs_action"
                 and (jurisdiction is None or code == jurisdiction)
                 and (because is None or reason == because)]
        if codes:
            chosen[person.pk] = codes
    return chosen


def _requeue(s: Session, incident_id: str, pk: int, method: str, codes: list[str]) -> bool:
    """A pending notice on `method` for the person (or a minor's guardian) if every law of
    theirs accepts it, they have that contact and it was not tried already; False otherwise."""
    subject = s.get(AffectedSubject, pk)
    if subject is None or method not in ledger.lawful(subject.jurisdictions, subject.electronic_consent):
        return False  # a method their law does not accept would not make them notified
    own, guardian = _CONTACT[method]
    kinds = [kind for kind, field in (("subject", own), ("guardian", guardian))
             if field and getattr(subject, field) and (kind == "subject" or subject.minor)]
    tried = set(s.exec(select(Delivery.recipient_kind).where(
        Delivery.subject_pk == pk, Delivery.channel == method)).all())
    kinds = [kind for kind in kinds if kind not in tried]
    if not kinds:
        return False
    obligations = list(s.exec(select(Obligation.id).where(
        Obligation.incident_id == incident_id, Obligation.audience == "individuals",
        col(Obligation.required), col(Obligation.jurisdiction).in_(subject.jurisdictions or codes))))
    for kind in kinds:
        notice = s.exec(select(Notice).where(
            Notice.incident_id == incident_id, Notice.group_key == f"{subject.notice_group}-{kind}",
            Notice.channel == method)).first()
        if notice is None:
            return False
        row = Delivery(incident_id=incident_id, subject_pk=pk, channel=method, recipient_kind=kind,
                       notice_id=notice.id, content_hash=notice.content_hash)
        s.add(row)
        s.flush()
        for obligation_id in obligations:
            if obligation_id is not None:
                s.add(DeliveryObligation(delivery_id=row.id, obligation_id=obligation_id))
    return True


def _decide(s: Session, incident_id: str, pk: int, code: str | None, **values: Any) -> None:
    existing = s.exec(select(Resolution).where(
        Resolution.incident_id == incident_id, Resolution.subject_pk == pk,
        Resolution.jurisdiction == code if code is not None
        else col(Resolution.jurisdiction).is_(None))).first()
    if existing is None:
        s.add(Resolution(incident_id=incident_id, subject_pk=pk, jurisdiction=code, **values))
        return
    for key, value in values.items():
        setattr(existing, key, value)
