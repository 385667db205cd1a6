"""The delivery ledger: exactly-once in effect.

A Delivery row exists (pending) before any provider call, is claimed atomically with a token,
an owner and a lease, carries its id to the provider, and only moves forward:

    pending -> claimed -> accepted -> delivered | bounced | failed
                      \\-> unknown -> (reconciled) accepted | pending again

`unknown` (timeout, reset, 5xx after sending) is reconciled with the provider before anything
is sent again, with the same id. Provider events (signed webhooks) only ever raise a row's
rank, so a duplicated or late event changes nothing. A transient refusal (429, queue full) puts
the row back to pending after exponential backoff with jitter, or the provider's Retry-After.
A permanent failure, a bounce, an undelivered callback or a returned letter moves the person to the
next channel of the ladder (`BREACHFLOW_LADDER`, default email,sms,voice,push,letter: written
notice last, where nothing faster reached them); minors' guardians get their own
rows; a person with every channel exhausted is unreachable and the public announcement covers
them. The incident's `sending` switch pauses or cancels all of it."""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, text, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from incidents import audit, db, holds, steps
from incidents.channels.base import Outcome, Result
from incidents.exceptions import InputError, NotFound
from incidents.models import (
    AffectedSubject,
    Delivery,
    DeliveryObligation,
    Incident,
    Notice,
    Obligation,
)
from incidents.sqltypes import utcnow
from regulators import lawful_channels

LADDER = ("email", "sms", "voice", "push", "letter")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BACKOFF_CAP = 300.0
OPEN = ("pending", "claimed", "unknown")
FINAL = ("accepted", "delivered", "bounced", "failed", "cancelled")
DEAD = ("failed", "bounced")  # this channel will not reach the person: fall back
RANK = {"pending": 0, "claimed": 1, "unknown": 2, "accepted": 3, "delivered": 4,
        "bounced": 4, "failed": 4, "cancelled": 4}
SENDING = ("active", "paused", "cancelled")


def ladder() -> tuple[str, ...]:
    """The fallback order of channels, from BREACHFLOW_LADDER (comma-separated)."""
    raw = os.environ.get("BREACHFLOW_LADDER")
    if not raw:
        return LADDER
    order = tuple(c.strip().lower() for c in raw.split(",") if c.strip())
    unknown = [c for c in order if c not in LADDER]
    if unknown or not order:
        raise InputError(f"BREACHFLOW_LADDER: unknown channel(s) {', '.join(unknown) or '(none)'}; "
                         f"use some of {', '.join(LADDER)}")
    return order


def options(subject: AffectedSubject, kind: str, order: Iterable[str]) -> list[str]:
    """The channels that can reach this person (or their guardian) by a method every law of
    theirs accepts, in ladder order."""
    return _usable(subject.channels, subject.guardian_email, subject.guardian_phone, kind, order,
                   lawful(subject.jurisdictions, subject.electronic_consent))


def lawful(jurisdictions: Iterable[str], consent: bool | None) -> frozenset[str]:
    """The channels on which a notice counts under all of these laws (regulators' methods)."""
    return lawful_channels(tuple(sorted(jurisdictions)), consent=bool(consent))


def _usable(channels: list[str], guardian_email: str | None, guardian_phone: str | None,
            kind: str, order: Iterable[str], allowed: frozenset[str]) -> list[str]:
    if kind == "guardian":
        usable = {"email": bool(guardian_email), "sms": bool(guardian_phone),
                  "voice": bool(guardian_phone)}
    else:
        usable = dict.fromkeys(channels, True)
    return [c for c in order if usable.get(c) and c in allowed]


_write_lock = threading.Lock()


@contextmanager
def _writing() -> Iterator[None]:
    """One ledger write at a time per process on SQLite. Its busy handler sleeps in growing
    steps while another connection holds the write lock, so threads that collide wait far
    longer than the write takes; queueing them here costs nothing (SQLite allows one writer
    anyway). PostgreSQL writes in parallel and needs no such care."""
    if db.engine().dialect.name != "sqlite":
        yield
        return
    with _write_lock:
        yield


