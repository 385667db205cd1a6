"""The three human gates. Under a Prefect deployment the run suspends for an input form in the
UI; a local run pauses in process for the same form; `--auto-approve` passes every gate and
records `auto-approve` as the approver. Every decision lands in the audit trail.

Who answered is an identity, not the form's free text: an answer given through the intake API
(`POST /v1/incidents/{id}/gates/{gate}`) carries an attestation of the authenticated
responder (incidents/responders.py), recorded as the actor with the form's `approver` beside
it. Without one the actor is `unverified:<approver>`; and where responders are configured
such an answer is refused and the form asked again. After each gate the audit trail is
anchored outside the database (flows/artifacts.py)."""

from __future__ import annotations

import getpass
import logging
import os
from datetime import datetime
from typing import Any, Literal

from prefect import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment, flow_run
from pydantic import BaseModel, Field
from sqlmodel import select

from flows import artifacts
from incidents import audit, db, responders, service, steps
from incidents.alerts import paging
from incidents.exceptions import BreachflowError
from incidents.models import AuditEvent, Notice
from incidents.records import filing
from incidents.sqltypes import utcnow
from incidents.triage import review
from incidents.triage import stage as triage_stage

logger = logging.getLogger("breachflow.gates")
AUTO = "auto-approve"
WAIT_SECONDS = 7 * 24 * 3600
MAX_TRIAGE_ASKS = 5
MAX_ASKS = 5
ASKED = "gate.asked"
REFUSED = "gate.refused"
NEEDS_IDENTITY = ("**Not applied:** this gate needs an authenticated responder. Answer through "
                  "the intake API: `POST /v1/incidents/{incident}/gates/{gate}` with your "
                  "responder token (an answer in this form carries no identity).\n\n")


class TriageConfirmation(RunInput):
    """Submitted unchanged it confirms the model's answer and the recorded awareness time.
    Any change (severity, is_breach, aware_at, a merge) needs a `reason`."""

    confirmed: bool = True  # false: stop here; the next run asks again
    is_breach: bool = True  # false: close as not a personal-data breach
    severity: Literal["", "P1", "P2", "P3", "P4"] = ""  # "" keeps the model's severity
    reason: str = ""
    aware_at: datetime | None = None  # when the organisation became aware; deadlines follow it
    aware_at_reason: str = ""
    # Proposed incidents (id or external_id) to fold into this one.
    merge: list[str] = Field(default_factory=list)
    merge_into: str = ""  # or fold this incident into that one (its run then stops)
    approver: str = ""
    attestation: str = ""  # set by the intake API for an authenticated responder


class NoticeApproval(RunInput):
    approved: bool = False
    approver: str = ""
    comment: str = ""
    attestation: str = ""


# --- The filing gate's form. Asked per report by flows/filing_gate.py, apart from the generic
# gate machinery above and below: only the model lives here, beside the other forms.
class ReportFiling(BaseModel):
    """One report's answer. `filed` has no default: each report needs an explicit yes or no."""

    report: int
    jurisdiction: str = ""
    phase: str = ""
    deadline: str = ""
    filed: Literal["yes", "no"]
    filed_at: datetime | None = None  # with its time zone, e.g. 2026-12-05T14:30:00+01:00
    reference: str = ""  # the regulator's reference for this filing


class FilingConfirmation(RunInput):
    reports: list[ReportFiling]
    approver: str = ""
    attestation: str = ""
# --- end of the filing gate's form


FORMS: dict[str, type[RunInput]] = {
    "triage": TriageConfirmation, "notices": NoticeApproval, "filing": FilingConfirmation,
}


def initial(incident_id: str, name: str) -> dict[str, Any]:
    """What the gate's form opens with (the triage form: the model's answer)."""
    return review.form_defaults(incident_id) if name == "triage" else {}


def answer_json(incident_id: str, name: str, answer: dict[str, Any]) -> dict[str, Any]:
    """An answer as the gate's form reads it (JSON mode, every field explicit): what an
    attestation covers and what the run is resumed with."""
    form = FORMS[name].with_initial_data(**initial(incident_id, name))
    return dict(form.model_validate(answer).model_dump(mode="json"))


