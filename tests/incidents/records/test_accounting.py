"""Every affected person accounted for, whatever channels this process serves.

The demo organisation's people (every mix of e-mail, mobile, landline, push target, minors with
guardians, no contact at all, unknown to the directory) go through the real stages and the real
clients against the sandbox, once for each of the 16 subsets of configured channels. Afterwards
nobody is missing: each person is notified, announced, exempt or visibly needs action."""

from __future__ import annotations

import itertools
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from incidents import accounting, channels, db, org, payload, service, steps
from incidents import pipeline as stages
from incidents.channels.twilio_channel import SANDBOX_ACCOUNT
from incidents.delivery import ledger
from incidents.delivery import send as notification
from incidents.models import (
    AffectedSubject,
    Delivery,
    Incident,
    IncidentCreate,
    IncidentSources,
    RunSettings,
)
from incidents.notices import announcement
from sandbox import Sandbox
from tests.incidents.channels import people as tests_people

CHANNELS = ("email", "sms", "voice", "push")
SUBSETS = [frozenset(c) for n in range(len(CHANNELS) + 1) for c in itertools.combinations(CHANNELS, n)]
STATES = ("notified", "pending", "announced", "needs_action", "exempt")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One incident through triage, identification, assessment and notices; its database
    file is copied for each subset."""
    folder = tmp_path_factory.mktemp("accounting")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BREACHFLOW_HOME", str(folder / "home"))
        mp.delenv("BREACHFLOW_DATABASE_URL", raising=False)
        db.reset()
        from incidents import demo

        files = demo.write(folder / "inputs", count=150, seed=7)
        with db.session() as s:
            incident_in = IncidentCreate.from_payload(
                payload.load(files["incident.json"]), org=org.load(None), actor="test",
                sources=IncidentSources(affected=str(files["affected.csv"]),
                                        directory=str(files["directory.csv"])),
                settings=RunSettings(out=str(folder / "out")))
            incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
            incident_id = incident.id
        for name, work in (("triage", stages.triage_stage),
                           ("identification", stages.identification_stage),
                           ("assessment", stages.assessment_stage),
                           ("notices", stages.notices_stage)):
            steps.run(incident_id, name, work)
        url = db.engine().url.database
        db.reset()
    assert url is not None
    return Path(url), incident_id


def _serve(subset: frozenset[str], sandbox: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Configure exactly these channels, each through its real configuration (no sandbox
    fallback): SendGrid key and host, Twilio credentials and senders, the push URL."""
    for name in ("BREACHFLOW_SANDBOX_URL", "SENDGRID_API_KEY", "TWILIO_ACCOUNT_SID",
                 "TWILIO_AUTH_TOKEN", "BREACHFLOW_SMS_FROM", "BREACHFLOW_VOICE_FROM",
                 "BREACHFLOW_PUSH_URL", "BREACHFLOW_PUSH_SCHEMES"):
        monkeypatch.delenv(name, raising=False)
    for channel in CHANNELS:  # real configuration is paced at provider rates: not in a test
        monkeypatch.setenv(f"BREACHFLOW_RATE_{channel.upper()}", "10000")
    if "email" in subset:
        monkeypatch.setenv("SENDGRID_API_KEY", "SG.test")
        monkeypatch.setenv("BREACHFLOW_SENDGRID_HOST", sandbox)
    if subset & {"sms", "voice"}:
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", SANDBOX_ACCOUNT)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "sandbox-token")
        monkeypatch.setenv("BREACHFLOW_TWILIO_BASE_URL", sandbox)
    if "sms" in subset:
        monkeypatch.setenv("BREACHFLOW_SMS_FROM", "+14155550100")
    if "voice" in subset:
        monkeypatch.setenv("BREACHFLOW_VOICE_FROM", "+14155550101")
    if "push" in subset:
        monkeypatch.setenv("BREACHFLOW_PUSH_URL", f"json://{sandbox.split('://', 1)[1]}/push/{{token}}")
    channels.reset()


def _notify(incident_id: str, *, limit: float = 60.0) -> None:
    """The flow's notification round loop, in one thread."""
    served = set(channels.active())
    ledger.plan(incident_id, served=served)
    deadline = time.monotonic() + limit
    while True:
        ledger.fail_unserved(incident_id, served)
        notification.reconcile(incident_id)
        ledger.fall_back(incident_id, served=served)
        ledger.fail_unserved(incident_id, served)
        if not ledger.open_counts(incident_id):
            return
        assert time.monotonic() < deadline, ledger.open_counts(incident_id)
        if not any(notification.send_batch(incident_id, c) for c in ledger.due_counts(incident_id)):
            time.sleep(0.2)