def _chunks(items: list[Any], size: int = 5000) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def plan(incident_id: str, served: Iterable[str] | None = None) -> int:
    """Create the pending rows: each person on their first usable served channel, guardians of
    minors too; a person no served channel reaches is marked unreachable. Idempotent: rows that
    exist are left as they are."""
    order = [c for c in ladder() if served is None or c in set(served)]
    with db.session() as s:
        existing = {(pk, kind) for pk, kind in s.exec(
            select(Delivery.subject_pk, Delivery.recipient_kind).where(
                Delivery.incident_id == incident_id))}
        obligations = _individual_obligations(s, incident_id)
        due = holds.due_by(s, incident_id)
        notices = _notice_ids(s, incident_id)
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        now = utcnow()
        # Columns, not objects: at a million people the ORM's per-row cost dominates.
        query = sa_select(*(col(c) for c in (
            AffectedSubject.id, AffectedSubject.channels, AffectedSubject.minor,
            AffectedSubject.guardian_email, AffectedSubject.guardian_phone,
            AffectedSubject.notice_group, AffectedSubject.jurisdictions,
            AffectedSubject.electronic_consent))).where(
            col(AffectedSubject.incident_id) == incident_id, col(AffectedSubject.in_directory))
        # Nobody is skipped: a person no served channel can reach (themselves or through a
        # guardian) becomes unreachable at once, so the announcement and the accounting see them.
        unserved: list[int] = []
        for found in s.connection().execute(query):
            pk, channels, minor, g_email, g_phone, group, jurisdictions, consent = tuple(found)
            kinds = ("subject", "guardian") if minor else ("subject",)
            allowed = lawful(jurisdictions, consent)
            if not any((pk, kind) in existing
                       or _usable(channels, g_email, g_phone, kind, order, allowed)
                       for kind in kinds):
                unserved.append(pk)
                continue
            for kind in kinds:
                if (pk, kind) in existing:
                    continue
                usable = _usable(channels, g_email, g_phone, kind, order, allowed)
                if not usable:
                    continue
                key = (f"{group}-{kind}", usable[0])
                row = {"id": uuid.uuid4().hex, "incident_id": incident_id,
                       "subject_pk": pk, "channel": usable[0], "recipient_kind": kind,
                       "notice_id": notices[key][0], "content_hash": notices[key][1],
                       "state": "pending", "attempts": 0, "created_at": now,
                       "unverified_resends": 0,
                       "due_by": min((due[j] for j in jurisdictions if j in due),
                                     default=due[holds.UNDATED_KEY])}
                rows.append(row)
                links += [{"delivery_id": row["id"], "obligation_id": o}
                          for j in jurisdictions for o in obligations.get(j, [])]
        connection = s.connection()
        for chunk in _chunks(rows):
            connection.execute(insert(Delivery.__table__), chunk)  # type: ignore[attr-defined]
        for chunk in _chunks(links):
            connection.execute(insert(DeliveryObligation.__table__), chunk)  # type: ignore[attr-defined]
        for chunk in _chunks(unserved):
            connection.execute(update(AffectedSubject).where(col(AffectedSubject.id).in_(chunk))
                               .values(unreachable=True))
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


# --- the kill switch ---------------------------------------------------------------------------


def sending(incident_id: str) -> str:
    with db.session() as s:
        incident = s.get(Incident, incident_id)
        return incident.sending if incident is not None else "active"


def set_sending(incident_id: str, state: str, *, actor: str | None = None) -> dict[str, int]:
    """Pause, resume (`active`) or cancel all sending for an incident. Batches in flight finish;
    no new claim is made while paused. Cancelling ends every open row as `cancelled`. With an
    `actor`, the change is written to the audit trail."""
    if state not in SENDING:
        raise InputError(f"sending: must be one of {', '.join(SENDING)}")
    with db.session() as s:
        incident = s.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        changed = incident.sending != state
        if actor and changed and incident.status == "closed":
            # A closed incident sends nothing more: a switch on it would only mislead the record.
            raise InputError(f"sending: incident {incident.external_id} is closed; nothing is "
                             f"left to {'resume' if state == 'active' else state.removesuffix('d')}",
                             field="sending")
        incident.sending = state
        if actor and changed:
            audit.record(s, incident_id=incident_id, actor=actor, action=f"sending.{state}",
                         detail={"sending": state})
        cancelled = 0
        if state == "cancelled":
            result = s.execute(update(Delivery).where(
                col(Delivery.incident_id) == incident_id, col(Delivery.state) == "pending")
                .values(state="cancelled", last_error="cancelled", updated_at=utcnow()))
            cancelled = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return {"cancelled": cancelled}


