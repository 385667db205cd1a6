"""The three human gates. Under a Prefect deployment the run suspends for an input form in the
UI; a local run pauses in process for the same form; `--auto-approve` passes every gate and
records `auto-approve` as the approver. Every decision lands in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from prefect import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment
from pydantic import Field
from sqlmodel import col, select

from incidents import audit, db, steps
from incidents.alerts import paging
from incidents.exceptions import BreachflowError
from incidents.models import Notice, RegulatorReport
from incidents.sqltypes import utcnow
from incidents.triage import review
from incidents.triage import stage as triage_stage

AUTO = "auto-approve"
WAIT_SECONDS = 7 * 24 * 3600
MAX_TRIAGE_ASKS = 5


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


class NoticeApproval(RunInput):
    approved: bool = False
    approver: str = ""
    comment: str = ""


class FilingConfirmation(RunInput):
    filed: bool = False
    approver: str = ""
    reference: str = ""
    filed_at: datetime | None = None


FORMS: dict[str, type[RunInput]] = {
    "triage": TriageConfirmation, "notices": NoticeApproval, "filing": FilingConfirmation,
}


def _ask(name: str, description: str, *, initial: dict[str, Any] | None = None,
         key: str | None = None) -> dict[str, Any]:
    form = FORMS[name].with_initial_data(description=description, **(initial or {}))
    key = key or f"gate-{name}"
    if deployment.id:
        answer = suspend_flow_run(wait_for_input=form, key=key, timeout=WAIT_SECONDS)
    else:
        answer = pause_flow_run(wait_for_input=form, key=key, timeout=WAIT_SECONDS,
                                poll_interval=2)
    return dict(answer.model_dump())


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
            for report in s.exec(select(RegulatorReport).where(
                    RegulatorReport.incident_id == incident_id,
                    col(RegulatorReport.filed_at).is_(None))):
                report.filed_at = decision.get("filed_at") or utcnow()
                report.filing_reference = decision.get("reference") or None
        audit.record(s, incident_id=incident_id, actor=approver, action=f"gate.{name}",
                     detail=detail)
    return {"approver": approver}


def gate(incident_id: str, name: str, *, auto_approve: bool, description: str) -> None:
    """Pass the gate once: a re-run finds its step done and does not ask again."""
    if steps.state(incident_id, f"gate:{name}") == "done":
        return
    if auto_approve:
        decision: dict[str, Any] = {"approver": AUTO, "confirmed": True, "approved": True}
    else:
        decision = _ask(name, description)
        if decision.get("confirmed") is False or decision.get("approved") is False:
            # Recorded, but the gate stays closed: a re-run asks again.
            _apply(incident_id, name, decision)
            raise BreachflowError(f"gate {name!r} was declined by {decision.get('approver')}")
    steps.run(incident_id, f"gate:{name}", lambda i: _apply(i, name, decision))


def triage_gate(incident_id: str, *, auto_approve: bool) -> str:
    """The triage gate, for breaches and non-breaches alike (GDPR Art. 33(5) documents both).
    Returns where the flow goes: breach | not_a_breach | merged. An answer that cannot be
    applied (a change without a reason, an unknown merge) is shown again with the problem."""
    if triage_stage.route(incident_id) == "merged" or steps.state(incident_id, "gate:triage") == "done":
        return triage_stage.route(incident_id)
    if auto_approve:
        decision: dict[str, Any] = {"approver": AUTO, "confirmed": True}
    else:
        note = ""
        for attempt in range(1, MAX_TRIAGE_ASKS + 1):
            decision = _ask("triage", note + review.describe(incident_id),
                            initial=review.form_defaults(incident_id),
                            key="gate-triage" if attempt == 1 else f"gate-triage-{attempt}")
            if triage_stage.route(incident_id) == "merged":
                return "merged"  # another incident's gate took this one's alerts meanwhile
            if decision.get("confirmed") is False:
                _apply(incident_id, "triage", decision)
                raise BreachflowError(f"gate 'triage' was declined by {decision.get('approver')}")
            problems = review.problems(incident_id, decision)
            if not problems:
                break
            note = "**Not applied:** " + "; ".join(problems) + "\n\n"
        else:
            raise BreachflowError("gate 'triage': no applicable answer after "
                                  f"{MAX_TRIAGE_ASKS} attempts")
    steps.run(incident_id, "gate:triage", lambda i: review.confirm(i, decision))
    paging.page_if_severe(incident_id)
    return triage_stage.route(incident_id)
