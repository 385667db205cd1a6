"""Deadline alerts: tell the responders, through Apprise, when 50, 75 and 90 % of an open
obligation's time has passed and when it is overdue; each alert once.

A DeadlineAlert row is written (unique per obligation and level) before Apprise is called, so
two watchers never both send; a failed send is retried by the next watch. When a watch finds
several levels due at once (it was down), it sends the highest and marks the others skipped.
A law-enforcement hold (incidents/holds.py) that reached its end unreleased is alerted once too:
its notices go out on `breachflow resume`, which the watch prepares by setting the notification
step to run again.
Alerts carry the incident's external_id, the jurisdiction, audience, deadline and citation:
no personal data."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from incidents import db, steps
from incidents.alerts import send as alerting
from incidents.models import DeadlineAlert, Hold, Incident, Obligation, RegulatorReport, Step
from incidents.sqltypes import utcnow

logger = logging.getLogger("breachflow.deadlines")

LEVELS = (50, 75, 90, 100)
URLS_ENV = "BREACHFLOW_ALERT_URLS"
# A send that never reported back (the watcher died mid-call) is tried again after this.
STALE_SENDING = timedelta(minutes=10)


@dataclass(frozen=True)
class Due:
    incident_id: str
    external_id: str
    obligation_id: int
    level: int
    jurisdiction: str
    audience: str
    deadline: datetime
    citation: str
    # Each phase of a report is its own obligation with its own deadline (Japan 速報/確報).
    phase: str = "initial"


def alert_urls() -> list[str]:
    """Apprise URLs (chat, e-mail, ...) from BREACHFLOW_ALERT_URLS, separated by spaces or commas."""
    return [u for u in re.split(r"[\s,]+", os.environ.get(URLS_ENV, "")) if u]


def clock_start(incident: Incident, deadline_rule: str) -> datetime:
    """The moment the law's clock started, read from the rule's wording."""
    rule = deadline_rule.lower()
    if "determination" in rule:
        return incident.determined_at
    if "detection" in rule:
        return incident.detected_at
    return incident.aware_at


def due_level(*, start: datetime, deadline: datetime, now: datetime) -> int | None:
    """The highest alert level reached at `now`, or None before 50 %."""
    if now >= deadline:
        return 100
    total = (deadline - start).total_seconds()
    if total <= 0:
        return 100
    used = 100 * (now - start).total_seconds() / total
    reached = [level for level in LEVELS[:-1] if used >= level]
    return reached[-1] if reached else None


def fulfilled(s: Session, incident: Incident, o: Obligation) -> bool:
    if o.fulfilled_at is not None:
        return True
    if o.audience == "regulator":
        return s.exec(select(RegulatorReport.id).where(
            RegulatorReport.obligation_id == o.id,
            col(RegulatorReport.filed_at).is_not(None))).first() is not None
    if o.audience == "individuals":
        return s.exec(select(Step.id).where(Step.incident_id == incident.id,
                                            Step.name == "notification",
                                            Step.state == "done")).first() is not None
    return False


def due_alerts(*, now: datetime) -> list[Due]:
    """Every alert due now and not yet sent or skipped (failed and stale sends included)."""
    found: list[Due] = []
    with db.session() as s:
        rows = s.exec(select(Obligation, Incident).join(
            Incident, col(Incident.id) == col(Obligation.incident_id)).where(
            # A closed incident still owes its unfiled reports (close does not wait for
            # filings): their phases stay watched until filed.
            or_(col(Incident.status) == "open",
                and_(col(Incident.status) == "closed", col(Obligation.audience) == "regulator")),
            col(Obligation.required),
            col(Obligation.deadline).is_not(None))).all()
        for o, incident in rows:
            if o.deadline is None or o.id is None:
                continue
            level = due_level(start=clock_start(incident, o.deadline_rule), deadline=o.deadline,
                              now=now)
            if level is None or fulfilled(s, incident, o):
                continue
            alert = s.exec(select(DeadlineAlert).where(DeadlineAlert.obligation_id == o.id,
                                                       DeadlineAlert.level == level)).first()
            retry = alert is not None and (alert.state == "failed" or (
                alert.state == "sending" and alert.created_at <= now - STALE_SENDING))
            if alert is None or retry:
                found.append(Due(incident.id, incident.external_id, o.id, level, o.jurisdiction,
                                 o.audience, o.deadline, o.citation, o.phase))
    return found


def _claim(due: Due, *, now: datetime) -> bool:
    """Take the alert for this process; False when another watcher holds or sent it."""
    try:
        with db.session() as s:
            taken = s.execute(update(DeadlineAlert).where(
                col(DeadlineAlert.obligation_id) == due.obligation_id,
                col(DeadlineAlert.level) == due.level,
                or_(col(DeadlineAlert.state) == "failed",
                    and_(col(DeadlineAlert.state) == "sending",
                         col(DeadlineAlert.created_at) <= now - STALE_SENDING)))
                .values(state="sending", attempts=DeadlineAlert.attempts + 1, created_at=now))
            if int(taken.rowcount or 0):  # type: ignore[attr-defined]
                return True
            levels = set(s.exec(select(DeadlineAlert.level).where(
                DeadlineAlert.obligation_id == due.obligation_id)))
            if due.level in levels:
                return False
            for level in LEVELS:
                if level < due.level and level not in levels:
                    s.add(DeadlineAlert(incident_id=due.incident_id, obligation_id=due.obligation_id,
                                        level=level, state="skipped", created_at=now))
            s.add(DeadlineAlert(incident_id=due.incident_id, obligation_id=due.obligation_id,
                                level=due.level, state="sending", created_at=now))
        return True
    except IntegrityError:
        return False


def _left(deadline: datetime, now: datetime) -> str:
    seconds = int((deadline - now).total_seconds())
    sign, seconds = ("overdue by " if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    return f"{sign}{days}d {rest // 3600}h" + ("" if sign else " left")


def message(due: Due, *, now: datetime) -> tuple[str, str]:
    """Title and body of one alert (ids, rules and times only)."""
    what = "OVERDUE" if due.level == 100 else f"{due.level}% of the time used"
    deadline = due.deadline.isoformat().replace("+00:00", "Z")
    kind = (f"{due.phase} report" if due.audience == "regulator" else "notice")
    title = f"breachflow {due.external_id}: {due.jurisdiction} {due.audience} {kind} {what}"
    phase = f" ({due.phase} phase)" if due.audience == "regulator" else ""
    body = (f"Incident {due.external_id} ({due.incident_id}): the {due.audience} obligation of "
            f"{due.jurisdiction}{phase} is due {deadline} ({_left(due.deadline, now)}).\n"
            f"Citation: {due.citation}")
    return title, body


def ended_holds(*, now: datetime) -> list[int]:
    """Holds of open incidents whose time ran out unreleased and were not alerted yet."""
    with db.session() as s:
        return [h for h in s.exec(select(Hold.id).join(
            Incident, col(Incident.id) == col(Hold.incident_id)).where(
            Incident.status == "open", col(Hold.released_at).is_(None), col(Hold.until) <= now,
            col(Hold.end_alerted_at).is_(None))) if h is not None]


def _hold_ended(hold_id: int, *, now: datetime, urls: list[str]) -> str | None:
    """Alert one ended hold, once: taken by setting end_alerted_at (another watcher finds it
    set); a failed send clears it for the next watch. Returns the error, if any."""
    with db.session() as s:
        taken = s.execute(update(Hold).where(col(Hold.id) == hold_id,
                                             col(Hold.end_alerted_at).is_(None))
                          .values(end_alerted_at=now))
        if not int(taken.rowcount or 0):  # type: ignore[attr-defined]
            return None
        hold = s.get(Hold, hold_id)
        incident = s.get(Incident, hold.incident_id) if hold else None
        if hold is None or incident is None:
            return None
        # Its notices go out on the next run: the notification (and the close) run again.
        steps.run_again(s, incident_id=incident.id, names=("notification", "close"))
        ref = incident.external_id
        title = f"breachflow {ref}: law-enforcement hold {hold.id} ended"
        body = (f"Incident {ref} ({incident.id}): the hold requested by {hold.agency} for "
                f"{', '.join(hold.jurisdictions)} ended {hold.until.isoformat()}. The notices it "
                f"held go out on `breachflow resume {ref}` (or extend it with a new hold).")
    error = alerting.send(urls, title, body)
    if error:
        with db.session() as s:
            s.execute(update(Hold).where(col(Hold.id) == hold_id).values(end_alerted_at=None))
    return error


def check(*, now: datetime | None = None, urls: list[str] | None = None) -> dict[str, int]:
    """One watch: send what is due. Counts only."""
    now = now or utcnow()
    urls = alert_urls() if urls is None else urls
    counts: dict[str, Any] = {"due": 0, "sent": 0, "failed": 0, "taken_elsewhere": 0}
    due = due_alerts(now=now)
    ended = ended_holds(now=now)
    counts["due"] = len(due) + len(ended)
    if ended and alerting.configured(urls):
        for hold_id in ended:
            error = _hold_ended(hold_id, now=now, urls=urls)
            counts["failed" if error else "sent"] += 1
    if due and not alerting.configured(urls):
        logger.warning("%d deadline alert(s) due but neither %s nor %s is set: nothing sent",
                       len(due), URLS_ENV, alerting.BLOCKS_ENV)
        return counts
    for item in due:
        if not _claim(item, now=now):
            counts["taken_elsewhere"] += 1
            continue
        error = alerting.send(urls, *message(item, now=now))
        with db.session() as s:
            s.execute(update(DeadlineAlert).where(
                col(DeadlineAlert.obligation_id) == item.obligation_id,
                col(DeadlineAlert.level) == item.level).values(
                state="failed" if error else "sent", sent_at=None if error else utcnow(),
                last_error=error))
        counts["failed" if error else "sent"] += 1
        if error:
            logger.warning("deadline alert for obligation %s failed: %s", item.obligation_id, error)
    return counts
