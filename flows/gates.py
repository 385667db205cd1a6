"""The three human gates. Under a Prefect deployment the run suspends for an input form in the
UI; a local run pauses in process for the same form; `--auto-approve` passes every gate and
records `auto-approve` as the approver. Every decision lands in the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment
from sqlmodel import col, select

from incidents import audit, db, steps
from incidents.exceptions import BreachflowError
from incidents.models import Notice, RegulatorReport
from incidents.sqltypes import utcnow

AUTO = "auto-approve"
WAIT_SECONDS = 7 * 24 * 3600


class TriageConfirmation(RunInput):
    confirmed: bool = True
    severity: str = ""
    reason: str = ""
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


def _ask(name: str, description: str) -> dict[str, Any]:
    form = FORMS[name].with_initial_data(description=description)
    if deployment.id:
        answer = suspend_flow_run(wait_for_input=form, key=f"gate-{name}", timeout=WAIT_SECONDS)
    else:
        answer = pause_flow_run(wait_for_input=form, key=f"gate-{name}", timeout=WAIT_SECONDS,
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