def _recorded(incident_id: str, action: str, detail: dict[str, Any]) -> None:
    """Record once: a suspended run starts over when resumed and passes here again."""
    with db.session() as s:
        seen = s.exec(select(AuditEvent.detail).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action == action)).all()
        if detail not in seen:
            audit.record(s, incident_id=incident_id, actor="breachflow", action=action,
                         detail=detail)


def _ask(incident_id: str, name: str, description: str, *,
         defaults: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
    form = FORMS[name].with_initial_data(description=description, **(defaults or {}))
    key = key or f"gate-{name}"
    # Where the run waits, so that the intake API can hand it an authenticated answer.
    _recorded(incident_id, ASKED, {"gate": name, "key": key, "flow_run_id": str(flow_run.id)})
    if deployment.id:
        answer = suspend_flow_run(wait_for_input=form, key=key, timeout=WAIT_SECONDS)
    else:
        answer = pause_flow_run(wait_for_input=form, key=key, timeout=WAIT_SECONDS,
                                poll_interval=2)
    return dict(answer.model_dump(mode="json"))


def identified(incident_id: str, name: str, answer: dict[str, Any]) -> dict[str, Any] | None:
    """The answer with who gave it: `approver` becomes the actor recorded (the attested
    identity, else `unverified:<approver>`), `approver_claimed` keeps the form's text,
    `identity` and `authenticated_by` say how it is known. None: an identity is required
    and the answer has none."""
    decision = dict(answer)
    nonce = str(decision.pop("attestation", "") or "")
    claimed = str(decision.get("approver") or "").strip()
    found = responders.attested(incident_id=incident_id, gate=name, answer=decision,
                                nonce=nonce)
    if found is None and responders.configured():
        return None
    if found is not None:
        identity, method = found
        actor = identity
    else:
        identity = None
        method = ("prefect-api-auth-string" if os.environ.get("PREFECT_API_AUTH_STRING")
                  else "none")
        actor = f"unverified:{claimed or 'unknown'}"
    return {**decision, "approver": actor[:200], "approver_claimed": claimed,
            "identity": identity, "authenticated_by": method,
            **({"attestation": nonce} if found else {})}


def _refuse(incident_id: str, name: str, answer: dict[str, Any], key: str) -> str:
    _recorded(incident_id, REFUSED, {
        "gate": name, "key": key, "approver_claimed": str(answer.get("approver") or ""),
        "reason": "no authenticated identity", "flow_run_id": str(flow_run.id)})
    return NEEDS_IDENTITY.format(incident=incident_id, gate=name)


def _answer(incident_id: str, name: str, description: str) -> dict[str, Any]:
    """Ask until an answer with an acceptable identity comes."""
    note = ""
    for attempt in range(1, MAX_ASKS + 1):
        key = f"gate-{name}" if attempt == 1 else f"gate-{name}-{attempt}"
        answer = _ask(incident_id, name, note + description, key=key)
        decision = identified(incident_id, name, answer)
        if decision is not None:
            return decision
        note = _refuse(incident_id, name, answer, key)
    raise BreachflowError(f"gate {name!r}: no authenticated answer after {MAX_ASKS} attempts")


def _auto(incident_id: str, auto_approve: bool) -> bool:
    """--auto-approve is honoured in a local run, or for an incident opened with it: a
    deployment run started through the Prefect API with auto_approve=true passes no gate."""
    if not auto_approve or not deployment.id:
        return auto_approve
    with db.session() as s:
        opened_with = service.get_incident(session=s, incident_id=incident_id).settings
    if opened_with.auto_approve:
        return True
    logger.warning("incident %s: auto_approve requested by a deployment run, but the incident "
                   "was not opened with --auto-approve: asking the responders", incident_id)
    return False


def _auto_decision(extra: dict[str, Any]) -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return {"approver": AUTO, "approver_claimed": AUTO, "identity": f"process-user:{user}",
            "authenticated_by": "local-process", **extra}


def _anchor(incident_id: str) -> None:
    try:
        artifacts.audit_anchor(incident_id)
    except Exception as error:  # the anchor file is written first; the artifact is a copy
        logger.warning("audit anchor of incident %s: the Prefect artifact failed (%s)",
                       incident_id, type(error).__name__)


def _apply(incident_id: str, name: str, decision: dict[str, Any]) -> dict[str, Any]:
    approver = decision.get("approver") or "unknown"
    with db.session() as s:
        detail: dict[str, Any] = {k: (v.isoformat() if isinstance(v, datetime) else v)
                                  for k, v in decision.items()}
        if name == "notices":
            notices = s.exec(select(Notice).where(Notice.incident_id == incident_id)).all()
            # The approval is bound to the exact versions shown: their content hashes.
            detail["content_hashes"] = sorted({n.content_hash for n in notices})
            if decision.get("approved"):
                for notice in notices:
                    notice.approved_by, notice.approved_at = approver, utcnow()
        if name == "filing" and decision.get("filed"):
            filed_at = decision.get("filed_at") or utcnow()
            if isinstance(filed_at, str):  # the answer arrives in JSON form
                filed_at = datetime.fromisoformat(filed_at.replace("Z", "+00:00"))
            for report, _ in filing.reports_of(s, incident_id):
                if report.filed_at is None:
                    filing.file_report(s, incident_id=incident_id, report_id=report.id or 0,
                                       filed_at=filed_at, reference=decision.get("reference"),
                                       actor=approver)
        audit.record(s, incident_id=incident_id, actor=approver, action=f"gate.{name}",
                     detail=detail)
    return {"approver": approver}


def gate(incident_id: str, name: str, *, auto_approve: bool, description: str) -> None:
    """Pass the gate once: a re-run finds its step done and does not ask again."""
    if steps.state(incident_id, f"gate:{name}") == "done":
        return
    if _auto(incident_id, auto_approve):
        decision = _auto_decision({"confirmed": True, "approved": True})
    else:
        decision = _answer(incident_id, name, description)
        if decision.get("confirmed") is False or decision.get("approved") is False:
            # Recorded, but the gate stays closed: a re-run asks again.
            _apply(incident_id, name, decision)
            _anchor(incident_id)
            raise BreachflowError(f"gate {name!r} was declined by {decision.get('approver')}")
    steps.run(incident_id, f"gate:{name}", lambda i: _apply(i, name, decision))
    _anchor(incident_id)


def triage_gate(incident_id: str, *, auto_approve: bool) -> str:
    """The triage gate, for breaches and non-breaches alike (GDPR Art. 33(5) documents both).
    Returns where the flow goes: breach | not_a_breach | merged. An answer that cannot be
    applied (a change without a reason, an unknown merge) is shown again with the problem."""
    if triage_stage.route(incident_id) == "merged" or steps.state(incident_id, "gate:triage") == "done":
        return triage_stage.route(incident_id)
    if _auto(incident_id, auto_approve):
        decision: dict[str, Any] = _auto_decision({"confirmed": True})
    else:
        note = ""
        for attempt in range(1, MAX_TRIAGE_ASKS + 1):
            key = "gate-triage" if attempt == 1 else f"gate-triage-{attempt}"
            answer = _ask(incident_id, "triage", note + review.describe(incident_id),
                          defaults=initial(incident_id, "triage"), key=key)
            if triage_stage.route(incident_id) == "merged":
                return "merged"  # another incident's gate took this one's alerts meanwhile
            found = identified(incident_id, "triage", answer)
            if found is None:
                note = _refuse(incident_id, "triage", answer, key)
                continue
            decision = found
            if decision.get("confirmed") is False:
                _apply(incident_id, "triage", decision)
                _anchor(incident_id)
                raise BreachflowError(f"gate 'triage' was declined by {decision.get('approver')}")
            problems = review.problems(incident_id, decision)
            if not problems:
                break
            note = "**Not applied:** " + "; ".join(problems) + "\n\n"
        else:
            raise BreachflowError("gate 'triage': no applicable answer after "
                                  f"{MAX_TRIAGE_ASKS} attempts")
    steps.run(incident_id, "gate:triage", lambda i: review.confirm(i, decision))
    _anchor(incident_id)
    paging.page_if_severe(incident_id)
    return triage_stage.route(incident_id)
