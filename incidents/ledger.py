"""The delivery ledger: exactly-once in effect.

A Delivery row exists (pending) before any provider call, is claimed atomically with a token,
an owner and a lease, carries its id to the provider, and only moves forward:
pending -> claimed -> accepted -> delivered | bounced | failed. An ambiguous outcome becomes
`unknown` and is reconciled with the provider before anything is sent again."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, update
from sqlmodel import Session, col, select

from incidents import db, steps
from incidents.channels.base import Outcome, Result
from incidents.models import AffectedSubject, Delivery, DeliveryObligation, Notice, Obligation
from incidents.sqltypes import utcnow

LADDER = ("email", "sms", "voice", "push")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
FINAL = ("accepted", "delivered", "bounced", "failed")
RANK = {"pending": 0, "claimed": 1, "unknown": 2, "accepted": 3, "delivered": 4,
        "bounced": 4, "failed": 4}


def _chunks(items: list[Any], size: int = 5000) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def plan(incident_id: str) -> int:
    """Create the pending rows: each person on their first channel, guardians of minors too.
    Idempotent: rows that exist are left as they are."""
    with db.session() as s:
        existing = {(pk, kind) for pk, kind in s.exec(
            select(Delivery.subject_pk, Delivery.recipient_kind).where(
                Delivery.incident_id == incident_id))}
        obligations = _individual_obligations(s, incident_id)
        notices = _notice_ids(s, incident_id)
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        query = select(AffectedSubject).where(AffectedSubject.incident_id == incident_id,
                                              col(AffectedSubject.in_directory))
        for subject in s.exec(query):
            wanted: list[tuple[str, str]] = []
            if subject.channels:
                wanted.append(("subject", subject.channels[0]))
            if subject.minor and (subject.guardian_email or subject.guardian_phone):
                wanted.append(("guardian", "email" if subject.guardian_email else "sms"))
            for kind, channel in wanted:
                if (subject.id, kind) in existing:
                    continue
                key = (f"{subject.notice_group}-{kind}", channel)
                row = {"id": uuid.uuid4().hex, "incident_id": incident_id,
                       "subject_pk": subject.id, "channel": channel, "recipient_kind": kind,
                       "notice_id": notices[key][0], "content_hash": notices[key][1],
                       "state": "pending", "attempts": 0, "created_at": utcnow()}
                rows.append(row)
                links += [{"delivery_id": row["id"], "obligation_id": o}
                          for j in subject.jurisdictions for o in obligations.get(j, [])]
        for chunk in _chunks(rows):
            s.execute(insert(Delivery), chunk)
        for chunk in _chunks(links):
            s.execute(insert(DeliveryObligation), chunk)
    return len(rows)


def _individual_obligations(s: Session, incident_id: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for pk, jurisdiction in s.exec(select(Obligation.id, Obligation.jurisdiction).where(
            Obligation.incident_id == incident_id, Obligation.audience == "individuals",
            col(Obligation.required))):
        found[jurisdiction].append(pk or 0)
    return found


def _notice_ids(s: Session, incident_id: str) -> dict[tuple[str, str], tuple[int, str]]:
    return {(n.group_key, n.channel): (n.id or 0, n.content_hash)
            for n in s.exec(select(Notice).where(Notice.incident_id == incident_id))}


def claim(incident_id: str, channel: str, limit: int) -> tuple[str, list[Delivery]]:
    """Atomically take up to `limit` due pending rows of one channel for this process."""
    token = uuid.uuid4().hex
    now = utcnow()
    with db.session() as s:
        due = (select(Delivery.id).where(
            Delivery.incident_id == incident_id, Delivery.channel == channel,
            Delivery.state == "pending",
            or_(col(Delivery.lease_until).is_(None), col(Delivery.lease_until) <= now))
            .order_by(col(Delivery.notice_id)).limit(limit))
        if s.get_bind().dialect.name == "postgresql":
            # Workers on several hosts share the ledger: each skips the rows another holds.
            due = due.with_for_update(skip_locked=True)
        ids = list(s.exec(due))
        if not ids:
            return token, []
        s.execute(update(Delivery).where(col(Delivery.id).in_(ids), Delivery.state == "pending")
                  .values(state="claimed", claim_token=token, claimed_by=steps.OWNER,
                          attempts=Delivery.attempts + 1, lease_until=now + LEASE,
                          updated_at=now))
        claimed = list(s.exec(select(Delivery).where(Delivery.claim_token == token,
                                                      Delivery.state == "claimed")))
    return token, claimed


def record(results: list[Result], *, token: str) -> dict[str, int]:
    """Write the outcome of one batch. Only rows still held by this claim move."""
    counts: dict[str, int] = defaultdict(int)
    now = utcnow()
    with db.session() as s:
        for result in results:
            values: dict[str, Any] = {"updated_at": now, "last_error": result.error}
            if result.outcome is Outcome.ACCEPTED:
                values |= {"state": "accepted", "provider_id": result.provider_id}
            elif result.outcome is Outcome.FAILED:
                values |= {"state": "failed"}
            elif result.outcome is Outcome.UNKNOWN:
                values |= {"state": "unknown"}
            else:
                delay = result.retry_after or backoff(1)
                values |= {"state": "pending", "lease_until": now + timedelta(seconds=delay)}
            s.execute(update(Delivery).where(Delivery.id == result.delivery_id,
                                             Delivery.claim_token == token,
                                             Delivery.state == "claimed").values(**values))
            counts[str(values["state"])] += 1
    return dict(counts)


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter, capped at five minutes."""
    return random.uniform(0, min(300.0, 2.0 ** attempt))  # noqa: S311 - jitter, not security