def _reachable(subject: AffectedSubject, subset: frozenset[str]) -> bool:
    """Served here, and accepted by every law of theirs (US law: e-mail only with consent)."""
    usable = subset & ledger.lawful(subject.jurisdictions, subject.electronic_consent)
    own = set(subject.channels) & usable
    guardian = subject.minor and (
        (subject.guardian_email and "email" in usable)
        or (subject.guardian_phone and usable & {"sms", "voice"}))
    return bool(own or guardian)


def _check_sums(document: dict[str, Any]) -> None:
    assert document["people"] == sum(document[state] for state in STATES)
    for code, tally in document["by_jurisdiction"].items():
        assert tally["people"] == sum(tally[state] for state in STATES), code


def _sent_on(prepared: tuple[Path, str], subset: frozenset[str], tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the prepared incident, its notices sent on these channels and its announcement
    posted; returns the incident id."""
    template, incident_id = prepared
    database = tmp_path / "breachflow.db"
    shutil.copy(template, database)
    monkeypatch.setenv("BREACHFLOW_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("BREACHFLOW_HOME", str(tmp_path / "home"))
    db.reset()
    with Sandbox(port=0) as sandbox:
        _serve(subset, sandbox.url, monkeypatch)
        assert set(channels.active()) == subset
        steps.run(incident_id, "notification", lambda i: (_notify(i), {})[1])
        steps.run(incident_id, "announcement",
                  lambda i: announcement.publish(i, out_dir=tmp_path / "out"))
        sent = {m["channel"] for m in sandbox.messages()}
    channels.reset()
    assert sent <= subset
    return incident_id


@pytest.mark.parametrize("subset", SUBSETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_nobody_is_dropped_whatever_channels_are_configured(prepared, subset, tmp_path, monkeypatch):
    incident_id = _sent_on(prepared, subset, tmp_path, monkeypatch)
    with db.session() as s:
        subjects = {p.id: p for p in s.exec(select(AffectedSubject).where(
            AffectedSubject.incident_id == incident_id))}
        notified = {d.subject_pk for d in s.exec(select(Delivery).where(
            Delivery.incident_id == incident_id, Delivery.state == "accepted"))}
        document = accounting.account(s, incident_id)
        walked = list(accounting.walk(s, incident_id))
    _check_sums(document)
    assert document["people"] == len(subjects) == len(walked)
    assert document["pending"] == 0
    for person, states in walked:
        subject = subjects[person.pk]
        for code, state, reason in states:
            if state == "exempt":
                assert reason, (subject.subject_id, code)
            elif _reachable(subject, subset) and subject.in_directory:
                assert state == "notified", (subject.subject_id, code, state, reason)
                assert person.pk in notified
            else:
                assert state in ("announced", "needs_action"), (subject.subject_id, code, state)
                assert subject.unreachable
                if state == "needs_action":
                    assert reason
    # Somebody was left for the announcement whenever a channel is missing.
    if subset != frozenset(CHANNELS):
        assert document["announced"] + document["needs_action"] > 0


def test_the_close_step_refuses_until_everyone_is_accounted_for(prepared, tmp_path, monkeypatch):
    incident_id = _sent_on(prepared, frozenset({"email"}), tmp_path, monkeypatch)
    with db.session() as s:
        before = accounting.account(s, incident_id)
    assert before["needs_action"] > 0
    from incidents.exceptions import StepFailed

    with pytest.raises(StepFailed) as refused:
        steps.run(incident_id, "close", stages.close_stage)
    assert refused.value.waiting
    message = str(refused.value)
    assert f"{before['needs_action']} need action" in message and "breachflow resolve" in message
    with db.session() as s:
        incident = s.get(Incident, incident_id)
        assert incident is not None and incident.status == "open" and incident.closed_at is None
        # No personal data in what Prefect would see.
        for subject in s.exec(select(AffectedSubject)):
            for value in (subject.subject_id, subject.email, subject.phone):
                assert not value or value not in message
    assert steps.state(incident_id, "close") == "failed"


# --- the invariant as a property --------------------------------------------------------------

LAWS = {"EU": True, "US-CA": True, "SG": False, "MX": None}  # required individual notice; MX has no rule


@st.composite
def _people(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for n in range(draw(st.integers(1, 8))):
        email, phone, push = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        minor = draw(st.booleans())
        codes = draw(st.lists(st.sampled_from(sorted(LAWS)), max_size=2, unique=True))
        found.append({**tests_people.person(n, email=email, phone=phone, push=push, minor=minor,
                                            guardian_phone=minor and draw(st.booleans())),
                      "jurisdictions": codes, "in_directory": draw(st.integers(0, 9)) > 0,
                      # Covered by every law here (a name with an SSN and an e-mail address).
                      "data_categories": ["name", "ssn", "email"]})
    return found


def _with_laws(incident_id: str) -> None:
    from incidents.models import Obligation

    with db.session() as s:
        for code, required in LAWS.items():
            if required is not None:
                s.add(Obligation(incident_id=incident_id, jurisdiction=code, audience="individuals",
                                 required=required, deadline_rule="test", citation=f"{code} law",
                                 verification="V"))


@pytest.fixture(scope="module")
def sandbox_url() -> Any:
    with Sandbox(port=0) as sandbox:
        yield sandbox.url


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(everyone=_people(), subset=st.sampled_from(SUBSETS), kill_after=st.integers(0, 3))
def test_accounting_invariant_holds_before_and_after_a_kill(home, sandbox_url, monkeypatch,
                                                            everyone, subset, kill_after):
    with pytest.MonkeyPatch.context() as mp:
        _serve(subset, sandbox_url, mp)
        incident_id = tests_people.incident(everyone)
        _with_laws(incident_id)
        served = set(channels.active())
        # A process that dies after `kill_after` batches: whatever it left is still counted.
        with db.session() as s:
            _check_sums(accounting.account(s, incident_id))
        steps.run(incident_id, "notification", lambda i: {"planned": ledger.plan(i, served=served)})
        for _ in range(kill_after):
            for channel in ledger.due_counts(incident_id):
                notification.send_batch(incident_id, channel)
        with db.session() as s:
            midway = accounting.account(s, incident_id)
        _check_sums(midway)
        assert midway["people"] == len(everyone)
        # The run after the kill finishes; then every person is in a final state.
        _notify(incident_id)
        with db.session() as s:
            final = accounting.account(s, incident_id)
            ids = {x.id: x.subject_id for x in s.exec(select(AffectedSubject))}
            walked = [(ids[person.pk], states) for person, states in accounting.walk(s, incident_id)]
        channels.reset()
    _check_sums(final)
    assert final["people"] == len(everyone) == len(walked)
    # Sending is over: only people the announcement will cover (it has not run here) wait.
    assert final["pending"] == final["reasons"].get("awaiting the announcement", 0)
    given_people = {p["subject_id"]: p for p in everyone}
    for subject_id, states in walked:
        person = given_people[subject_id]
        # Served, and accepted by every law of theirs (no consent given: US law takes letters).
        usable = subset & ledger.lawful(person["jurisdictions"], None)
        reachable = person["in_directory"] and bool(set(person["channels"]) & usable or (
            person["minor"] and person["guardian_phone"] and usable & {"sms", "voice"}))
        for code, state, reason in states:
            if LAWS.get(code) is False:
                assert state == "exempt" and reason, (code, state)
            elif reachable:
                assert state == "notified", (code, state, reason)
            elif state == "pending":
                assert reason == "awaiting the announcement"
            else:
                assert state == "needs_action" and reason, (code, state)


def test_resolve_is_audited_and_lets_the_incident_close(prepared, tmp_path, monkeypatch, capsys):
    from sqlmodel import func

    from incidents import cli
    from incidents.models import AuditEvent, Resolution

    incident_id = _sent_on(prepared, frozenset({"email", "sms", "voice"}), tmp_path, monkeypatch)

    def audit_count() -> int:
        with db.session() as s:
            return int(s.exec(select(func.count()).select_from(AuditEvent)).one())

    # Bad input changes nothing: an unknown subject id, no reason.
    before = audit_count()
    (tmp_path / "ids.txt").write_text("no-such-person\n")
    assert cli.main(["resolve", incident_id, "--exempt", "--reason", "x",
                     "--subjects", str(tmp_path / "ids.txt")]) == 2
    assert cli.main(["resolve", incident_id, "--announce", "--reason", " "]) == 2
    assert "--reason" in capsys.readouterr().err
    with db.session() as s:
        assert not s.exec(select(Resolution)).all()
        needing = accounting.account(s, incident_id)
    assert audit_count() == before and needing["needs_action"] > 0

    for because in needing["reasons"]:
        if because.startswith(("not required", accounting.NOT_COVERED, "queued")):
            continue
        assert cli.main(["resolve", incident_id, "--announce", "--because", because,
                         "--reason", "covered by the announcement", "--actor", "dpo"]) == 0
    out = capsys.readouterr().out
    assert "resolved" in out and "breachflow resume" in out
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "accounting.announce")).all()
        assert events and all(e.actor == "dpo" for e in events)
        assert all(set(e.detail) >= {"people", "reason"} for e in events)
        # Counts only in the audit trail: no subject id.
        ids = {x.subject_id for x in s.exec(select(AffectedSubject))}
        assert not any(i in json.dumps(e.detail) for e in events for i in ids)
    # The announcement runs again for them (as `resume` would), then the incident closes.
    assert steps.state(incident_id, "announcement") == "pending"
    steps.run(incident_id, "announcement", lambda i: announcement.publish(i, out_dir=tmp_path / "out"))
    steps.run(incident_id, "close", stages.close_stage)
    with db.session() as s:
        final = accounting.account(s, incident_id)
        incident = s.get(Incident, incident_id)
        assert incident is not None and incident.status == "closed"
    assert final["needs_action"] == final["pending"] == 0


def test_only_a_method_the_law_accepts_makes_a_person_notified(home, sandbox_url, tmp_path):
    """All four channels are served; who gets what, and who counts as notified, is the law's."""
    def person(n: int, code: str, *, consent: bool | None, **contacts: Any) -> dict[str, Any]:
        return {**tests_people.person(n, **contacts), "jurisdictions": [code],
                "electronic_consent": consent, "data_categories": ["name", "ssn"]}

    everyone = [person(1, "US-CA", consent=True, email=True, phone=True),    # e-mail: consented
                person(2, "US-CA", consent=None, email=True, phone=True),    # no consent, SMS no
                person(3, "US-NY", consent=None, email=True, phone=True),    # telephone is lawful
                person(4, "US-FL", consent=None, email=True),                # e-mail, no consent needed
                person(5, "EU", consent=None, email=False, phone=True)]      # any direct means
    with pytest.MonkeyPatch.context() as mp:
        _serve(frozenset(CHANNELS), sandbox_url, mp)
        incident_id = tests_people.incident(everyone)
        with db.session() as s:
            from incidents.models import Obligation

            for code in ("US-CA", "US-NY", "US-FL", "EU"):
                s.add(Obligation(incident_id=incident_id, jurisdiction=code, audience="individuals",
                                 required=True, deadline_rule="test", citation=f"{code} law",
                                 verification="V"))
        steps.run(incident_id, "notification", lambda i: (_notify(i), {})[1])
        channels.reset()
    with db.session() as s:
        by_person = {}
        for d in s.exec(select(Delivery)):
            subject = s.get(AffectedSubject, d.subject_pk)
            assert subject is not None
            by_person.setdefault(subject.subject_id, set()).add(d.channel)
        ids = {x.id: x.subject_id for x in s.exec(select(AffectedSubject))}
        states = {ids[p.pk]: st for p, st in accounting.walk(s, incident_id)}
    assert by_person == {"u00001": {"email"}, "u00003": {"voice"}, "u00004": {"email"},
                         "u00005": {"sms"}}  # u00002: nothing lawful to send on
    assert [st for _, st, _ in states["u00002"]] == ["pending"]  # awaiting the announcement
    assert all(st == "notified" for person_states in (states["u00001"], states["u00003"],
                                                    states["u00004"], states["u00005"])
               for _, st, _ in person_states)

    # A courtesy SMS to the Californian does not make them notified under California law.
    with db.session() as s:
        pk = next(p.id for p in s.exec(select(AffectedSubject)) if p.subject_id == "u00002")
        s.add(Delivery(incident_id=incident_id, subject_pk=pk, channel="sms", state="accepted"))
    with db.session() as s:
        [(code, state, reason)] = next(st for p, st in accounting.walk(s, incident_id) if p.pk == pk)
    assert (code, state) == ("US-CA", "pending") and reason == "awaiting the announcement"
