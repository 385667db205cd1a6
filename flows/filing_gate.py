"""The filing gate, one report per line: each report (jurisdiction, phase, deadline) gets its own
filed yes/no, time of filing with its zone, and regulator reference. It runs in the regulator
track's own flow run (flows/tracks.py), so it pauses that run only and never the notices going
out; that is also why it always pauses in process (a suspended subflow cannot be resumed).

An answer that cannot be recorded (a filing time in the future, without a zone, before
awareness; a report that is not waiting) is shown again with the problem and the other answers
kept; nothing is recorded until every answer can be. A "no" is recorded (audited) and ends the
regulator track: those reports stay outstanding until `breachflow filed` records them."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

from prefect import pause_flow_run
from prefect.exceptions import FlowPauseTimeout
from prefect.runtime import flow_run

from flows import gates
from incidents import audit, db, steps
from incidents.exceptions import InputError
from incidents.records import filing
from regulators.rules import EARLY_PHASES

logger = logging.getLogger("breachflow.gates")
STAGES = ("initial", "later")


def step_name(stage: str) -> str:
    return "gate:filing" if stage == "initial" else "gate:filing-later"


def waiting(incident_id: str, stage: str) -> list[dict[str, Any]]:
    """The reports of this stage not yet filed, as the form lists them."""
    with db.session() as s:
        return [{"report": r.id, "jurisdiction": r.jurisdiction, "phase": o.phase if o else "",
                 "deadline": o.deadline.isoformat() if o and o.deadline else "no fixed deadline"}
                for r, o in filing.reports_of(s, incident_id)
                if r.filed_at is None and ((o.phase if o else "initial") in EARLY_PHASES)
                == (stage == "initial")]


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def problems(incident_id: str, answers: list[dict[str, Any]],
             listed: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """(what cannot be recorded, the answers to show again with only the bad fields cleared)."""
    known = {row["report"]: row for row in listed}
    found: list[str] = []
    again: list[dict[str, Any]] = []
    given = {a.get("report") for a in answers}
    for row in listed:
        if row["report"] not in given:
            found.append(f"report {row['report']} ({row['jurisdiction']} {row['phase']}): "
                         "answer filed yes or no")
            again.append(row)
    with db.session() as s:
        for answer in answers:
            kept = {**known.get(answer.get("report"), {}), **answer}
            if answer.get("report") not in known:
                found.append(f"report {answer.get('report')}: not waiting for filing")
                continue
            label = f"report {answer['report']} ({kept['jurisdiction']} {kept['phase']})"
            if answer.get("filed") == "yes":
                try:
                    at = _when(answer.get("filed_at"))
                    if at is None:
                        raise InputError("filed_at: give when it was filed, with a time zone",
                                         field="filed_at")
                    filing.filed_at_checked(s, incident_id=incident_id, at=at)
                except (InputError, ValueError) as error:
                    found.append(f"{label}: {error}")
                    kept["filed_at"] = None
                try:
                    filing.reference_checked(answer.get("reference"))
                except InputError as error:
                    found.append(f"{label}: {error}")
                    kept["reference"] = ""
            again.append(kept)
    return found, again


def _record(incident_id: str, decision: dict[str, Any]) -> dict[str, Any]:
    actor = decision.get("approver") or "unknown"
    filed, declined = [], []
    with db.session() as s:
        for answer in decision["reports"]:
            report_id = int(answer["report"])
            if answer["filed"] == "yes":
                at = _when(answer["filed_at"])
                if at is None:  # checked before: a "yes" comes with its time
                    raise InputError("filed_at: missing", field="filed_at")
                filing.file_report(s, incident_id=incident_id, report_id=report_id,
                                   filed_at=at,
                                   reference=answer.get("reference"), actor=actor)
                filed.append(report_id)
            else:
                audit.record(s, incident_id=incident_id, actor=actor, action="report.not_filed",
                             detail={"report": report_id,
                                     "jurisdiction": answer.get("jurisdiction")})
                declined.append(report_id)
        audit.record(s, incident_id=incident_id, actor=actor, action="gate.filing",
                     detail={k: v for k, v in decision.items() if k != "attestation"})
    return {"filed": filed, "declined": declined, "approver": actor}


def ask(incident_id: str, *, stage: str, auto_approve: bool) -> dict[str, Any]:
    """Ask once per stage; a re-run finds the step done. Returns what was filed and declined,
    or `timed_out` when nobody answered in time (the reports stay outstanding)."""
    name = step_name(stage)
    if steps.state(incident_id, name) == "done":
        return steps.run(incident_id, name, lambda _i: {})  # the recorded outcome
    listed = waiting(incident_id, stage)
    if not listed:
        return steps.run(incident_id, name, lambda _i: {"filed": [], "declined": []})
    if gates._auto(incident_id, auto_approve):
        # Auto-approve cannot know that a regulator received anything: it files nothing.
        decision = gates._auto_decision({"reports": []})
        return steps.run(incident_id, name, lambda i: _record(i, decision))
    note, shown = "", listed
    for attempt in range(1, gates.MAX_ASKS + 1):
        key = f"gate-filing-{stage}" + (f"-{attempt}" if attempt > 1 else "")
        gates._recorded(incident_id, gates.ASKED, {"gate": "filing", "key": key,
                                                   "flow_run_id": str(flow_run.id)})
        form = gates.FilingConfirmation.with_initial_data(
            description=note + f"Record the filing of each regulator report of incident "
                               f"{incident_id}: filed yes or no, when (with time zone) and the "
                               "regulator's reference.", reports=shown)
        try:
            answer = pause_flow_run(wait_for_input=form, key=key, timeout=gates.WAIT_SECONDS,
                                    poll_interval=2)
        except FlowPauseTimeout:
            logger.warning("incident %s: the filing gate was not answered in time", incident_id)
            return {"timed_out": True, "outstanding": [r["report"] for r in listed]}
        given = dict(answer.model_dump(mode="json"))
        found_decision = gates.identified(incident_id, "filing", given)
        if found_decision is None:
            note = gates._refuse(incident_id, "filing", given, key)
            continue
        found, shown = problems(incident_id, found_decision["reports"], listed)
        if not found:
            outcome = steps.run(incident_id, name, functools.partial(_record, decision=found_decision))
            gates._anchor(incident_id)
            return outcome
        note = "**Not recorded:** " + "; ".join(found) + "\n\n"
    return {"timed_out": True, "outstanding": [r["report"] for r in listed]}