# --- claims and outcomes -----------------------------------------------------------------------


class Claimed(NamedTuple):
    """What sending needs of a claimed row (loading whole ORM rows cost more than the send)."""

    id: str
    incident_id: str
    subject_pk: int
    channel: str
    recipient_kind: str
    notice_id: int | None
    attempts: int


def claim(incident_id: str, channel: str, limit: int) -> tuple[str, list[Claimed]]:
    """Atomically take up to `limit` due pending rows of one channel for this process; none
    while the incident's sending is paused or cancelled."""
    token = uuid.uuid4().hex
    now = utcnow()
    with _writing(), db.session() as s:
        incident = s.get(Incident, incident_id)
        if incident is None or incident.sending != "active":
            return token, []
        # Earliest deadline first (the index's order, so no sort), then by notice; rows of a
        # jurisdiction on hold (law enforcement, a report that must be filed first) wait.
        due = (select(Delivery.id).where(
            col(Delivery.incident_id) == incident_id, col(Delivery.channel) == channel,
            col(Delivery.state) == "pending",
            or_(col(Delivery.lease_until).is_(None), col(Delivery.lease_until) <= now),
            not_held(holds.held_obligations(s, incident_id, now=now)))
            .order_by(col(Delivery.due_by), col(Delivery.notice_id)).limit(limit))
        if s.get_bind().dialect.name == "postgresql":
            # Workers on several hosts share the ledger: each skips the rows another holds.
            due = due.with_for_update(skip_locked=True)
        # One statement: choosing the rows and taking them cannot interleave with another
        # claim (SQLite runs it under its write lock; PostgreSQL skips the locked rows), so
        # two workers never pick the same rows and come back empty-handed.
        # Core, not the ORM: its session synchronisation would look up every updated row.
        connection = s.connection()
        columns = [col(getattr(Delivery, name)) for name in Claimed._fields]
        take = (update(Delivery).where(col(Delivery.id).in_(due.scalar_subquery()),
                                       col(Delivery.state) == "pending")
                .values(state="claimed", claim_token=token, claimed_by=steps.OWNER,
                        attempts=Delivery.attempts + 1, lease_until=now + LEASE, updated_at=now))
        if connection.dialect.update_returning:
            taken = connection.execute(take.returning(*columns))
        else:  # a database without UPDATE ... RETURNING (MySQL): read the claim back
            connection.execute(take)
            taken = connection.execute(sa_select(*columns).where(
                col(Delivery.claim_token) == token, col(Delivery.state) == "claimed"))
        claimed = [Claimed(*row) for row in taken]
    return token, claimed


def not_held(held: list[int]) -> ColumnElement[bool]:
    """Rows that satisfy none of these (held) obligations; no condition when none is held."""
    if not held:
        return true()
    return ~exists().where(col(DeliveryObligation.delivery_id) == col(Delivery.id),
                           col(DeliveryObligation.obligation_id).in_(held))


