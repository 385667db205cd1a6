"""The notification loop without Prefect, against the sandbox: the fallback ladder driven by
signed provider events, and the honest count of the duplicates that only a push gateway can
cause (it cannot be asked what it delivered)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import select

from incidents import channels, db
from incidents.delivery import ledger, provider_events, send
from incidents.models import AffectedSubject, Delivery
from sandbox import ChannelFaults, Faults, Sandbox
from tests.incidents.channels import people
from tests.incidents.channels.receiver import Receiver


def drive(incident_id: str, *, limit: float = 60.0) -> None:
    """What the flow's notification loop does, in one thread."""
    served = set(channels.active())
    ledger.plan(incident_id, served=served)
    deadline = time.monotonic() + limit
    while ledger.open_counts(incident_id):
        assert time.monotonic() < deadline, ledger.open_counts(incident_id)
        send.reconcile(incident_id)
        ledger.fall_back(incident_id, served=served)
        sent = False
        for channel in ledger.due_counts(incident_id):
            while send.send_batch(incident_id, channel):
                sent = True
        if not sent:
            time.sleep(0.2)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def test_the_ladder_walks_email_sms_voice_push_on_provider_reports(home, monkeypatch, receiver):
    everyone = [people.person(1, email=True, phone=True, push=True),
                people.person(2, email=True, phone=True),
                people.person(3, email=False, phone=True, push=True),
                people.person(4, email=True, push=True, minor=True, guardian_phone=True)]
    incident_id = people.incident(everyone)
    faults = Faults(email=ChannelFaults(bounce=1.0), sms=ChannelFaults(undelivered=1.0),
                    voice=ChannelFaults(undelivered=1.0))
    with Sandbox(faults=faults, status_callbacks=True,
                 sendgrid_events_url=f"{receiver.url}/v1/providers/sendgrid/events") as sandbox:
        for name, value in {"BREACHFLOW_SANDBOX_URL": sandbox.url,
                            "BREACHFLOW_PUBLIC_URL": receiver.url,
                            provider_events.SENDGRID_KEY_ENV: sandbox.sendgrid_public_key or "",
                            "BREACHFLOW_OUTCOME_WINDOW": "3",
                            "BREACHFLOW_RECONCILE_AFTER": "1"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(send, "RECONCILE_AFTER", send.RECONCILE_AFTER * 0.1)
        channels.reset()
        drive(incident_id)
        sent = sandbox.messages()
        channels.reset()
    order = {}
    for message in sent:
        order.setdefault(message["recipient"], []).append(message["channel"])
    assert order == {
        "p1@mail.example": ["email"], "+14157770001": ["sms", "voice"], "device-1": ["push"],
        "p2@mail.example": ["email"], "+14157770002": ["sms", "voice"],
        "+14157770003": ["sms", "voice"], "device-3": ["push"],
        "p4@mail.example": ["email"], "device-4": ["push"],
        "+14159990004": ["sms", "voice"],  # the guardian, on their own ladder
    }
    with db.session() as s:
        unreachable = {x.subject_id for x in s.exec(select(AffectedSubject)) if x.unreachable}
        final = Counter(d.state for d in s.exec(select(Delivery)))
    assert unreachable == {"u00002"}
    assert final == {"bounced": 11, "accepted": 3}
    assert set(receiver.answers) == {200}


def test_ambiguous_pushes_are_resent_and_every_possible_duplicate_is_counted(home, monkeypatch):
    incident_id = people.incident([people.person(n, email=False, push=True) for n in range(80)])
    with Sandbox(faults=Faults(push=ChannelFaults(accept_then_5xx=0.25), seed=5)) as sandbox:
        monkeypatch.setenv("BREACHFLOW_SANDBOX_URL", sandbox.url)
        monkeypatch.setattr(send, "RECONCILE_AFTER", send.RECONCILE_AFTER * 0)
        channels.reset()
        drive(incident_id)
        copies = Counter(m["delivery_id"] for m in sandbox.messages("push"))
        channels.reset()
    extra = sum(n - 1 for n in copies.values())
    assert extra > 0, "the fault must have produced duplicates"
    assert ledger.unverified_resends(incident_id) == extra
    assert len(copies) == 80, "nobody was lost"
    with db.session() as s:
        assert {d.state for d in s.exec(select(Delivery))} == {"accepted"}


def test_bad_credentials_halt_the_channel_and_keep_every_notice_waiting(home, monkeypatch):
    incident_id = people.incident([people.person(n) for n in range(30)]
                                  + [people.person(100 + n, email=False, phone=True)
                                     for n in range(10)])
    with Sandbox(twilio_auth_token="the-right-token") as sandbox:
        monkeypatch.setenv("BREACHFLOW_SANDBOX_URL", sandbox.url)  # the sandbox token is wrong
        channels.reset()
        ledger.plan(incident_id, served=channels.active())
        while send.send_batch(incident_id, "email"):
            pass
        assert send.send_batch(incident_id, "sms") == {"pending": 10}
        assert send.send_batch(incident_id, "sms") == {}, "a halted channel claims nothing"
        reason = send.halted("sms")
        sent = sandbox.stats()["counts"]
        channels.reset()
    assert reason and "TWILIO_AUTH_TOKEN" in reason
    assert sent["sms"] == 0 and sent["email"] == 30
    with db.session() as s:
        sms = [d for d in s.exec(select(Delivery)) if d.channel == "sms"]
    assert {(d.state, d.attempts, d.lease_until) for d in sms} == {("pending", 0, None)}
    assert ledger.open_counts(incident_id) == {"sms": 10}
