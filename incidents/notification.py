"""User notification: the ledger's rows, sent in batches through the channel adapters."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlmodel import col, select

from incidents import channels, db, ledger, service
from incidents.channels.base import ChannelHalted, Outgoing
from incidents.exceptions import BreachflowError
from incidents.models import AffectedSubject, Delivery, Notice

# How long an ambiguous send waits for the provider to show it before we ask and maybe resend.
RECONCILE_AFTER = timedelta(seconds=10)


def _address(delivery: Delivery, subject: AffectedSubject) -> str | None:
    guardian = delivery.recipient_kind == "guardian"
    return {
        "email": subject.guardian_email if guardian else subject.email,
        "sms": subject.guardian_phone if guardian else subject.phone,
        "voice": subject.guardian_phone if guardian else subject.phone,
        "push": None if guardian else subject.push_target,
    }.get(delivery.channel)


def _outgoing(deliveries: list[Delivery]) -> dict[int, list[Outgoing]]:
    """The claimed rows grouped by the notice they carry, with their addresses."""
    by_notice: dict[int, list[Outgoing]] = defaultdict(list)
    with db.session() as s:
        subjects = {x.id: x for x in s.exec(select(AffectedSubject).where(
            col(AffectedSubject.id).in_([d.subject_pk for d in deliveries])))}
        for delivery in deliveries:
            subject = subjects[delivery.subject_pk]
            address = _address(delivery, subject)
            if address:
                by_notice[delivery.notice_id or 0].append(
                    Outgoing(delivery.id, address, subject.locale or "en"))
    return by_notice


def send_batch(incident_id: str, channel: str) -> dict[str, int]:
    """Claim one batch of this channel's due rows and send it; counts only."""
    adapter = channels.active()[channel]
    token, claimed = ledger.claim(incident_id, channel, adapter.batch_size)
    if not claimed:
        return {}
    with db.session() as s:
        ref = service.get_incident(session=s, incident_id=incident_id).id
        notices = {n.id: n for n in s.exec(select(Notice).where(
            col(Notice.id).in_({d.notice_id for d in claimed})))}
    totals: dict[str, int] = defaultdict(int)
    for notice_id, messages in _outgoing(claimed).items():
        try:
            results = adapter.send(notice=notices[notice_id], messages=messages,
                                   claim_token=token, incident_ref=ref)
        except ChannelHalted as error:
            # Leave the claim for reconciliation; nothing was sent with bad credentials.
            raise BreachflowError(f"channel {channel} halted: {error}") from None
        for state, n in ledger.record(results, token=token).items():
            totals[state] += n
    return dict(totals)


def reconcile(incident_id: str, *, older_than: timedelta = RECONCILE_AFTER) -> dict[str, int]:
    """Ask the providers about claims whose holder died and outcomes nobody reported."""
    rows = ledger.stale(incident_id, older_than=older_than)
    by_claim: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
    for delivery in rows:
        by_claim[(delivery.channel, delivery.claim_token or "")].append(delivery)
    totals: dict[str, int] = defaultdict(int)
    for (channel, token), deliveries in by_claim.items():
        adapter = channels.active()[channel]
        messages = [m for group in _outgoing(deliveries).values() for m in group]
        since = min((d.updated_at or d.created_at) for d in deliveries) - ledger.LEASE
        found = adapter.reconcile(messages=messages, claim_token=token, since=since)
        for state, n in ledger.settle(found).items():
            totals[state] += n
    return dict(totals)
