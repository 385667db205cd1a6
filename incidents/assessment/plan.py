"""The plan: what notifying everyone will take, before anything is sent (a dry run).

For every jurisdiction x audience x channel: how many notices, the deadline and the time left,
the estimated cost from the org profile's unit prices, and whether the deadline is at risk given
the channel's sending rate. The cost per person is `assessment.notice_cost`, the very figure
the assessment hands the law engine as `Population.notice_cost_usd` for the substitute-notice
cost thresholds (California: more than $250,000), so the plan and the law agree by construction.

Sending rates are the ones the delivery pacing enforces (`incidents/channels/pacing.py`,
`BREACHFLOW_RATE_<CHANNEL>` per second; 0 = unlimited), so the plan predicts what the ledger
will do:

    email   10 requests/s     each request carries up to BREACHFLOW_EMAIL_BATCH (1,000)
                              personalizations: 10,000 notices/s
    sms     100 segments/s    a Twilio short code (long codes ~1/s, toll-free 3/s); a notice is
                              counted as SMS_SEGMENTS segments, as in the cost estimate
    voice   1 call/s          Twilio's default calls per second (CPS) per account
    push    500 messages/s
    letter  not modelled      print and post: BREACHFLOW_RATE_LETTER (letters/s) models it

The ledger sends by deadline (each notice is claimed in the order of the earliest deadline among
its laws; "without undue delay" counts as due at once), so a row is at risk when the notices of
its channel due by its deadline cannot all be sent before it (or the deadline has passed). The
`deadlines` list says, per deadline, whether the configured rates meet it on every channel.
Law-enforcement holds and a regulator that must be told first are not modelled."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from incidents import holds
from incidents.assessment.impact import SMS_SEGMENTS, UNKNOWN, notice_cost
from incidents.channels import pacing
from incidents.exceptions import InputError
from incidents.models import AffectedSubject, Incident, Obligation
from incidents.service import incident_facts
from incidents.sqltypes import JSONTexts, iso_z, json_text, utcnow
from regulators import get_regulator

CHANNEL_ORDER = ("email", "sms", "voice", "push", "letter")
PACED = ("email", "sms", "voice", "push")
LETTER_ENV = "BREACHFLOW_RATE_LETTER"
RATE_UNITS = {"email": "requests", "sms": "segments", "voice": "calls", "push": "messages",
              "letter": "letters"}
# Audiences other than individuals are told once, through a document.
AUDIENCE_CHANNEL = {"regulator": "report", "credit_agencies": "report", "public": "announcement",
                    "media": "press release"}


class PlanRow(BaseModel):
    """One jurisdiction x audience x channel x recipient line. A field that does not apply to a
    row is absent from its JSON, not null (queue_hours, without_postal_address, risk)."""

    jurisdiction: str
    audience: str
    required: bool
    needs_review: bool
    substitute_notice: bool
    deadline: str | None
    deadline_rule: str
    time_left_hours: float | None
    channel: str | None
    recipient: str | None
    count: int | None
    cost_usd: float | None
    send_hours: float | None
    queue_hours: float | None = None
    without_postal_address: int | None = None
    at_risk: bool | None = None
    risk: str | None = None


class PlanRate(BaseModel):
    per_second: float | None
    unit: str
    per_notice: float
    setting: str


class PlanChannel(BaseModel):
    notices: int
    cost_usd: float
    send_hours: float | None


class JurisdictionCost(BaseModel):
    individuals_usd: float
    guardians_usd: float


class PlanCosts(BaseModel):
    by_jurisdiction: dict[str, JurisdictionCost]
    total_usd: float
    note: str


class AtRisk(BaseModel):
    jurisdiction: str
    audience: str
    channel: str | None
    recipient: str | None
    count: int | None
    deadline: str | None
    risk: str


class DeadlineChannel(BaseModel):
    notices: int  # notices on this channel due by the deadline (sent before it)
    send_hours: float | None
    met: bool | None  # None: the channel's rate is not modelled


class PlanDeadline(BaseModel):
    """One individual-notice deadline: whether the configured rates send, on each channel,
    every notice due by then before it."""

    deadline: str
    jurisdictions: list[str]
    time_left_hours: float
    channels: dict[str, DeadlineChannel]
    met: bool | None


class Plan(BaseModel):
    """The plan document (`plan --json`, `charts/plan.json`, the `plan` of `assess --json`):
    counts, times and money only, no personal data."""

    generated_at: str
    aware_at: str
    aware_at_source: str
    determined_at: str
    rates: dict[str, PlanRate]
    unit_prices: dict[str, Any]
    channels: dict[str, PlanChannel]
    rows: list[PlanRow]
    costs: PlanCosts
    at_risk: list[AtRisk]
    deadlines: list[PlanDeadline]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


def email_batch() -> int:
    """Personalizations per SendGrid request, as the e-mail channel reads it."""
    try:
        return max(1, min(1000, int(os.environ.get("BREACHFLOW_EMAIL_BATCH", "1000"))))
    except ValueError:
        raise InputError("BREACHFLOW_EMAIL_BATCH: not a whole number",
                         field="BREACHFLOW_EMAIL_BATCH") from None


def per_notice() -> dict[str, float]:
    """Rate units one notice uses per channel."""
    return {"email": 1 / email_batch(), "sms": float(SMS_SEGMENTS), "voice": 1.0, "push": 1.0,
            "letter": 1.0}


def rates() -> dict[str, float | None]:
    """Sending rates per second (0 = unlimited, None = not modelled), as the pacing enforces."""
    found: dict[str, float | None] = {}
    for channel in PACED:
        try:
            found[channel] = pacing.rate_from_env(channel)
        except ValueError as error:
            raise InputError(str(error), field=f"BREACHFLOW_RATE_{channel.upper()}") from None
    raw = os.environ.get(LETTER_ENV, "").strip()
    try:
        letter = float(raw) if raw else None
    except ValueError:
        raise InputError(f"{LETTER_ENV} must be a number (per second)", field=LETTER_ENV) from None
    if letter is not None and letter < 0:
        raise InputError(f"{LETTER_ENV} must not be negative", field=LETTER_ENV)
    found["letter"] = letter
    return found


def send_seconds(notices: int, channel: str, rate: float | None, *,
                 units: float | None = None) -> float | None:
    """How long `notices` take at `rate` units per second (None: not modelled; 0: unlimited)."""
    if rate is None or channel not in RATE_UNITS:
        return None
    if rate == 0:
        return 0.0
    return notices * (per_notice()[channel] if units is None else units) / rate


def unit_cost(channel: str, prices: dict[str, float]) -> float:
    """One notice on `channel`, priced as the law engine prices it."""
    return notice_cost([channel] if channel != "letter" else [], prices)


@dataclass
class _Cell:
    notices: int = 0
    cost: float = 0.0
    without_address: int = 0


@dataclass
class _Counts:
    subjects: dict[str, dict[str, _Cell]] = field(default_factory=lambda: defaultdict(
        lambda: defaultdict(_Cell)))
    guardians: dict[str, dict[str, _Cell]] = field(default_factory=lambda: defaultdict(
        lambda: defaultdict(_Cell)))
    # Each person gets one notice per channel whatever the number of laws: the queue per channel.
    queue: Counter[str] = field(default_factory=Counter)
    cost: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # Per channel: notices per due date (the earliest deadline among each person's laws).
    by_due: dict[str, Counter[datetime]] = field(default_factory=lambda: defaultdict(Counter))

    def due_by(self, channel: str, deadline: datetime) -> int:
        """Notices on `channel` the ledger sends before those due after `deadline`."""
        return sum(n for due, n in self.by_due[channel].items() if due <= deadline)


def _count(session: Session, incident: Incident) -> _Counts:
    facts = incident_facts(incident)
    prices = incident.org.get("unit_prices", {})

    @cache
    def triggers(code: str, categories: frozenset[str]) -> bool:
        return get_regulator(code).triggered_by(categories, facts)

    counts = _Counts()
    due_of = holds.due_by(session, incident.id)

    @cache
    def due_for(codes: tuple[str, ...]) -> datetime:
        return min((due_of[c] for c in codes if c in due_of), default=due_of[holds.UNDATED_KEY])

    decoded = JSONTexts()
    frozen_of: Callable[[tuple[str, ...]], frozenset[str]] = cache(frozenset)  # one per list
    query = sa_select(
        json_text(AffectedSubject.jurisdictions), json_text(AffectedSubject.data_categories),
        json_text(AffectedSubject.channels), col(AffectedSubject.minor),
        col(AffectedSubject.guardian_email), col(AffectedSubject.guardian_phone),
        # Whether there is an address, not the address: no person's data is read here.
        col(AffectedSubject.postal_address).is_not(None)).where(
        col(AffectedSubject.incident_id) == incident.id)
    for codes_text, categories_text, channels_text, minor, guardian_email, guardian_phone, address in (
            session.execute(query)):
        codes, categories, channels = (decoded(codes_text), decoded(categories_text),
                                       decoded(channels_text))
        channel = channels[0] if channels else "letter"
        cost = notice_cost(channels, prices)
        counts.queue[channel] += 1
        counts.cost[channel] += cost
        due = due_for(codes or ())
        counts.by_due[channel][due] += 1
        guardian = ("email" if guardian_email else "sms") if minor and (
            guardian_email or guardian_phone) else None
        if guardian:
            counts.by_due[guardian][due] += 1
            counts.queue[guardian] += 1
            counts.cost[guardian] += unit_cost(guardian, prices)
        frozen = frozen_of(categories)
        for code in codes or [UNKNOWN]:
            if code != UNKNOWN and not triggers(code, frozen):
                continue
            cell = counts.subjects[code][channel]
            cell.notices += 1
            cell.cost += cost
            cell.without_address += int(channel == "letter" and not address)
            if guardian:
                kept = counts.guardians[code][guardian]
                kept.notices += 1
                kept.cost += unit_cost(guardian, prices)
    return counts


def _hours(value: float | timedelta | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    return round(seconds / 3600, 2)


def _risk(row: dict[str, Any], *, deadline: datetime | None, now: datetime,
          queue_seconds: float | None) -> None:
    if deadline is None:
        row["at_risk"] = None
        return
    if deadline <= now:
        row["at_risk"], row["risk"] = True, "the deadline has passed"
        return
    if queue_seconds is not None and now + timedelta(seconds=queue_seconds) > deadline:
        row["at_risk"] = True
        row["risk"] = (f"sending the {row['channel']} queue takes {queue_seconds / 3600:,.1f} h; "
                       f"the deadline is in {(deadline - now).total_seconds() / 3600:,.1f} h")
        return
    row["at_risk"] = False


def build(session: Session, incident: Incident, *, now: datetime | None = None,
          channel_rates: dict[str, float | None] | None = None) -> Plan:
    """The plan document (counts, times and money only: no personal data)."""
    now = now or utcnow()
    channel_rates = rates() if channel_rates is None else channel_rates
    prices = dict(incident.org.get("unit_prices", {}))
    counts = _count(session, incident)
    units = per_notice()
    queue_seconds = {channel: send_seconds(n, channel, channel_rates.get(channel))
                     for channel, n in counts.queue.items()}
    obligations = session.exec(select(Obligation).where(Obligation.incident_id == incident.id)
                               .order_by(col(Obligation.jurisdiction), col(Obligation.id))).all()
    rows: list[dict[str, Any]] = []
    for o in obligations:
        base = {"jurisdiction": o.jurisdiction, "audience": o.audience, "required": o.required,
                "needs_review": o.needs_review, "substitute_notice": o.substitute_notice,
                "deadline": iso_z(o.deadline), "deadline_rule": o.deadline_rule,
                "time_left_hours": _hours(o.deadline - now) if o.deadline else None}
        if o.audience != "individuals":
            row = {**base, "channel": AUDIENCE_CHANNEL.get(o.audience, "report"),
                   "recipient": o.recipient, "count": o.count, "cost_usd": None,
                   "send_hours": None}
            _risk(row, deadline=o.deadline, now=now, queue_seconds=None)
            rows.append(row)
            continue
        cells = [("subjects", ch, cell) for ch, cell in counts.subjects.get(o.jurisdiction, {}).items()]
        cells += [("guardians", ch, cell) for ch, cell in counts.guardians.get(o.jurisdiction, {}).items()]
        if not cells:
            row = {**base, "channel": None, "recipient": "subjects", "count": 0, "cost_usd": 0.0,
                   "send_hours": None}
            _risk(row, deadline=None, now=now, queue_seconds=None)
            rows.append(row)
        for recipient, channel, cell in sorted(cells, key=lambda c: (
                c[0] != "subjects", CHANNEL_ORDER.index(c[1]))):
            # Sent by deadline: only what is due by this one goes before it.
            ahead = queue_seconds.get(channel) if o.deadline is None else send_seconds(
                counts.due_by(channel, o.deadline), channel, channel_rates.get(channel))
            row = {**base, "channel": channel, "recipient": recipient, "count": cell.notices,
                   "cost_usd": round(cell.cost, 4),
                   "send_hours": _hours(send_seconds(cell.notices, channel, channel_rates.get(channel))),
                   "queue_hours": _hours(ahead)}
            if channel == "letter":
                row["without_postal_address"] = cell.without_address
            _risk(row, deadline=o.deadline, now=now, queue_seconds=ahead)
            rows.append(row)
    by_jurisdiction = {
        code: {"individuals_usd": round(sum(c.cost for c in cells.values()), 4),
               "guardians_usd": round(sum(c.cost for c in counts.guardians.get(code, {}).values()), 4)}
        for code, cells in sorted(counts.subjects.items())}
    return Plan.model_validate({
        "generated_at": iso_z(now), "aware_at": iso_z(incident.aware_at),
        "aware_at_source": incident.aware_at_source, "determined_at": iso_z(incident.determined_at),
        "rates": {ch: {"per_second": r, "unit": RATE_UNITS[ch], "per_notice": round(units[ch], 6),
                       "setting": f"BREACHFLOW_RATE_{ch.upper()}"} for ch, r in channel_rates.items()},
        "unit_prices": prices,
        "channels": {ch: {"notices": counts.queue[ch], "cost_usd": round(counts.cost[ch], 4),
                          "send_hours": _hours(queue_seconds[ch])}
                     for ch in CHANNEL_ORDER if ch in counts.queue},
        "rows": rows,
        "costs": {"by_jurisdiction": by_jurisdiction,
                  "total_usd": round(sum(counts.cost.values()), 4),
                  "note": "individuals_usd is the notice cost the law engine compared with the "
                          "substitute-notice cost thresholds"},
        "at_risk": [{k: r[k] for k in ("jurisdiction", "audience", "channel", "recipient", "count",
                                       "deadline", "risk")} for r in rows if r.get("at_risk")],
        "deadlines": _deadlines(obligations, counts, channel_rates, now=now),
    })


def _deadlines(obligations: Any, counts: _Counts, channel_rates: dict[str, float | None], *,
               now: datetime) -> list[dict[str, Any]]:
    """Per dated individual-notice deadline: on each channel, the notices due by then, the
    hours the configured rate needs for them, and whether they fit in the time left."""
    by_deadline: dict[datetime, set[str]] = defaultdict(set)
    for o in obligations:
        if o.audience == "individuals" and o.required and o.deadline is not None:
            by_deadline[o.deadline].add(o.jurisdiction)
    found = []
    for deadline, codes in sorted(by_deadline.items()):
        left = (deadline - now).total_seconds()
        channels: dict[str, dict[str, Any]] = {}
        for channel in CHANNEL_ORDER:
            notices = counts.due_by(channel, deadline)
            if not notices:
                continue
            seconds = send_seconds(notices, channel, channel_rates.get(channel))
            channels[channel] = {"notices": notices, "send_hours": _hours(seconds),
                                 "met": None if seconds is None else left > 0 and seconds <= left}
        verdicts = [c["met"] for c in channels.values() if c["met"] is not None]
        found.append({"deadline": iso_z(deadline), "jurisdictions": sorted(codes),
                      "time_left_hours": _hours(left), "channels": channels,
                      "met": all(verdicts) if verdicts else None})
    return found


def text(plan: Plan) -> str:
    """The plan as a table for a terminal."""
    lines = [f"Aware since {plan.aware_at} ({plan.aware_at_source}); plan made {plan.generated_at}",
             f"{'jurisdiction':<10} {'audience':<15} {'channel':<13} {'count':>9} {'cost USD':>11} "
             f"{'deadline':<21} {'left h':>8} {'send h':>7}  risk"]
    for r in plan.rows:
        if not r.required and not r.needs_review:
            continue
        cost = "" if r.cost_usd is None else f"{r.cost_usd:,.2f}"
        left = "" if r.time_left_hours is None else f"{r.time_left_hours:,.1f}"
        send = "" if r.queue_hours is None else f"{r.queue_hours:,.1f}"
        who = f"{r.channel or '-'}" + (" (guardians)" if r.recipient == "guardians" else "")
        lines.append(f"{r.jurisdiction:<10} {r.audience:<15} {who:<13} {r.count or 0:>9,} "
                     f"{cost:>11} {(r.deadline or r.deadline_rule)[:21]:<21} {left:>8} {send:>7}"
                     f"  {r.risk or ''}")
    lines.append(f"Estimated cost of individual notices: ${plan.costs.total_usd:,.2f}")
    for channel, figures in plan.channels.items():
        hours = figures.send_hours
        lines.append(f"  {channel:<7} {figures.notices:>9,} notices, ${figures.cost_usd:,.2f}"
                     + (f", {hours:,.1f} h to send" if hours is not None else ", sending time not modelled"))
    if plan.deadlines:
        lines.append("Deadlines (notices are sent earliest deadline first):")
    for d in plan.deadlines:
        verdict = {True: "met", False: "NOT MET", None: "not modelled"}[d.met]
        lines.append(f"  {d.deadline} ({', '.join(d.jurisdictions)}): {verdict} at the configured "
                     "rates — " + "; ".join(
                         f"{ch} {c.notices:,} due by then"
                         + ("" if c.send_hours is None else f" in {c.send_hours:,.1f} h")
                         for ch, c in d.channels.items()))
    if plan.at_risk:
        lines.append(f"{len(plan.at_risk)} deadlines at risk")
    return "\n".join(lines)