def held_ids(incident_id: str) -> list[int]:
    with db.session() as s:
        return holds.held_obligations(s, incident_id)


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 2^attempt seconds, capped at five minutes."""
    return random.uniform(0.5, max(0.5, min(BACKOFF_CAP, 2.0 ** attempt)))  # noqa: S311 - jitter


def record(results: list[Result], *, token: str,
           attempts: dict[str, int] | None = None) -> dict[str, int]:
    """Write the outcome of one batch. Only rows still held by this claim move: a provider
    event that already raised a row (a fast callback) is never overwritten. `attempts` (from
    the claim) saves reading them again."""
    now = utcnow()
    if attempts is None:
        with db.session() as s:
            attempts = dict(s.exec(select(Delivery.id, Delivery.attempts).where(
                col(Delivery.claim_token) == token)).all())
    # Rows with the same outcome move in one UPDATE ... WHERE id IN (...), never executemany:
    # sqlite3 gives up the GIL for every row of an executemany, and with the senders' threads
    # busy each row then waits out a thread switch (a batch of 1,000 took seconds).
    groups: dict[tuple[str, datetime | None, str | None, int], list[Result]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        state, lease, error = _next(result, attempts.get(result.delivery_id, 1), now)
        groups[(state, lease, error, 1 if result.error == "halted" else 0)].append(result)
        counts[state] += 1
    with _writing(), db.session() as s:
        connection = s.connection()
        for (state, lease, error, back), members in groups.items():
            for chunk in _chunks(members, 500):
                given = {r.delivery_id: r.provider_id for r in chunk if r.provider_id}
                provider: Any = Delivery.provider_id
                if len(given) == len(chunk) and len(set(given.values())) == 1:
                    provider = chunk[0].provider_id  # one request, one id: an e-mail batch
                elif given:
                    _write_provider_ids(connection, given, token=token)
                connection.execute(
                    update(Delivery).where(col(Delivery.id).in_([r.delivery_id for r in chunk]),
                                           col(Delivery.claim_token) == token,
                                           col(Delivery.state) == "claimed")
                    .values(state=state, lease_until=lease, last_error=error,
                            provider_id=provider, attempts=Delivery.attempts - back,
                            updated_at=now))
    return dict(counts)


def _write_provider_ids(connection: Any, given: dict[str, str], *, token: str) -> None:
    """One provider id per row (SMS SIDs) in one CASE statement, before the rows change state.
    Written as text: built from SQLAlchemy elements it cost more than the update itself."""
    table = connection.dialect.identifier_preparer.quote(Delivery.__tablename__)
    whens = " ".join(f"WHEN :d{n} THEN :p{n}" for n in range(len(given)))
    ids = ", ".join(f":d{n}" for n in range(len(given)))
    params: dict[str, str] = {"token": token}
    for n, (delivery_id, provider_id) in enumerate(given.items()):
        params[f"d{n}"], params[f"p{n}"] = delivery_id, provider_id
    connection.execute(text(
        f"UPDATE {table} SET provider_id = CASE id {whens} END "  # noqa: S608 - placeholders
        f"WHERE id IN ({ids}) AND claim_token = :token AND state = 'claimed'"), params)


def _next(result: Result, attempts: int, now: datetime) -> tuple[str, datetime | None, str | None]:
    """(state, lease_until, last_error) for one send result."""
    if result.outcome is Outcome.ACCEPTED:
        return "accepted", None, None
    if result.outcome is Outcome.FAILED:
        return "failed", None, result.error
    if result.outcome is Outcome.UNKNOWN:
        return "unknown", None, result.error
    if result.error == "halted":
        # The channel stopped before this one was sent: not an attempt, not a failure.
        return "pending", None, "halted"
    if attempts >= MAX_ATTEMPTS:
        return "failed", None, f"attempts-exhausted:{result.error}"
    delay = max(result.retry_after or 0.0, backoff(attempts))
    return "pending", now + timedelta(seconds=delay), result.error


def release(token: str) -> int:
    """Give back a claim nothing was sent for (the channel halted before it)."""
    with _writing(), db.session() as s:
        result = s.connection().execute(
            update(Delivery).where(col(Delivery.claim_token) == token,
                                   col(Delivery.state) == "claimed")
            .values(state="pending", lease_until=None, attempts=Delivery.attempts - 1,
                    updated_at=utcnow()))
        return int(result.rowcount or 0)


def stale(incident_id: str, *, older_than: timedelta) -> list[Delivery]:
    """Rows whose outcome nobody will report: unknown ones past the window, and claims whose
    holder is gone (its process died) or whose lease ran out."""
    now = utcnow()
    with db.session() as s:
        candidates = list(s.exec(select(Delivery).where(
            col(Delivery.incident_id) == incident_id,
            or_(and_(col(Delivery.state) == "unknown", col(Delivery.updated_at) <= now - older_than),
                col(Delivery.state) == "claimed"))))
    alive = {owner: steps.owner_alive(owner) for owner in {d.claimed_by for d in candidates}}
    return [d for d in candidates if d.state == "unknown"
            or (d.lease_until is not None and d.lease_until <= now)
            or not alive[d.claimed_by]]


# Channels whose provider id names one message (an e-mail request's id is shared by its batch).
PER_MESSAGE_IDS = frozenset({"sms", "voice"})


def settle(found: dict[str, str | None], *, unverified: bool = False) -> dict[str, int]:
    """Apply reconciliation: seen at the provider -> accepted; not seen -> pending again (with
    the same id). `unverified`: the provider cannot be asked, so a resend may be a duplicate."""
    counts = {"accepted": 0, "pending": 0, "failed": 0}
    with _writing(), db.session() as s:
        claimed_ids: set[str] = set()
        for delivery_id, provider_id in found.items():
            delivery = s.get(Delivery, delivery_id)
            if delivery is None or delivery.state not in ("claimed", "unknown"):
                continue
            if provider_id and delivery.channel in PER_MESSAGE_IDS:
                # Found by number: people who share a phone (a family's landline) must not be
                # credited with each other's message or call.
                owner = s.exec(select(Delivery.id).where(
                    col(Delivery.provider_id) == provider_id,
                    col(Delivery.id) != delivery_id)).first()
                if owner is not None or provider_id in claimed_ids:
                    # Its own message may be there too, behind the other one: a resend may
                    # repeat it, so it is counted.
                    provider_id = None
                    delivery.unverified_resends += 1
                else:
                    claimed_ids.add(provider_id)
            if provider_id:
                delivery.state, delivery.provider_id = "accepted", provider_id
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.state, delivery.last_error = "failed", "attempts-exhausted"
            else:
                if unverified:
                    delivery.unverified_resends += 1
                delivery.state, delivery.lease_until = "pending", None
            delivery.updated_at = utcnow()
            counts[delivery.state] += 1
    return counts


def apply_event(delivery_id: str, state: str, *, provider_id: str | None = None,
                error: str | None = None, at: datetime | None = None,
                channel: str | None = None) -> bool:
    """A provider event (webhook) for one row: applied only if it raises the row's rank, so a
    repeated, late or out-of-order event changes nothing. `channel` guards against an event
    of one provider naming another channel's row. Returns whether the row moved."""
    if state not in RANK:
        raise ValueError(f"unknown delivery state {state}")
    now = utcnow()
    values: dict[str, Any] = {"state": state, "updated_at": now}
    if provider_id:
        values["provider_id"] = func.coalesce(Delivery.provider_id, provider_id)
    if error:
        values["last_error"] = error
    if RANK[state] == 4:
        values["settled_at"] = at or now
    lower = [name for name, rank in RANK.items() if rank < RANK[state]]
    with _writing(), db.session() as s:
        guard = [col(Delivery.channel) == channel] if channel else []
        result = s.execute(update(Delivery).where(col(Delivery.id) == delivery_id,
                                                  col(Delivery.state).in_(lower), *guard)
                           .values(**values))
        return bool(result.rowcount)  # type: ignore[attr-defined]


