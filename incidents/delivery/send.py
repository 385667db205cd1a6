"""User notification: the ledger's rows, sent in batches through the channel adapters.

`send_batch` is one unit of work (one Prefect task): claim up to a batch of one channel's due
rows, send them grouped by notice, record the outcomes. `reconcile` asks the providers about
ambiguous outcomes and abandoned claims before anything is sent again. Both return counts only."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from incidents import channels, db, service
from incidents.channels.base import Outcome, Outgoing, Result
from incidents.channels.letters import envelope
from incidents.delivery import ledger
from incidents.exceptions import ChannelHalted
from incidents.models import AffectedSubject, Delivery, Notice
from incidents.notices import activation
from incidents.notices import page as notice_page
from incidents.rendering import render

# How long an ambiguous send waits for the provider's events before we ask and maybe resend
# (BREACHFLOW_RECONCILE_AFTER, seconds).
RECONCILE_AFTER = timedelta(seconds=float(os.environ.get("BREACHFLOW_RECONCILE_AFTER", "10")))


def _address(delivery: Delivery | ledger.Claimed, contact: Any) -> str | None:
    channel = delivery.channel
    if delivery.recipient_kind == "guardian":
        found = contact.guardian_email if channel == "email" else (
            contact.guardian_phone if channel in ("sms", "voice") else None)
    elif channel == "letter":
        # The addressee and the stored address, as the envelope shows them.
        found = envelope(contact.full_name, contact.postal_address) if contact.postal_address else None
    else:
        found = contact.email if channel == "email" else contact.phone if channel in (
            "sms", "voice") else contact.push_target if channel == "push" else None
    return found


# Characters kept out of a name put into a greeting: the same text goes into the HTML part.
_NOT_IN_NAME = str.maketrans("", "", "<>&\"'{}")


def greeting_fill(notice: Notice | None, name: str | None) -> tuple[str, str] | None:
    """(the notice's generic greeting, the same greeting with the person's name): "Dear
    customer," becomes "Dear Ana Pereira,". Only a person's own e-mail, letter or page is
    addressed by name (a guardian's notice, a call or a text is not)."""
    clean = " ".join((name or "").translate(_NOT_IN_NAME).split())
    if notice is None or not clean or notice.channel not in ("email", "letter", "page"):
        return None
    greeting = render.messages(notice.locale, notice.jurisdictions)["greeting"]
    return greeting["subject"], render.fill_text(greeting["named"], {"name": clean}, html=False)


def _outgoing(deliveries: Sequence[Delivery | ledger.Claimed],
              notices: dict[int, Notice] | None = None) -> tuple[dict[int, list[Outgoing]], list[str]]:
    """The claimed rows grouped by the notice they carry, with their addresses; and the ids of
    rows with no address on that channel any more (purged or edited contact data)."""
    by_notice: dict[int, list[Outgoing]] = defaultdict(list)
    missing: list[str] = []
    # Only the contact columns: loading whole people (JSON columns and all) per batch is slow.
    contacts = sa_select(*(col(c) for c in (
        AffectedSubject.id, AffectedSubject.email, AffectedSubject.phone,
        AffectedSubject.guardian_email, AffectedSubject.guardian_phone,
        AffectedSubject.push_target, AffectedSubject.locale, AffectedSubject.full_name,
        AffectedSubject.postal_address)))
    with db.session() as s:
        subjects = {x.id: x for x in s.connection().execute(contacts.where(
            col(AffectedSubject.id).in_({d.subject_pk for d in deliveries})))}
        pks = [d.subject_pk for d in deliveries]
        links = notice_page.links_for(s, incident_id=deliveries[0].incident_id, subject_pks=pks)
        codes = activation.codes_for(s, incident_id=deliveries[0].incident_id, subject_pks=pks)
    for delivery in deliveries:
        subject = subjects[delivery.subject_pk]
        address = _address(delivery, subject)
        if not address:
            missing.append(delivery.id)
            continue
        notice_id = delivery.notice_id or 0
        token, reference = links.get((delivery.subject_pk, delivery.recipient_kind), (None, None))
        fills = notice_page.personal_fills(reference, codes.get(delivery.subject_pk))
        if delivery.recipient_kind == "subject":
            named = greeting_fill((notices or {}).get(notice_id), subject.full_name)
            if named:
                fills.append(named)
        by_notice[notice_id].append(Outgoing(
            delivery.id, address, subject.locale or "en", notice_id, token, tuple(fills)))
    return by_notice, missing


def halted(channel: str) -> str | None:
    """Why a channel stopped in this process (bad credentials), or None."""
    adapter = channels.active().get(channel)
    return adapter.halted if adapter is not None else None


def send_batch(incident_id: str, channel: str) -> dict[str, int]:
    """Claim one batch of this channel's due rows and send it; counts only."""
    adapter = channels.active()[channel]
    if adapter.halted:
        return {}
    token, claimed = ledger.claim(incident_id, channel, adapter.batch_size)
    if not claimed:
        return {}
    with db.session() as s:
        ref = service.get_incident(session=s, incident_id=incident_id).id
        notices = {n.id: n for n in s.exec(select(Notice).where(
            col(Notice.id).in_({d.notice_id for d in claimed})))}
    totals: dict[str, int] = defaultdict(int)
    attempts = {d.id: d.attempts for d in claimed}
    by_notice, missing = _outgoing(claimed, {n.id or 0: n for n in notices.values()})

    def record(results: list[Result]) -> None:
        if results:
            for state, n in ledger.record(results, token=token, attempts=attempts).items():
                totals[state] += n

    if missing:
        record([Result(d, Outcome.FAILED, error="no-address") for d in missing])
    for notice_id, messages in by_notice.items():
        try:
            record(adapter.send(notice=notices[notice_id], messages=messages,
                                claim_token=token, incident_ref=ref, record=record))
        except ChannelHalted as error:
            # Nothing of this request was sent: give the claim back and stop the channel here.
            adapter.halted = str(error)
            break
    released = ledger.release(token)
    if released:
        totals["released"] += released
    return dict(totals)


def reconcile(incident_id: str, *, older_than: timedelta = RECONCILE_AFTER) -> dict[str, int]:
    """Ask the providers about claims whose holder died and outcomes nobody reported."""
    rows = ledger.stale(incident_id, older_than=older_than)
    by_claim: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
    for delivery in rows:
        by_claim[(delivery.channel, delivery.claim_token or "")].append(delivery)
    totals: dict[str, int] = defaultdict(int)
    active = channels.active()
    for (channel, token), deliveries in by_claim.items():
        adapter = active.get(channel)
        if adapter is None:
            continue  # nobody can ask this provider here; fail_unserved moves the rows on
        by_notice, missing = _outgoing(deliveries)
        messages = [m for group in by_notice.values() for m in group]
        with db.session() as s:
            notices = {n.id or 0: n for n in s.exec(select(Notice).where(
                col(Notice.id).in_(list(by_notice))))}
        since = min((d.updated_at or d.created_at) for d in deliveries) - ledger.LEASE
        found = adapter.reconcile(messages=messages, notices=notices, claim_token=token,
                                  since=since)
        found.update(dict.fromkeys(missing))
        for state, n in ledger.settle(found, unverified=not adapter.reconcilable).items():
            totals[state] += n
    return dict(totals)
