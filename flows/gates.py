"""The three human gates. Under a Prefect deployment the run suspends for an input form in the
UI; a local run pauses in process for the same form; `--auto-approve` passes every gate and
records `auto-approve` as the approver. Every decision lands in the audit trail.

The form stands alone for a responder who has only the Prefect UI: its description is short
(what to decide, the nearest deadline, any earlier refusal or decline) and links a Markdown
artifact with the context (the model's answer and reasons, the clock, counts, deadlines, the
notices); the run's state message names the gate and the deadline; fields open with the
model's answer, those that must be answered are required, and approving or declining is an
explicit choice with no default. An answer that cannot be applied is asked again with the
responder's own values and "Not applied: ..." on top; a decline is recorded and asked again
in the same run (a waiting, not a failed, run) with the decline shown.

Who answered is an identity, not the form's free text: an answer given through the intake API
(`POST /v1/incidents/{id}/gates/{gate}`) carries an attestation of the authenticated
responder (incidents/responders.py), recorded as the actor with the form's `approver` beside
it. Without one the actor is `unverified:<approver>`; and where responders are configured
such an answer is refused and the form asked again. After each gate the audit trail is
anchored outside the database (flows/artifacts.py)."""

from __future__ import annotations

import copy
import functools
import getpass
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from prefect import get_run_logger, pause_flow_run, suspend_flow_run
from prefect.exceptions import MissingContextError
from prefect.input import RunInput
from prefect.runtime import deployment, flow_run
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from sqlmodel import col, select

from flows import artifacts, events
from incidents import audit, db, responders, service, steps
from incidents.alerts import paging
from incidents.exceptions import BreachflowError
from incidents.models import AuditEvent, Incident, Notice
from incidents.notices import translation
from incidents.records import filing
from incidents.records.status import affected_json
from incidents.rendering.textify import markdown_escape
from incidents.sqltypes import utcnow
from incidents.triage import review
from incidents.triage import stage as triage_stage

logger = logging.getLogger("breachflow.gates")
AUTO = "auto-approve"
WAIT_SECONDS = 7 * 24 * 3600
MAX_ASKS = 8  # answers refused, not applicable or declined, before the run gives up
MAX_TRIAGE_ASKS = MAX_ASKS
ASKED = "gate.asked"
REFUSED = "gate.refused"
DECLINED = "gate.declined"
TITLES = {"triage": "triage confirmation", "notices": "notice approval",
          "filing": "regulator filing"}
NEEDS_IDENTITY = ("**Not applied:** this gate needs an authenticated responder. Answer through "
                  "the intake API: `POST /v1/incidents/{incident}/gates/{gate}` with your "
                  "responder token (an answer in this form carries no identity).\n\n")
LEGACY = {"triage": "confirmed", "notices": "approved", "filing": "filed"}
Severity = Literal["P1", "P2", "P3", "P4"]
HIDDEN = ("attestation", "confirmed", "approved", "filed")
# A date-time typed in full, zone included: the UI's date picker would drop the time.
STAMP_PATTERN = (r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                 r"(Z|[+-]\d{2}:?\d{2})$")
Stamp = Annotated[AwareDatetime, WithJsonSchema({
    "type": "string", "pattern": STAMP_PATTERN,
    "examples": ["2026-12-05T14:30:00+01:00", "2026-12-05T13:30:00Z"]})]


def _form_schema(schema: dict[str, Any], cls: type[Any]) -> None:
    """The form as the UI shows it: the decision first and the name last; pre-filled fields
    still required (no "(Optional)": they are answers the responder owes, opened with the
    model's value). The fields the form hides (the intake API's attestation, the earlier
    forms' booleans) stay acceptable to the server's check of a resume."""
    props = schema.get("properties", {})
    order = ["decision", *(n for n in props if n not in ("decision", "approver")), "approver"]
    schema["properties"] = {n: props[n] for n in order if n in props}
    names = [n for n in getattr(cls, "REQUIRED", ()) if n in props]
    schema["required"] = [n for n in schema["properties"]
                          if n in set(schema.get("required", [])) | set(names)]
    schema["patternProperties"] = {f"^({'|'.join(HIDDEN)})$": {}}


