"""The filing gate, one report per line: each report (jurisdiction, phase, deadline) gets its own
filed yes/no, time of filing with its zone, and regulator reference. It runs in the regulator
track's own flow run (flows/tracks.py), so it pauses that run only and never the notices going
out; that is also why it always pauses in process (a suspended subflow cannot be resumed).

An answer that cannot be recorded (a filing time in the future, without a zone, before
awareness; a report that is not waiting) is shown again with the problem and the other answers
kept; nothing is recorded until every answer can be. Each "yes" is recorded at once. A "no"
is recorded (audited, with who said it and the comment) and the gate asks again for the
reports still outstanding: the run waits, paused, its state message naming the decline, and
the next form shows it with the other way to record a filing (`breachflow filed`). A report
recorded by `breachflow filed` while the gate waits is not asked again, and an answer for it
is set aside (the recorded filing stands); once all are recorded so, `release` resumes the run
and the gate ends without an answer. The gate's timeout runs from its first ask."""

from __future__ import annotations

import copy
import functools
import logging
import time
from datetime import datetime
from typing import Any
from uuid import UUID

from prefect import pause_flow_run
from prefect.exceptions import FlowPauseTimeout
from pydantic import create_model

from flows import gates
from incidents import audit, db, steps
from incidents.exceptions import InputError
from incidents.models import RegulatorReport
from incidents.records import filing
from incidents.rendering.textify import markdown_escape
from incidents.sqltypes import parse_iso
from regulators.rules import EARLY_PHASES

logger = logging.getLogger("breachflow.gates")
STAGES = ("initial", "later")
ANSWERED = ("report", "filed", "filed_at", "reference")
NOT_FILED = "report.not_filed"


def step_name(stage: str) -> str:
    return "gate:filing" if stage == "initial" else "gate:filing-later"


def _of_stage(phase: str | None, stage: str) -> bool:
    return ((phase or "initial") in EARLY_PHASES) == (stage == "initial")


def waiting(incident_id: str, stage: str) -> list[dict[str, Any]]:
    """The reports of this stage not yet filed, as the form lists them."""
    with db.session() as s:
        return [{"report": r.id, "jurisdiction": r.jurisdiction, "phase": o.phase if o else "",
                 "deadline": o.deadline.isoformat() if o and o.deadline else "no fixed deadline"}
                for r, o in filing.reports_of(s, incident_id)
                if r.filed_at is None and _of_stage(o.phase if o else None, stage)]


def _filed(incident_id: str) -> set[int]:
    with db.session() as s:
        return {r.id for r, _o in filing.reports_of(s, incident_id)
                if r.filed_at is not None and r.id is not None}


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return parse_iso(str(value))