# --- the ladder ----------------------------------------------------------------------------------


def fall_back(incident_id: str, served: Iterable[str] | None = None) -> int:
    """Move people whose channel failed permanently (or bounced) to their next usable channel;
    a person with nothing left, themselves or through a guardian, becomes unreachable."""
    order = [c for c in ladder() if served is None or c in set(served)]
    created = 0
    with _writing(), db.session() as s:
        columns = sa_select(*(col(c) for c in (
            Delivery.subject_pk, Delivery.recipient_kind, Delivery.channel, Delivery.state,
            Delivery.id, Delivery.due_by))).where(col(Delivery.incident_id) == incident_id)
        dead_people = {pk for (pk,) in s.connection().execute(
            select(Delivery.subject_pk).where(col(Delivery.incident_id) == incident_id,
                                              col(Delivery.state).in_(DEAD)))}
        if not dead_people:
            return 0
        # Rows by name (subject_pk, recipient_kind, channel, state, id, due_by), as selected above.
        rows = [r for chunk in _chunks(sorted(dead_people), 1000)
                for r in s.connection().execute(columns.where(col(Delivery.subject_pk).in_(chunk)))]
        dead = [r for r in rows if r.state in DEAD]
        taken = {(r.subject_pk, r.recipient_kind, r.channel) for r in rows}
        live = {(r.subject_pk, r.recipient_kind) for r in rows if r.state not in DEAD}
        notices = _notice_ids(s, incident_id)
        exhausted: set[int] = set()
        for row in dead:
            pk, kind, delivery_id = row.subject_pk, row.recipient_kind, row.id
            if (pk, kind) in live:
                continue
            subject = s.get(AffectedSubject, pk)
            if subject is None:
                continue
            remaining = [c for c in options(subject, kind, order) if (pk, kind, c) not in taken]
            if not remaining:
                exhausted.add(pk)
                continue
            key = (f"{subject.notice_group}-{kind}", remaining[0])
            nxt = Delivery(incident_id=incident_id, subject_pk=pk, channel=remaining[0],
                           recipient_kind=kind, notice_id=notices[key][0],
                           content_hash=notices[key][1], due_by=row.due_by)
            s.add(nxt)
            s.flush()
            for link in s.exec(select(DeliveryObligation).where(
                    DeliveryObligation.delivery_id == delivery_id)):
                s.add(DeliveryObligation(delivery_id=nxt.id, obligation_id=link.obligation_id))
            taken.add((pk, kind, remaining[0]))
            live.add((pk, kind))
            created += 1
        for pk in exhausted:
            if (pk, "subject") in live or (pk, "guardian") in live:
                continue  # the guardian (or the person) is still being reached
            subject = s.get(AffectedSubject, pk)
            if subject is not None:
                subject.unreachable = True
    return created