class GateForm(RunInput):
    """What every gate's form shares: an explicit decision, who answers, and the attestation
    the intake API adds (never shown in the form)."""

    model_config = ConfigDict(json_schema_extra=_form_schema)
    REQUIRED: ClassVar[tuple[str, ...]] = ("decision", "approver")
    approver: str = Field(min_length=1, max_length=200, description="Your name")
    attestation: SkipJsonSchema[str] = ""  # set by the intake API for an authenticated responder

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Answers of the earlier forms (`confirmed`/`approved`/`filed` true or false) still
        read: the intake API's callers send them."""
        if not isinstance(data, dict) or data.get("decision"):
            return data
        for legacy, (yes, _no) in (("confirmed", ("confirm", "decline")),
                                   ("approved", ("approve", "decline")),
                                   ("filed", ("approve", "decline"))):
            if legacy in data and legacy in cls.model_fields:
                return {**data, "decision": yes if data[legacy] else "decline"}
        return data


class TriageConfirmation(GateForm):
    """The form opens with the model's answer: confirm it as is, or change a field and say
    why in `reason`. `decline` stops at triage and the gate asks again."""

    # Opened with the model's answer, still owed by the responder: required in the form (the
    # UI marks the others "(Optional)"), and so in an answer through the Prefect API, whose
    # check of a resume reads the same schema. The intake API fills them from the model.
    REQUIRED: ClassVar[tuple[str, ...]] = ("decision", "is_breach", "severity", "aware_at",
                                           "approver")

    decision: Literal["confirm", "decline"] = Field(
        description="confirm: apply this answer; decline: do not go on (the gate asks again)")
    is_breach: bool = Field(True, description="Off: close as not a personal-data breach")
    severity: Severity = Field(description="The model's severity; change it with a reason")
    reason: str = Field("", description="Why you changed severity, is_breach, aware_at or merge")
    aware_at: Stamp = Field(
        description="When the organisation became aware: date, time and zone, e.g. "
                    "2026-12-05T14:30:00+01:00. Every deadline runs from it")
    aware_at_reason: str = ""
    # Proposed incidents (id or external_id) to fold into this one.
    merge: list[str] = Field(default_factory=list)
    merge_into: str = ""  # or fold this incident into that one (its run then stops)
    confirmed: SkipJsonSchema[bool | None] = None  # the earlier form's field

    @model_validator(mode="before")
    @classmethod
    def _blank_severity(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("severity") == "":
            return {k: v for k, v in data.items() if k != "severity"}  # "": the model's
        return data


class NoticeApproval(GateForm):
    """Read the notices (linked in the description) before approving: the approval binds
    their content hashes."""

    decision: Literal["approve", "decline"] = Field(
        description="approve: send these notices; decline: do not send (the gate asks again)")
    comment: str = Field("", description="For the record; with a decline, what must change")
    approved: SkipJsonSchema[bool | None] = None  # the earlier form's field


# --- The filing gate's form. Asked per report by flows/filing_gate.py, apart from the generic
# gate machinery above and below: only the model lives here, beside the other forms.
class ReportFiling(BaseModel):
    """One report's answer. `filed` has no default: each report needs an explicit yes or no."""

    report: int
    jurisdiction: str = ""
    phase: str = ""
    deadline: str = ""
    filed: Literal["yes", "no"]
    # Typed with its time zone, e.g. 2026-12-05T14:30:00+01:00 (a text field: the UI's picker
    # would drop the time); empty for a report not filed.
    filed_at: Annotated[datetime | None, WithJsonSchema({
        "type": "string", "default": "", "pattern": "^$|^" + STAMP_PATTERN.lstrip("^"),
        "description": "When it was filed: date, time and zone, e.g. 2026-12-05T14:30:00+01:00"
    })] = Field(default="", validate_default=True)
    reference: str = ""  # the regulator's reference for this filing

    @field_validator("filed_at", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return None if value == "" else value


class FilingConfirmation(RunInput):
    """The reports waiting for filing, each answered yes or no; `comment` says why a "no" (the
    next ask shows it)."""

    model_config = ConfigDict(json_schema_extra=_form_schema)
    REQUIRED: ClassVar[tuple[str, ...]] = ("reports", "approver")
    reports: list[ReportFiling]
    comment: str = Field("", max_length=2000,
                         description="For the record; with a no, why not filed yet")
    approver: str = Field(min_length=1, max_length=200, description="Your name")
    attestation: SkipJsonSchema[str] = ""  # set by the intake API for an authenticated responder


# --- end of the filing gate's form


# The generic gates; the filing gate asks per report (flows/filing_gate.py).
FORMS: dict[str, type[GateForm]] = {"triage": TriageConfirmation, "notices": NoticeApproval}


def declined(decision: dict[str, Any]) -> bool:
    return decision.get("decision") == "decline"


def initial(incident_id: str, name: str) -> dict[str, Any]:
    """What the gate's form opens with (the triage form: the model's answer)."""
    if name == "triage":
        return review.form_defaults(incident_id)
    return {}


def answer_json(incident_id: str, name: str, answer: dict[str, Any]) -> dict[str, Any]:
    """An answer as the gate's form reads it (JSON mode, every field explicit): what an
    attestation covers and what the run is resumed with."""
    if name == "filing":  # asked per report by flows/filing_gate.py
        return dict(FilingConfirmation.model_validate(answer).model_dump(mode="json"))
    form = form_for(name, "", initial(incident_id, name))
    return dict(form.model_validate(answer).model_dump(mode="json"))


def _log() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The run's logger (its lines show in the Prefect UI), else this module's."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logger


def _recorded(incident_id: str, action: str, detail: dict[str, Any]) -> None:
    """Record once: a suspended run starts over when resumed and passes here again."""
    with db.session() as s:
        seen = s.exec(select(AuditEvent.detail).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action == action)).all()
        if detail not in seen:
            audit.record(s, incident_id=incident_id, actor="breachflow", action=action,
                         detail=detail)


_MESSAGE: ContextVar[str | None] = ContextVar("breachflow_gate_message", default=None)


def _with_message(factory: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(factory)
    def make(*args: Any, **kwargs: Any) -> Any:
        message = _MESSAGE.get()
        if message and "message" not in kwargs:
            kwargs["message"] = message
        return factory(*args, **kwargs)

    make.breachflow = True  # type: ignore[attr-defined]
    return make


@contextmanager
def _state_message(message: str) -> Iterator[None]:
    """Prefect's suspend and pause propose their state without a message; the run's page and
    the runs list show this one instead of "None" (which gate waits, the nearest deadline).
    The states are built through a wrapper that reads this context's message, so a gate
    waiting in another thread (the regulator track's) keeps its own."""
    import prefect.flow_runs as runs

    for name in ("Suspended", "Paused"):
        factory = getattr(runs, name)
        if not getattr(factory, "breachflow", False):
            setattr(runs, name, _with_message(factory))
    token = _MESSAGE.set(message)
    try:
        yield
    finally:
        _MESSAGE.reset(token)


def waiting_message(incident_id: str, name: str, note: str = "") -> str:
    """ "Waiting: notice approval — EU regulator due in 1 d 19 h" (and what happened before)."""
    nearest = artifacts.nearest_deadline(incident_id)
    text = f"Waiting: {TITLES[name]}" + (f" — {nearest}" if nearest else "")
    return f"{note} {text}".strip() if note else text


def form_for(name: str, description: str, defaults: dict[str, Any]) -> type[GateForm]:
    """The gate's form opening with `defaults`, its guidance on the `decision` field: the
    Prefect UI squeezes a form's own description to nothing beside a long form, while a
    field's description always shows. Unlike `with_initial_data` the fields keep their
    descriptions."""
    base = FORMS[name]
    fields: dict[str, Any] = {}
    for field_name, value in defaults.items():
        if field_name in base.model_fields and field_name not in HIDDEN:
            info = copy.copy(base.model_fields[field_name])
            info.default, info.default_factory = value, None
            fields[field_name] = (info.annotation, info)
    decision = copy.copy(fields["decision"][1] if "decision" in fields
                         else base.model_fields["decision"])
    decision.description = f"{description}\n\n{base.model_fields['decision'].description}"
    fields["decision"] = (decision.annotation, decision)
    # No form-level description: it would repeat the decision field's guidance.
    return create_model(base.__name__, __base__=base, **fields)


# Set once this process paused a deployment's run in process for a gate (below).
_PAUSED_IN_PROCESS = threading.Event()


def _slot_given_back_on_pause() -> None:
    """Prefect's server gives a run's deployment concurrency slot back when the run pauses
    (RUNNING → PAUSED) and revokes its lease, while the engine in this process goes on
    renewing that lease and, at the first renewal after the pause (every 225 s), ends the run
    "to prevent over-allocation": a run waiting at the notices gate for a person was killed
    minutes into the wait, or minutes after its answer. Once a run of this process paused in
    process, a failed renewal is a WARNING: the slot was given back on purpose."""
    from prefect.concurrency import _leases

    handle = _leases._handle_lease_renewal_failure
    if getattr(handle, "breachflow", False):
        return

    def lenient(exc: BaseException, lease_id: Any, raise_on_lease_renewal_failure: bool,
                suppress_warnings: bool, cancel_scope: Any) -> None:
        fatal = raise_on_lease_renewal_failure and not _PAUSED_IN_PROCESS.is_set()
        handle(exc, lease_id, fatal, suppress_warnings, cancel_scope)

    lenient.breachflow = True  # type: ignore[attr-defined]
    _leases._handle_lease_renewal_failure = lenient


def _track_beside(incident_id: str) -> bool:
    """Whether this incident's regulator track runs in this process (flows/tracks.py): a
    suspended run would end the process and the track with it, so the run pauses instead."""
    return any(thread.name == f"regulator-{incident_id}" and thread.is_alive()
               for thread in threading.enumerate())


def announce(incident_id: str, name: str, key: str, message: str) -> None:
    """That the gate waits: in the audit trail with its run (where the intake API hands it an
    authenticated answer), in the run's log and as an event for automations."""
    _recorded(incident_id, ASKED, {"gate": name, "key": key, "flow_run_id": str(flow_run.id)})
    _log().warning("%s: answer the form of this run (Resume), or POST "
                   "/v1/incidents/%s/gates/%s", message, incident_id, name)
    events.emit(events.GATE_WAITING, incident_id=incident_id, payload={"gate": name, "key": key})


def _ask(incident_id: str, name: str, description: str, *,
         defaults: dict[str, Any] | None = None, key: str | None = None,
         message: str | None = None) -> dict[str, Any]:
    form = form_for(name, description, defaults or {})
    key = key or f"gate-{name}"
    message = message or waiting_message(incident_id, name)
    announce(incident_id, name, key, message)
    with _state_message(message):
        if deployment.id and not _track_beside(incident_id):
            answer = suspend_flow_run(wait_for_input=form, key=key, timeout=WAIT_SECONDS)
        else:
            if deployment.id:
                _slot_given_back_on_pause()
                _PAUSED_IN_PROCESS.set()
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


def _jsonable(decision: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in decision.items()}


def _decline(incident_id: str, name: str, decision: dict[str, Any], key: str) -> None:
    """Recorded once per ask (a resumed run replays its earlier answers)."""
    _recorded(incident_id, DECLINED, {**_jsonable(decision), "gate": name, "key": key})
    # The gate's own action as before: the trail shows the gate was answered, negatively.
    _recorded(incident_id, f"gate.{name}", {**_jsonable(decision), "key": key})


def _last(incident_id: str, action: str, name: str) -> dict[str, Any] | None:
    with db.session() as s:
        details = s.exec(select(AuditEvent.detail).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action == action)
            .order_by(col(AuditEvent.id).desc())).all()
    return next((dict(d) for d in details if d.get("gate") == name), None)


def last_decline(incident_id: str, name: str) -> dict[str, Any] | None:
    return _last(incident_id, DECLINED, name)


def last_asked(incident_id: str, name: str) -> dict[str, Any] | None:
    """The latest ask of the gate: its pause key and flow run."""
    return _last(incident_id, ASKED, name)


def decline_note(decline: dict[str, Any]) -> str:
    comment = str(decline.get("comment") or decline.get("reason") or "").strip()
    said = f": “{comment[:300]}”" if comment else " (no comment)"
    return f"Declined by {decline.get('approver')}{said}."


def _not_applied(problems: list[str]) -> str:
    return "Not applied: " + "; ".join(problems)


def _description(incident_id: str, name: str, note: str, context: str | None) -> str:
    """Short, so that the form's fields stay in view at 1366×768: what to decide and where
    the context is; the context itself is an artifact."""
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        external_id = markdown_escape(incident.external_id)
        summary = ""
        if name == "triage":
            summary = (f" The model says **{'a' if incident.is_breach else 'not a'} breach, "
                       f"{incident.severity}**; awareness clock "
                       f"{incident.aware_at:%Y-%m-%d %H:%M} UTC.")
    nearest = artifacts.nearest_deadline(incident_id)
    where = f"[the context]({artifacts.ui_link(context)})" if context else "the run's artifacts"
    return (note + f"**{TITLES[name].capitalize()} of {external_id}.**{summary} Read "
            f"{where} first"
            + (f" ({'the notices, ' if name == 'notices' else ''}counts, deadlines; "
               f"{nearest})." if nearest else " (the model's reasons, alerts, merges).")
            + " Then choose `decision` and give your name.")


def context_markdown(incident_id: str, name: str) -> str:
    """Everything a responder needs to answer the gate, with no personal data."""
    now = utcnow()
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        counts = affected_json(s, incident) if name != "triage" else None
        reports = filing.reports_of(s, incident_id) if name == "filing" else []
        report_lines = [
            f"| {r.id} | {markdown_escape(r.jurisdiction)} | "
            f"{markdown_escape(r.recipient or '-')} | "
            f"{artifacts.time_left(o.deadline if o else None, now)} | "
            f"{filing.report_state(r, o, now=now)} | `{r.content_hash[:12]}` |"
            for r, o in reports]
        notices = len(s.exec(select(Notice.id).where(Notice.incident_id == incident_id)).all())
    lines = [f"# {TITLES[name].capitalize()}: {markdown_escape(incident.external_id)}", "",
             f"{markdown_escape(incident.title)} (id `{incident.id}`)", ""]
    decline = last_decline(incident_id, name)
    if decline:
        lines += [f"**Earlier at this gate:** {markdown_escape(decline_note(decline))}", ""]
    if name == "triage":
        lines += ["## The model's answer", "", review.describe(incident_id), ""]
    if counts is not None:
        lines += ["## Counts", "", f"- people affected: **{counts['subjects']}** "
                  f"({counts['records']} records, {counts['minors']} minors, "
                  f"{counts['unreachable']} unreachable)",
                  "- by jurisdiction: " + (", ".join(
                      f"{k} {v}" for k, v in counts["by_jurisdiction"].items()) or "-"),
                  f"- notices rendered: {notices}", ""]
    lines += ["## Deadlines", "", _deadline_table(incident_id, now), ""]
    if name == "notices":
        warning = translation.gate_warning(incident_id)
        if warning:
            lines += [f"**{markdown_escape(warning.strip())}**", ""]
        lines += ["## The notices", "", artifacts.notice_index(incident_id), ""]
    if reports:
        lines += ["## Regulator reports", "",
                  "| id | jurisdiction | recipient | time left | state | hash |",
                  "|---|---|---|---|---|---|", *report_lines,
                  filing_summary(incident_id), ""]
    if name != "triage":
        lines += ["## Triage", "", review.describe(incident_id), ""]
    return "\n".join(lines)


def _deadline_table(incident_id: str, now: datetime) -> str:
    rows = artifacts._obligation_rows(incident_id, now)
    if not rows:
        return "None computed yet: they follow identification and assessment."
    lines = ["| jurisdiction | audience | time left | deadline |", "|---|---|---|---|"]
    lines += [f"| {o.jurisdiction} | {o.audience} | "
              f"{'fulfilled' if o.fulfilled_at else artifacts.time_left(o.deadline, now)} | "
              f"{o.deadline:%Y-%m-%d %H:%M} UTC |" if o.deadline else
              f"| {o.jurisdiction} | {o.audience} | - | - |" for o in rows]
    return "\n".join(lines)


def publish_context(incident_id: str, name: str) -> str | None:
    """The gate's context artifact (and the obligations, whose time left moves on); its id."""
    try:
        found = artifacts.upsert("markdown", artifacts.key_of("gate", incident_id, name),
                                 context_markdown(incident_id, name),
                                 f"What to know before the {TITLES[name]} (no personal data)")
        artifacts.obligations(incident_id)
    except Exception as error:  # the form still works without it
        logger.warning("gate %s of %s: the context artifact failed (%s)", name, incident_id,
                       type(error).__name__)
        return None
    return found


Check = Callable[[dict[str, Any]], list[str]]


def decide(incident_id: str, name: str, *, check: Check | None = None,
           stop: Callable[[], bool] | None = None) -> dict[str, Any] | None:
    """Ask until an applicable approval comes; None if `stop()` says the gate is moot.
    A refused identity, a problem `check` finds, or a decline is recorded and asked again
    with the reason on top of the form (and the responder's values kept for a problem)."""
    context = publish_context(incident_id, name)
    note, message = "", None
    defaults = initial(incident_id, name)
    previous = last_decline(incident_id, name)
    if previous:
        note = f"**Earlier:** {markdown_escape(decline_note(previous))}\n\n"
    for attempt in range(1, MAX_ASKS + 1):
        key = f"gate-{name}" if attempt == 1 else f"gate-{name}-{attempt}"
        answer = _ask(incident_id, name, _description(incident_id, name, note, context),
                      defaults=defaults, key=key, message=message)
        if stop is not None and stop():
            return None
        decision = identified(incident_id, name, answer)
        if decision is None:
            note, message = _refuse(incident_id, name, answer, key), None
            continue
        if declined(decision):
            _decline(incident_id, name, decision, key)
            said = decline_note(decision)
            _log().warning("%s %s: %s", TITLES[name].capitalize(), said,
                           "the run waits for the gate again (Resume to answer)")
            note = f"**{markdown_escape(said)}** Answer again when ready.\n\n"
            message = waiting_message(incident_id, name, said)
            context = publish_context(incident_id, name) or context
            defaults = initial(incident_id, name)
            continue
        problems = check(decision) if check is not None else []
        if not problems:
            return decision
        text = _not_applied(problems)
        _log().warning("%s of incident %s: %s (the form is asked again with your values)",
                       TITLES[name].capitalize(), incident_id, text)
        note = f"**{markdown_escape(text)}**\n\n"
        message = waiting_message(incident_id, name, text[:200] + ".")
        # The responder's own values, not the model's, when the form comes back.
        defaults = {k: v for k, v in answer.items()
                    if k in FORMS[name].model_fields and k != "attestation"}
    raise BreachflowError(f"gate {name!r}: no applicable answer after {MAX_ASKS} asks")


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


CHECKS: dict[str, Callable[[str, dict[str, Any]], list[str]]] = {
    "triage": review.problems,
}


def _apply(incident_id: str, name: str, decision: dict[str, Any]) -> dict[str, Any]:
    approver = decision.get("approver") or "unknown"
    with db.session() as s:
        detail = _jsonable(decision)
        if name == "notices":
            notices = s.exec(select(Notice).where(Notice.incident_id == incident_id)).all()
            # The approval is bound to the exact versions shown: their content hashes.
            detail["content_hashes"] = sorted({n.content_hash for n in notices})
            for notice in notices:
                notice.approved_by, notice.approved_at = approver, utcnow()
        audit.record(s, incident_id=incident_id, actor=approver, action=f"gate.{name}",
                     detail=detail)
    return {"approver": approver}


def filing_summary(incident_id: str) -> str:
    """The filing form's list of reports: each one's state and, for a draft, what it lacks, so
    that nobody confirms the filing of a report that is not complete."""
    now = utcnow()
    lines = []
    with db.session() as s:
        for report, obligation in filing.reports_of(s, incident_id):
            state: str = filing.report_state(report, obligation, now=now)
            if report.to_complete and state != "draft":
                state += ", still a draft"
            lines.append(f"- {report.jurisdiction} ({report.recipient}): {state}"
                         + ("; to complete: " + "; ".join(report.to_complete)
                            if report.to_complete else ""))
    return "\n\nReports:\n" + "\n".join(lines) if lines else ""


def gate(incident_id: str, name: str, *, auto_approve: bool, description: str = "") -> None:
    """Pass the gate once: a re-run finds its step done and does not ask again. A decline
    does not fail the run: it waits at the gate again (`decide`)."""
    del description  # the form's description is built from the incident (`_description`)
    if steps.state(incident_id, f"gate:{name}") == "done":
        return
    if name == "notices":
        warning = translation.gate_warning(incident_id)
        if warning:  # locales and field names only; the context artifact says it too
            logger.warning("incident %s: %s", incident_id, warning)
    if _auto(incident_id, auto_approve):
        decision = _auto_decision({"decision": "approve"})
    else:
        check = CHECKS.get(name)
        found = decide(incident_id, name,
                       check=(lambda d: check(incident_id, d)) if check else None)
        assert found is not None  # noqa: S101 - no stop condition was given
        decision = found
    steps.run(incident_id, f"gate:{name}", lambda i: _apply(i, name, decision))
    _anchor(incident_id)


def _effective(incident: Incident) -> str:
    return str(incident.severity_override or incident.severity)


def triage_gate(incident_id: str, *, auto_approve: bool) -> str:
    """The triage gate, for breaches and non-breaches alike (GDPR Art. 33(5) documents both).
    Returns where the flow goes: breach | not_a_breach | merged. An answer that cannot be
    applied (a change without a reason, an unknown merge) is shown again with the problem."""
    if triage_stage.route(incident_id) == "merged" or steps.state(incident_id, "gate:triage") == "done":
        return triage_stage.route(incident_id)
    if _auto(incident_id, auto_approve):
        decision: dict[str, Any] = _auto_decision({"decision": "confirm"})
    else:
        found = decide(incident_id, "triage",
                       check=lambda d: review.problems(incident_id, d),
                       # another incident's gate took this one's alerts meanwhile
                       stop=lambda: triage_stage.route(incident_id) == "merged")
        if found is None:
            return "merged"
        decision = found
    steps.run(incident_id, "gate:triage", lambda i: review.confirm(i, decision))
    _anchor(incident_id)
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if incident.severity_override:
            _log().info("triage applied: severity %s (the responder's override, by %s; "
                        "the model's answer is in the audit trail)", _effective(incident),
                        incident.severity_override_by)
        else:
            _log().info("triage applied: severity %s, %s", _effective(incident),
                        "a breach" if incident.is_breach else "not a breach")
    paging.page_if_severe(incident_id)
    return triage_stage.route(incident_id)