def current(incident_id: str, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answers less those for reports recorded as filed meanwhile (`breachflow filed`
    while the form waited): the recorded filing stands."""
    done = _filed(incident_id)
    kept = [a for a in answers if a.get("report") not in done]
    if len(kept) < len(answers):
        gates._log().info("filing gate: %d answer(s) set aside, those reports were recorded as "
                          "filed while the form waited", len(answers) - len(kept))
    return kept


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


def _answered(decision: dict[str, Any]) -> dict[str, Any]:
    """The answer as the audit trail keeps it: what was answered, not what the form showed
    beside it (its jurisdiction, phase and deadline fields are editable; the records take them
    from the report), and no attestation."""
    return {**{k: v for k, v in decision.items() if k not in ("attestation", "reports")},
            "reports": [{k: a.get(k) for k in ANSWERED} for a in decision.get("reports") or []]}


def _record(incident_id: str, decision: dict[str, Any], key: str) -> dict[str, list[int]]:
    """Each "yes" filed, each "no" audited with the comment; the answer itself once."""
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
                                   filed_at=at, reference=answer.get("reference"), actor=actor)
                filed.append(report_id)
            else:
                report = s.get(RegulatorReport, report_id)
                audit.record(s, incident_id=incident_id, actor=actor, action=NOT_FILED,
                             detail={"report": report_id, "key": key,
                                     "jurisdiction": report.jurisdiction if report else None,
                                     "comment": str(decision.get("comment") or "")[:2000]})
                declined.append(report_id)
        audit.record(s, incident_id=incident_id, actor=actor, action="gate.filing",
                     detail={**_answered(decision), "key": key})
    return {"filed": filed, "declined": declined}


def _declined_note(decision: dict[str, Any], declined: list[int], incident_id: str) -> str:
    said = gates.decline_note(decision)
    return (f"**{markdown_escape(said)}** Not filed yet: report(s) "
            f"{', '.join(map(str, declined))}. Answer again once filed, or record each from "
            f"the command line: `breachflow filed {incident_id} REPORT --at TIME --reference "
            "REF`\n\n")


def _earlier(incident_id: str, stage: str) -> str:
    """A decline at this stage before this run (a re-run asks again): shown on the form."""
    decline = gates.last_decline(incident_id, "filing")
    if not decline or decline.get("stage") != stage:
        return ""
    return f"**Earlier:** {markdown_escape(gates.decline_note(decline))}\n\n"


def form(description: str, shown: list[dict[str, Any]]) -> type[gates.FilingConfirmation]:
    """The form listing `shown`, its guidance on the reports field: the Prefect UI squeezes
    a form's own description to nothing beside a long form, a field's always shows."""
    info = copy.copy(gates.FilingConfirmation.model_fields["reports"])
    info.default, info.default_factory = copy.deepcopy(shown), None
    info.description = description
    built: type[gates.FilingConfirmation] = create_model(
        "FilingConfirmation", __base__=gates.FilingConfirmation,
        reports=(list[gates.ReportFiling], info))
    return built


def _outcome(_incident_id: str, *, done: dict[str, Any]) -> dict[str, Any]:
    return done


def _finish(incident_id: str, name: str, done: dict[str, Any]) -> dict[str, Any]:
    result = steps.run(incident_id, name, functools.partial(_outcome, done=done))
    gates._anchor(incident_id)
    return result


def release(incident_id: str, *, actor: str) -> str | None:
    """After `breachflow filed`: when the filing gate's form waits for reports that are all
    recorded now, resume its run so the response goes on (the form would ask about nothing).
    Returns the flow run resumed; None when the gate is not waiting or still has reports to
    ask about, or when Prefect cannot be reached (the form then still takes an answer)."""
    from prefect.flow_runs import resume_flow_run

    asked = gates.last_asked(incident_id, "filing")
    if asked is None:
        return None
    stage = "later" if str(asked.get("key", "")).startswith("gate-filing-later") else "initial"
    if steps.state(incident_id, step_name(stage)) == "done" or waiting(incident_id, stage):
        return None
    run_id = str(asked.get("flow_run_id") or "")
    try:
        resume_flow_run(UUID(run_id), run_input={
            "reports": [], "approver": actor[:200],
            "comment": "every report recorded with breachflow filed"})
    except Exception as error:  # not paused (yet), Prefect away, an answer refused: never fatal
        logger.info("incident %s: the filing gate's run %s was not resumed (%s)", incident_id,
                    run_id, type(error).__name__)
        return None
    return run_id


def ask(incident_id: str, *, stage: str, auto_approve: bool) -> dict[str, Any]:
    """Ask until every report of the stage is filed; a re-run finds the step done. Returns
    what was filed, or `timed_out` when nobody answered in time (the reports stay
    outstanding)."""
    name = step_name(stage)
    if steps.state(incident_id, name) == "done":
        return steps.run(incident_id, name, lambda _i: {})  # the recorded outcome
    listed = waiting(incident_id, stage)
    if not listed:
        return steps.run(incident_id, name, lambda _i: {"filed": [], "declined": []})
    if gates._auto(incident_id, auto_approve):
        # Auto-approve cannot know that a regulator received anything: it files nothing.
        decision = gates._auto_decision({"reports": []})
        return steps.run(incident_id, name, lambda i: _record(i, decision, "auto"))
    until = time.monotonic() + gates.WAIT_SECONDS
    note, message, shown = _earlier(incident_id, stage), None, listed
    filed: list[int] = []
    declines = 0
    for attempt in range(1, gates.MAX_ASKS + 1):
        left = int(until - time.monotonic())
        if left <= 0:
            break
        key = f"gate-filing-{stage}" + (f"-{attempt}" if attempt > 1 else "")
        asked = form(note + f"Record the filing of each regulator report of incident "
                            f"{incident_id}: filed yes or no, when (with time zone) and the "
                            "regulator's reference; with a no, say why in the comment.", shown)
        message = message or gates.waiting_message(incident_id, "filing",
                                                   note.split("\n")[0].strip("*"))
        gates.announce(incident_id, "filing", key, message)
        try:
            with gates._state_message(message):
                answer = pause_flow_run(wait_for_input=asked, key=key, timeout=left,
                                        poll_interval=2)
        except FlowPauseTimeout:
            break
        message = None
        if not waiting(incident_id, stage):
            # Every report was recorded by `breachflow filed` while the form waited (which then
            # resumed this run): the form has nothing left to ask.
            gates._log().info("filing gate: every report recorded from the command line")
            return _finish(incident_id, name, {"filed": filed, "declines": declines,
                                               "approver": None, "recorded_by_command": True})
        given = dict(answer.model_dump(mode="json"))
        found_decision = gates.identified(incident_id, "filing", given)
        if found_decision is None:
            note = gates._refuse(incident_id, "filing", given, key)
            continue
        decision = found_decision
        decision["reports"] = current(incident_id, decision["reports"])
        listed = waiting(incident_id, stage)
        found, shown = problems(incident_id, decision["reports"], listed)
        if found:
            note = "**Not recorded:** " + "; ".join(found) + "\n\n"
            continue
        outcome = _record(incident_id, decision, key)
        filed += outcome["filed"]
        shown = waiting(incident_id, stage)
        if not shown:
            return _finish(incident_id, name, {"filed": filed, "declines": declines,
                                               "approver": decision["approver"]})
        if outcome["declined"]:
            declines += 1
            gates._recorded(incident_id, gates.DECLINED, {
                **gates._jsonable(_answered(decision)),
                "gate": "filing", "key": key, "stage": stage, "not_filed": outcome["declined"]})
            said = gates.decline_note(decision)
            gates._log().warning("Regulator filing %s Reports %s are not filed: the run waits "
                                 "at the gate again (Resume to answer, or `breachflow filed`)",
                                 said, outcome["declined"])
            note = _declined_note(decision, outcome["declined"], incident_id)
            message = gates.waiting_message(incident_id, "filing", said)
        else:
            note = ""
    why = ("was not answered in time" if until - time.monotonic() < 1
           else f"has no complete answer after {gates.MAX_ASKS} asks")
    logger.warning("incident %s: the filing gate %s", incident_id, why)
    return {"timed_out": True, "outstanding": [r["report"] for r in waiting(incident_id, stage)]}