def stale(incident_id: str, *, older_than: timedelta) -> list[Delivery]:
    """Rows whose outcome nobody will report: unknown ones past the window, and claims whose
    holder is gone (its process died) or whose lease ran out."""
    now = utcnow()
    with db.session() as s:
        candidates = list(s.exec(select(Delivery).where(
            Delivery.incident_id == incident_id,
            or_(and_(Delivery.state == "unknown", col(Delivery.updated_at) <= now - older_than),
                Delivery.state == "claimed"))))
    return [d for d in candidates if d.state == "unknown"
            or (d.lease_until is not None and d.lease_until <= now)
            or not steps.owner_alive(d.claimed_by)]


def settle(found: dict[str, str | None]) -> dict[str, int]:
    """Apply reconciliation: seen at the provider -> accepted; not seen -> pending again."""
    counts = {"accepted": 0, "pending": 0, "failed": 0}
    with db.session() as s:
        for delivery_id, provider_id in found.items():
            delivery = s.get(Delivery, delivery_id)
            if delivery is None or delivery.state not in ("claimed", "unknown"):
                continue
            if provider_id:
                delivery.state, delivery.provider_id = "accepted", provider_id
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.state, delivery.last_error = "failed", "attempts-exhausted"
            else:
                delivery.state, delivery.lease_until = "pending", None
            delivery.updated_at = utcnow()
            counts[delivery.state] += 1
    return counts


def fall_back(incident_id: str) -> int:
    """Move people whose channel failed permanently to their next usable channel; people with
    none left become unreachable (the public announcement covers them)."""
    created = 0
    with db.session() as s:
        failed = list(s.exec(select(Delivery).where(
            Delivery.incident_id == incident_id, Delivery.state.in_(("failed", "bounced")))))  # type: ignore[attr-defined]
        if not failed:
            return 0
        taken = {(d.subject_pk, d.recipient_kind, d.channel) for d in s.exec(
            select(Delivery).where(Delivery.incident_id == incident_id))}
        live = {(pk, kind) for pk, kind in s.exec(select(Delivery.subject_pk, Delivery.recipient_kind)
                .where(Delivery.incident_id == incident_id, ~col(Delivery.state).in_(("failed", "bounced"))))}
        notices = _notice_ids(s, incident_id)
        for delivery in failed:
            if (delivery.subject_pk, delivery.recipient_kind) in live:
                continue
            subject = s.get(AffectedSubject, delivery.subject_pk)
            assert subject is not None
            options = subject.channels if delivery.recipient_kind == "subject" else (
                ["email"] * bool(subject.guardian_email) + ["sms"] * bool(subject.guardian_phone))
            remaining = [c for c in options
                         if (delivery.subject_pk, delivery.recipient_kind, c) not in taken]
            if not remaining:
                if delivery.recipient_kind == "subject":
                    subject.unreachable = True
                continue
            key = (f"{subject.notice_group}-{delivery.recipient_kind}", remaining[0])
            nxt = Delivery(incident_id=incident_id, subject_pk=delivery.subject_pk,
                           channel=remaining[0], recipient_kind=delivery.recipient_kind,
                           notice_id=notices[key][0], content_hash=notices[key][1])
            s.add(nxt)
            s.flush()
            for link in s.exec(select(DeliveryObligation).where(
                    DeliveryObligation.delivery_id == delivery.id)):
                s.add(DeliveryObligation(delivery_id=nxt.id, obligation_id=link.obligation_id))
            taken.add((delivery.subject_pk, delivery.recipient_kind, remaining[0]))
            live.add((delivery.subject_pk, delivery.recipient_kind))
            created += 1
    return created


def open_counts(incident_id: str) -> dict[str, int]:
    """Rows still to settle per channel (pending, claimed or unknown)."""
    with db.session() as s:
        return {channel: n for channel, n in s.exec(
            select(Delivery.channel, func.count()).where(
                Delivery.incident_id == incident_id,
                col(Delivery.state).in_(("pending", "claimed", "unknown")))
            .group_by(Delivery.channel))}


def next_due(incident_id: str) -> datetime | None:
    with db.session() as s:
        return s.exec(select(func.min(Delivery.lease_until)).where(
            Delivery.incident_id == incident_id, Delivery.state == "pending")).first()


def counts(session: Session, incident_id: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for channel, state, n in session.exec(
            select(Delivery.channel, Delivery.state, func.count())
            .where(Delivery.incident_id == incident_id)
            .group_by(Delivery.channel, Delivery.state)):
        found[channel][state] = n
    return dict(found)


def fail_unserved(incident_id: str, served: set[str]) -> int:
    """Pending rows of a channel nobody configured fail at once, so the ladder moves on."""
    with db.session() as s:
        result = s.execute(update(Delivery).where(
            Delivery.incident_id == incident_id, Delivery.state == "pending",
            ~col(Delivery.channel).in_(served)).values(
            state="failed", last_error="channel-not-configured", updated_at=utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
