"""The tables of breachflow. Every stage reads and writes these; Prefect holds no copy of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from incidents.sqltypes import JSONValue, ModelJSON, UTCDateTime, utcnow

if TYPE_CHECKING:
    from incidents.payload import IncidentPayload


def new_id() -> str:
    return uuid.uuid4().hex


def _time(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=lambda: default.copy() if hasattr(default, "copy") else default,
                 sa_column=Column(JSONValue(), nullable=False))


class IncidentSources(SQLModel):
    """Where identification reads an incident's people: the forensic export of affected records
    and the user directory (a file, or a SQLAlchemy URL with a table or a query)."""

    affected: str | None = None
    directory: str | None = None
    directory_table: str | None = None
    directory_query: str | None = None


class RunSettings(SQLModel):
    """How an incident's run behaves: where its documents go, whether its gates pass without a
    person (`--auto-approve`), and what opened it."""

    out: str | None = None
    auto_approve: bool = False
    opened_by: str | None = None


class IncidentCreate(SQLModel):
    """An incident as intake opens it: the validated payload with its defaults resolved, where
    its people are, how its run behaves and the organisation profile."""

    external_id: str
    title: str
    summary: str | None = None
    detected_at: datetime
    aware_at: datetime
    aware_at_source: str
    determined_at: datetime
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    breach_types: list[str] = []
    cause: str | None = None
    data_categories: list[str] = []
    encrypted: bool = False
    key_compromised: bool = False
    systems: list[str] = []
    contained: bool | None = None
    measures_taken: str | None = None
    law_enforcement_delay: bool = False
    records_of_care: bool = False
    related_to: str | None = None
    language: str = "en"
    translations: dict[str, Any] = {}
    sources: IncidentSources = IncidentSources()
    settings: RunSettings = RunSettings()
    org: dict[str, Any] = {}
    org_source: dict[str, Any] = {}
    created_at: datetime

    @classmethod
    def from_payload(cls, payload: IncidentPayload, *, actor: str,
                     sources: IncidentSources | None = None, settings: RunSettings | None = None,
                     org: dict[str, Any] | None = None, now: datetime | None = None,
                     org_source: dict[str, Any] | None = None) -> IncidentCreate:
        """Awareness defaults to the intake time (and says so); determination to awareness."""
        now = now or utcnow()
        aware_at = payload.aware_at or now
        fields = payload.model_dump(exclude={"encryption", "aware_at", "determined_at"})
        return cls(**fields, encrypted=payload.encryption.encrypted,
                   key_compromised=payload.encryption.key_compromised, aware_at=aware_at,
                   aware_at_source=actor if payload.aware_at else f"{actor} (intake time)",
                   determined_at=payload.determined_at or aware_at,
                   sources=sources or IncidentSources(), settings=settings or RunSettings(),
                   org=org or {}, org_source=org_source or {}, created_at=now)


class Incident(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    external_id: str = Field(unique=True, index=True, max_length=200)
    title: str = Field(max_length=500)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    detected_at: datetime = _time(nullable=False)
    aware_at: datetime = _time(nullable=False)
    aware_at_source: str = Field(default="payload", max_length=100)
    determined_at: datetime = _time(nullable=False)
    occurred_from: datetime | None = _time()
    occurred_to: datetime | None = _time()
    breach_types: list[str] = _json([])
    cause: str | None = Field(default=None, max_length=40)
    data_categories: list[str] = _json([])
    encrypted: bool = False
    key_compromised: bool = False
    systems: list[str] = _json([])
    contained: bool | None = None
    measures_taken: str | None = Field(default=None, sa_column=Column(Text))
    law_enforcement_delay: bool = False
    # The data came from records of care (payload `records_of_care`; 45 CFR 160.103).
    records_of_care: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    related_to: str | None = Field(default=None, max_length=200)
    # The language of the free text (summary, measures taken) and its translations:
    # {locale: {"summary": ..., "measures_taken": ...}} (incidents/notices/translation.py).
    language: str = Field(default="en", max_length=20, sa_column_kwargs={"server_default": "en"})
    translations: dict[str, Any] = _json({})
    # Where this incident's people come from, and how its run behaves.
    sources: IncidentSources = Field(default_factory=IncidentSources,
                                     sa_column=Column(ModelJSON(IncidentSources), nullable=False))
    settings: RunSettings = Field(default_factory=RunSettings,
                                  sa_column=Column(ModelJSON(RunSettings), nullable=False))
    org: dict[str, Any] = _json({})
    # Where the org profile came from: {"kind": "example"} (the built-in example organisation)
    # or {"kind": "file", "file": basename, "sha256": ...}. Empty: not recorded (older incidents).
    org_source: dict[str, Any] = _json({})
    # The providers notices went to, recorded when sending first starts: {"mode": "sandbox" |
    # "real" | "mixed", "channels": {channel: {"sandboxed", "endpoint"}}}. Empty: nothing sent yet.
    provider: dict[str, Any] = _json({})
    status: str = Field(default="open", max_length=20)
    # The kill switch of notification: active | paused | cancelled (breachflow sending ...).
    sending: str = Field(default="active", max_length=10,
                         sa_column_kwargs={"server_default": "active"})
    is_breach: bool | None = None
    severity: str | None = Field(default=None, max_length=4)
    triage_reasons: list[str] = _json([])
    # Triage decisions a responder took at the gate (the model's own answer is in the audit trail).
    decided_by: str | None = Field(default=None, max_length=200)
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))
    severity_override: str | None = Field(default=None, max_length=4)
    severity_override_by: str | None = Field(default=None, max_length=200)
    severity_override_reason: str | None = Field(default=None, sa_column=Column(Text))
    # Set when this incident's alerts were merged into another incident: one incident per breach.
    merged_into: str | None = Field(default=None, max_length=32, index=True)
    risk_level: str | None = Field(default=None, max_length=10)
    # The rules applied at assessment, frozen so that a later rule change never rewrites it.
    rules_snapshot: dict[str, Any] = _json({})
    quality: dict[str, Any] = _json({})
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = _time()
    purged_at: datetime | None = _time()


class Step(SQLModel, table=True):
    """The checkpoint of one stage of one incident."""

    __table_args__ = (UniqueConstraint("incident_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    name: str = Field(max_length=40)
    state: str = Field(default="pending", max_length=20)  # pending|running|done|failed
    attempts: int = 0
    owner: str | None = Field(default=None, max_length=200)
    started_at: datetime | None = _time()
    finished_at: datetime | None = _time()
    outcome: dict[str, Any] = _json({})
    error: str | None = Field(default=None, sa_column=Column(Text))


class AffectedSubject(SQLModel, table=True):
    # The unique (incident_id, subject_id) index also serves lookups by incident: a second
    # index on incident_id alone would only slow down identification's bulk inserts.
    __table_args__ = (UniqueConstraint("incident_id", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", max_length=32)
    subject_id: str = Field(max_length=200)
    in_directory: bool = True
    records: int = 1
    data_categories: list[str] = _json([])
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_type: str | None = Field(default=None, max_length=20)
    push_target: str | None = None
    country: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=10)
    locale: str | None = Field(default=None, max_length=35)
    birth_date: str | None = Field(default=None, max_length=10)
    minor: bool = False
    guardian_email: str | None = None
    guardian_phone: str | None = None
    postal_address: str | None = Field(default=None, sa_column=Column(Text))
    jurisdictions: list[str] = _json([])
    channels: list[str] = _json([])
    notice_group: str | None = Field(default=None, max_length=64, index=True)
    unreachable: bool = False
    # Agreed to electronic notice (E-SIGN): the directory's column or the org's default.
    electronic_consent: bool | None = None
    # When a posted public announcement first covered this person (substitute notice).
    announced_at: datetime | None = _time()


class Obligation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    jurisdiction: str = Field(max_length=20)
    audience: str = Field(max_length=20)
    required: bool
    count: int | None = None
    deadline: datetime | None = _time()
    deadline_rule: str
    recipient: str | None = None
    citation: str
    verification: str = Field(max_length=4)
    reasons: list[str] = _json([])
    substitute_notice: bool = False
    needs_review: bool = False
    content: list[str] = _json([])
    relative_to: str | None = Field(default=None, max_length=40)
    relative_days: int | None = None
    prohibited_content: list[str] = _json([])
    channels: list[str] = _json([])
    channel_rules: list[str] = _json([])
    order: str | None = Field(default=None, max_length=40)
    notify_guardians: bool = False
    substitute_components: list[str] = _json([])
    fulfilled_at: datetime | None = _time()
    # Phased reports (GDPR Art. 33(4), Japan 速報/確報, ...): one obligation per phase.
    phase: str = Field(default="initial", max_length=20)
    # The deadline as assessed, before law-enforcement holds moved it (regulators/order.py).
    deadline_before_hold: datetime | None = _time()


class Hold(SQLModel, table=True):
    """A law-enforcement delay of individual notice: which agency asked, until when, for which
    jurisdictions. No personal data: an agency, codes, times, the responder who recorded it."""

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    agency: str = Field(max_length=200)
    jurisdictions: list[str] = _json([])
    starts_at: datetime = _time(nullable=False)
    until: datetime = _time(nullable=False)
    reason: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=200)
    released_at: datetime | None = _time()
    released_by: str | None = Field(default=None, max_length=200)
    # The deadline watch alerted that the hold ended (once).
    end_alerted_at: datetime | None = _time()


class Notice(SQLModel, table=True):
    """One rendered notice version; its hash is what a person or regulator received."""

    __table_args__ = (UniqueConstraint("incident_id", "group_key", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    group_key: str = Field(max_length=64)
    channel: str = Field(max_length=10)
    audience: str = Field(default="individuals", max_length=20)
    jurisdictions: list[str] = _json([])
    locale: str = Field(max_length=35)
    data_categories: list[str] = _json([])
    subject: str
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text))
    template: str
    content_hash: str = Field(max_length=64)
    # The element ids the notice carries (regulators/content.py), checked when it is rendered.
    elements: list[str] = _json([])
    recipients: int = 0
    approved_by: str | None = None
    approved_at: datetime | None = _time()


class Delivery(SQLModel, table=True):
    """The ledger: one row per person x channel x recipient (the person or their guardian)."""

    __table_args__ = (
        UniqueConstraint("incident_id", "subject_pk", "channel", "recipient_kind"),
        # Claims walk this index by deadline, then in notice order, so residents of a 30-day
        # law go before those of a 60-day law and a batch shares as few notices as it can.
        Index("ix_delivery_claim", "incident_id", "channel", "state", "due_by", "notice_id"),
    )
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    incident_id: str = Field(foreign_key="incident.id", max_length=32)
    subject_pk: int = Field(foreign_key="affectedsubject.id", index=True)
    channel: str = Field(max_length=10)
    recipient_kind: str = Field(default="subject", max_length=10)
    notice_id: int | None = Field(default=None, foreign_key="notice.id")
    content_hash: str | None = Field(default=None, max_length=64)
    # pending -> claimed -> accepted -> delivered | bounced | failed; unknown is reconciled.
    state: str = Field(default="pending", max_length=12)
    attempts: int = 0
    claim_token: str | None = Field(default=None, max_length=32, index=True)
    claimed_by: str | None = Field(default=None, max_length=200)
    lease_until: datetime | None = _time()
    provider_id: str | None = Field(default=None, max_length=100)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime | None = _time()
    # When the provider reported the final outcome (delivered / bounced): the proof of notice.
    settled_at: datetime | None = _time()
    # Ambiguous sends that were resent without the provider being able to say (push): each one
    # may have reached the person twice, so it is counted and reported.
    unverified_resends: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The earliest deadline among the obligations this notice satisfies (an undated "without
    # undue delay" one counts as due at its clock's start): the order claims take.
    due_by: datetime | None = _time()


class ChannelPace(SQLModel, table=True):
    """A token bucket per channel, shared by every process and host that shares the ledger."""

    channel: str = Field(primary_key=True, max_length=10)
    tokens: float = 0.0
    refilled_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    held_until: datetime | None = _time()  # a provider said 429: nobody sends before this
    version: int = 0


class DeliveryObligation(SQLModel, table=True):
    delivery_id: str = Field(foreign_key="delivery.id", primary_key=True, max_length=32)
    obligation_id: int = Field(foreign_key="obligation.id", primary_key=True)


class Announcement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    locale: str = Field(max_length=35)
    destination: str
    location: str
    content_hash: str = Field(max_length=64)
    people: int = 0
    posted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # The longest posting period a law requires (Cal. 30 days, HIPAA 90 days); None = none set.
    period_days: int | None = None
    keep_until: datetime | None = _time()


class MediaNotice(SQLModel, table=True):
    """A media notice (press release) given to an outlet: the statewide-media part of substitute
    notice (Cal. Civ. Code § 1798.82(j)(3)(C), N.Y. Gen. Bus. Law § 899-aa(5)(d), Tex. Bus. &
    Com. Code § 521.053(f)) and HIPAA's media notice (45 CFR 164.406). Where and when it went,
    which version, for which laws, and who recorded it."""

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    outlet: str = Field(max_length=200)
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    jurisdictions: list[str] = _json([])
    content_hash: str = Field(max_length=64)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class RegulatorReport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("obligation_id"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    obligation_id: int = Field(foreign_key="obligation.id")
    jurisdiction: str = Field(max_length=20)
    recipient: str | None = None
    files: list[str] = _json([])
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    filed_at: datetime | None = _time()
    filing_reference: str | None = None
    filed_by: str | None = Field(default=None, max_length=200)
    approved_at: datetime | None = _time()
    approved_by: str | None = Field(default=None, max_length=200)
    # What the report still lacks ("To complete before filing"): non-empty makes it a draft.
    to_complete: list[str] = _json([])


class NoticeLink(SQLModel, table=True):
    """A person's notice page: an unguessable token (no personal data in the URL) and when the
    page was fetched (`*_opened_at`, `opens`: fetches, which link previews make too)."""

    __table_args__ = (UniqueConstraint("incident_id", "subject_pk", "recipient_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, index=True, max_length=64)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    subject_pk: int = Field(foreign_key="affectedsubject.id")
    recipient_kind: str = Field(default="subject", max_length=10)
    # What the person quotes to the help line and types on the org's site (no link needed):
    # short, unambiguous (Crockford base32), unique within the incident.
    reference: str | None = Field(default=None, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    first_opened_at: datetime | None = _time()
    last_opened_at: datetime | None = _time()
    opens: int = 0


class ActivationCode(SQLModel, table=True):
    """One code of the remedy vendor's code file: loaded unallocated, then given to one person
    (`subject_pk`, at most one code each). A code is a credential for the person's enrolment:
    it goes into their notice and nowhere else (no log, no Prefect result, no exception)."""

    __table_args__ = (UniqueConstraint("incident_id", "code"),
                      UniqueConstraint("incident_id", "subject_pk"))
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    code: str = Field(max_length=64, index=True)  # unique across incidents: checked on load
    subject_pk: int | None = Field(default=None, foreign_key="affectedsubject.id")
    loaded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    allocated_at: datetime | None = _time()


class AuditEvent(SQLModel, table=True):
    """Append-only and hash-chained: who decided or approved what, when and why."""

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60)
    detail: dict[str, Any] = _json({})
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class DeadlineAlert(SQLModel, table=True):
    """One responder alert about one obligation's deadline: 50, 75, 90 % of its time, or
    100 (overdue). The unique key makes each alert happen once, however many watchers run."""

    __table_args__ = (UniqueConstraint("obligation_id", "level"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    obligation_id: int = Field(foreign_key="obligation.id")
    level: int
    # sending -> sent | failed (retried); skipped: a later level was due first.
    state: str = Field(default="sending", max_length=10)
    attempts: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = _time()
    last_error: str | None = Field(default=None, max_length=500)


class IncidentAlert(SQLModel, table=True):
    """One security-tool alert and the incident it belongs to (opened it, named it, or was merged
    into it). Tool metadata only: no personal data."""

    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    external_id: str = Field(unique=True, max_length=200)
    title: str = Field(max_length=500)
    link: str = Field(max_length=20)  # opened | related_to | merged
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    detected_at: datetime = _time(nullable=False)
    aware_at: datetime | None = _time()
    occurred_from: datetime | None = _time()
    occurred_to: datetime | None = _time()
    systems: list[str] = _json([])
    data_categories: list[str] = _json([])
    breach_types: list[str] = _json([])


class Resolution(SQLModel, table=True):
    """A responder's decision about a person left needing action: another method, the public
    announcement, or exempt with a reason. `jurisdiction` None means every law of theirs."""

    __table_args__ = (UniqueConstraint("incident_id", "subject_pk", "jurisdiction"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=32)
    subject_pk: int = Field(foreign_key="affectedsubject.id")
    jurisdiction: str | None = Field(default=None, max_length=20)
    action: str = Field(max_length=10)  # method | announce | exempt
    method: str | None = Field(default=None, max_length=10)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