# --- counts ------------------------------------------------------------------------------------


def outcome_window() -> timedelta:
    """How long an accepted notice waits for the provider's delivered / bounced event before
    the run considers it settled (BREACHFLOW_OUTCOME_WINDOW, seconds; 0 without webhooks).
    A bounce inside the window moves the person down the ladder within the same run; a later
    one is recorded, and the next delivery run (`resume` of a failed step, the
    deliver_notices flow) sends the fallback."""
    return timedelta(seconds=float(os.environ.get("BREACHFLOW_OUTCOME_WINDOW", "0")))


def open_counts(incident_id: str, held: list[int] | None = None) -> dict[str, int]:
    """Rows still to settle per channel: pending, claimed or unknown, and accepted ones still
    inside the outcome window; pending rows of `held` obligations are left out (they wait for
    a hold or a filing, not for this run)."""
    window = outcome_window()
    settling: ColumnElement[bool] = col(Delivery.state).in_(OPEN)
    if window:
        settling = or_(settling, and_(col(Delivery.state) == "accepted",
                                      col(Delivery.updated_at) > utcnow() - window))
    if held:
        settling = and_(settling, or_(col(Delivery.state) != "pending", not_held(held)))
    with db.session() as s:
        return dict(s.exec(
            select(Delivery.channel, func.count()).where(
                col(Delivery.incident_id) == incident_id, settling)
            .group_by(Delivery.channel)).all())


def held_counts(incident_id: str, held: list[int]) -> int:
    """Pending rows that wait for a hold or a filing."""
    if not held:
        return 0
    with db.session() as s:
        return int(s.exec(select(func.count()).select_from(Delivery).where(
            col(Delivery.incident_id) == incident_id, col(Delivery.state) == "pending",
            ~not_held(held))).one())


def due_counts(incident_id: str, held: list[int] | None = None) -> dict[str, int]:
    """Pending rows per channel that may be claimed now."""
    now = utcnow()
    with db.session() as s:
        return dict(s.exec(
            select(Delivery.channel, func.count()).where(
                col(Delivery.incident_id) == incident_id, col(Delivery.state) == "pending",
                or_(col(Delivery.lease_until).is_(None), col(Delivery.lease_until) <= now),
                not_held(held or []))
            .group_by(Delivery.channel)).all())


def next_due(incident_id: str, held: list[int] | None = None) -> datetime | None:
    with db.session() as s:
        return s.exec(select(func.min(Delivery.lease_until)).where(
            col(Delivery.incident_id) == incident_id, col(Delivery.state) == "pending",
            not_held(held or []))).first()


def counts(session: Session, incident_id: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for channel, state, n in session.exec(
            select(Delivery.channel, Delivery.state, func.count())
            .where(col(Delivery.incident_id) == incident_id)
            .group_by(Delivery.channel, Delivery.state)):
        found[channel][state] = n
    return dict(found)


def unverified_resends(incident_id: str) -> int:
    with db.session() as s:
        return int(s.exec(select(func.coalesce(func.sum(Delivery.unverified_resends), 0)).where(
            col(Delivery.incident_id) == incident_id)).one())


def fail_unserved(incident_id: str, served: set[str]) -> int:
    """Pending rows of a channel nobody configured fail at once, so the ladder moves on."""
    with db.session() as s:
        result = s.execute(update(Delivery).where(
            col(Delivery.incident_id) == incident_id, col(Delivery.state) == "pending",
            ~col(Delivery.channel).in_(served)).values(
            state="failed", last_error="channel-not-configured", updated_at=utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
