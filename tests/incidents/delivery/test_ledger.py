"""The ledger's rules on a real SQLite file (and PostgreSQL where it runs): the ladder,
guardians, atomic claims, outcomes, backoff, monotonic provider events, reconciliation and
the kill switch."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from incidents import db
from incidents.channels.base import Outcome, Result
from incidents.delivery import ledger
from incidents.models import AffectedSubject, Delivery
from incidents.sqltypes import utcnow
from tests.incidents.channels import people


def rows(incident_id: str) -> list[Delivery]:
    with db.session() as s:
        return list(s.exec(select(Delivery).where(Delivery.incident_id == incident_id)
                           .order_by(Delivery.subject_pk, Delivery.recipient_kind,
                                     Delivery.created_at)))


def by_subject(incident_id: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    with db.session() as s:
        ids = {x.id: x.subject_id for x in s.exec(select(AffectedSubject))}
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for d in rows(incident_id):
        found.setdefault((ids[d.subject_pk], d.recipient_kind), []).append((d.channel, d.state))
    return found


def fail(incident_id: str, channel: str, state: str = "failed") -> None:
    with db.session() as s:
        for d in s.exec(select(Delivery).where(Delivery.incident_id == incident_id,
                                               Delivery.channel == channel)):
            d.state = state


def test_plan_starts_each_person_on_the_first_usable_channel_of_the_ladder(home, monkeypatch):
    incident_id = people.incident([people.person(1, email=True, phone=True),
                                   people.person(2, email=False, phone=True),
                                   people.person(3, email=False, push=True)])
    assert ledger.plan(incident_id) == 3
    assert ledger.plan(incident_id) == 0  # idempotent
    assert by_subject(incident_id) == {("u00001", "subject"): [("email", "pending")],
                                       ("u00002", "subject"): [("sms", "pending")],
                                       ("u00003", "subject"): [("push", "pending")]}
    monkeypatch.setenv("BREACHFLOW_LADDER", "push,sms,email")
    other = people.incident([people.person(4, email=True, phone=True, push=True)])
    ledger.plan(other, served={"sms", "email"})  # push is not configured here
    assert [d.channel for d in rows(other)] == ["sms"]


def test_a_bad_ladder_is_refused_naming_the_setting(home, monkeypatch):
    from incidents.exceptions import InputError

    monkeypatch.setenv("BREACHFLOW_LADDER", "email,fax")
    with pytest.raises(InputError, match=r"BREACHFLOW_LADDER.*fax"):
        ledger.ladder()


def test_minors_guardians_get_their_own_notice(home):
    incident_id = people.incident([
        people.person(1, email=True, minor=True, guardian_email=True),
        people.person(2, email=False, minor=True, guardian_phone=True)])
    ledger.plan(incident_id)
    assert by_subject(incident_id) == {("u00001", "subject"): [("email", "pending")],
                                       ("u00001", "guardian"): [("email", "pending")],
                                       ("u00002", "guardian"): [("sms", "pending")]}
    guardian_notices = {d.notice_id for d in rows(incident_id) if d.recipient_kind == "guardian"}
    subject_notices = {d.notice_id for d in rows(incident_id) if d.recipient_kind == "subject"}
    assert not guardian_notices & subject_notices


def test_failures_walk_down_the_ladder_until_unreachable(home):
    incident_id = people.incident([people.person(1, email=True, phone=True, push=True),
                                   people.person(2, email=True)])
    ledger.plan(incident_id)
    fail(incident_id, "email", "bounced")
    assert ledger.fall_back(incident_id) == 1  # person 2 has nothing else
    fail(incident_id, "sms", "failed")
    ledger.fall_back(incident_id)
    fail(incident_id, "voice", "bounced")
    ledger.fall_back(incident_id)
    assert by_subject(incident_id)[("u00001", "subject")] == [
        ("email", "bounced"), ("sms", "failed"), ("voice", "bounced"), ("push", "pending")]
    fail(incident_id, "push")
    assert ledger.fall_back(incident_id) == 0
    with db.session() as s:
        unreachable = {x.subject_id: x.unreachable for x in s.exec(select(AffectedSubject))}
    assert unreachable == {"u00001": True, "u00002": True}


def test_a_minor_reached_through_a_guardian_is_not_unreachable(home):
    incident_id = people.incident([people.person(1, email=True, minor=True,
                                                 guardian_phone=True)])
    ledger.plan(incident_id)
    with db.session() as s:
        own = s.exec(select(Delivery).where(Delivery.recipient_kind == "subject")).one()
        own.state = "bounced"
    ledger.fall_back(incident_id)
    with db.session() as s:
        assert not s.exec(select(AffectedSubject)).one().unreachable
    assert by_subject(incident_id)[("u00001", "guardian")] == [("sms", "pending")]


def _claim_race(incident_id: str, threads: int = 6) -> list[list[str]]:
    taken: list[list[str]] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            _, claimed = ledger.claim(incident_id, "email", 17)
            if not claimed:
                return
            with lock:
                taken.append([d.id for d in claimed])

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return taken


def test_concurrent_claims_take_each_row_exactly_once(home):
    incident_id = people.incident([people.person(n) for n in range(300)])
    ledger.plan(incident_id)
    batches = _claim_race(incident_id)
    taken = [i for batch in batches for i in batch]
    assert len(taken) == len(set(taken)) == 300
    # No claim chose rows another one took meanwhile: every batch but the last is full.
    assert sorted(len(b) for b in batches) == [300 % 17] + [17] * (300 // 17)
    assert {d.state for d in rows(incident_id)} == {"claimed"}
    assert {d.attempts for d in rows(incident_id)} == {1}


def test_claims_made_at_the_same_moment_each_get_a_full_batch(home):
    incident_id = people.incident([people.person(n) for n in range(300)])
    ledger.plan(incident_id)
    start = threading.Barrier(6)
    sizes: list[int] = []

    def worker() -> None:
        start.wait()
        sizes.append(len(ledger.claim(incident_id, "email", 20)[1]))

    pool = [threading.Thread(target=worker) for _ in range(6)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert sizes == [20] * 6, "a claim came back short while rows were waiting"


@pytest.mark.postgres
def test_concurrent_claims_on_postgres_skip_locked_rows(home, monkeypatch, postgres_url):
    monkeypatch.setenv("BREACHFLOW_DATABASE_URL", postgres_url)
    incident_id = people.incident([people.person(n) for n in range(300)])
    ledger.plan(incident_id)
    taken = [i for batch in _claim_race(incident_id, threads=8) for i in batch]
    assert len(taken) == len(set(taken)) == 300


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "read-back"])
def test_a_claim_returns_what_it_took(home, monkeypatch, returning):
    incident_id = people.incident([people.person(n) for n in range(5)])
    ledger.plan(incident_id)
    # A database without UPDATE ... RETURNING (MySQL) reads the claim back instead.
    monkeypatch.setattr(db.engine().dialect, "update_returning", returning)
    token, claimed = ledger.claim(incident_id, "email", 3)
    held = {d.id: d for d in rows(incident_id) if d.claim_token == token}
    assert len(claimed) == 3 and set(held) == {c.id for c in claimed}
    for c in claimed:
        row = held[c.id]
        assert (c.subject_pk, c.channel, c.recipient_kind, c.notice_id, c.attempts) == (
            row.subject_pk, "email", row.recipient_kind, row.notice_id, 1)
        assert row.state == "claimed"
    assert len(ledger.claim(incident_id, "email", 10)[1]) == 2, "the rest, and only the rest"


def test_outcomes_move_only_rows_held_by_the_claim(home):
    incident_id = people.incident([people.person(n) for n in range(6)])
    ledger.plan(incident_id)
    token, claimed = ledger.claim(incident_id, "email", 10)
    ids = [d.id for d in claimed]
    before = utcnow()
    counts = ledger.record([
        Result(ids[0], Outcome.ACCEPTED, provider_id="m1"),
        Result(ids[1], Outcome.FAILED, error="sendgrid-400:address"),
        Result(ids[2], Outcome.UNKNOWN, error="sendgrid-TimeoutError"),
        Result(ids[3], Outcome.RETRY, error="sendgrid-429", retry_after=40.0),
        Result(ids[4], Outcome.RETRY, error="halted"),
    ], token=token)
    ledger.record([Result(ids[5], Outcome.ACCEPTED, provider_id="x")], token="another-claim")
    assert counts == {"accepted": 1, "failed": 1, "unknown": 1, "pending": 2}
    found = {d.id: d for d in rows(incident_id)}
    assert (found[ids[0]].state, found[ids[0]].provider_id) == ("accepted", "m1")
    assert (found[ids[1]].state, found[ids[1]].last_error) == ("failed", "sendgrid-400:address")
    assert found[ids[2]].state == "unknown"
    assert found[ids[3]].state == "pending" and found[ids[3]].attempts == 1
    assert found[ids[3]].lease_until >= before + timedelta(seconds=40)
    assert (found[ids[4]].state, found[ids[4]].attempts, found[ids[4]].lease_until) == (
        "pending", 0, None), "a halted send is not an attempt"
    assert found[ids[5]].state == "claimed", "another claim's result must not move a row"


def test_retries_end_in_failure_after_the_last_attempt(home):
    incident_id = people.incident([people.person(1)])
    ledger.plan(incident_id)
    for attempt in range(1, ledger.MAX_ATTEMPTS + 1):
        with db.session() as s:  # the backoff has passed
            for d in s.exec(select(Delivery)):
                d.lease_until = None
        token, [claimed] = ledger.claim(incident_id, "email", 1)
        assert claimed.attempts == attempt
        ledger.record([Result(claimed.id, Outcome.RETRY, error="twilio-20429")], token=token)
    [row] = rows(incident_id)
    assert (row.state, row.last_error) == ("failed", "attempts-exhausted:twilio-20429")


def test_backoff_is_exponential_with_jitter_and_capped():
    for attempt in range(1, 12):
        samples = [ledger.backoff(attempt) for _ in range(200)]
        assert all(0.5 <= x <= min(ledger.BACKOFF_CAP, max(0.5, 2.0 ** attempt)) for x in samples)
        if attempt >= 3:
            assert len({round(x, 3) for x in samples}) > 50, "jitter spreads the retries"
    assert max(ledger.backoff(20) for _ in range(200)) <= ledger.BACKOFF_CAP


def test_provider_events_only_raise_a_rows_rank(home):
    incident_id = people.incident([people.person(n) for n in range(3)])
    ledger.plan(incident_id)
    token, claimed = ledger.claim(incident_id, "email", 3)
    a, b, c = (d.id for d in claimed)
    # A fast callback arrives before the send call has returned: the later record keeps it.
    assert ledger.apply_event(a, "delivered", provider_id="m1", at=utcnow())
    ledger.record([Result(a, Outcome.ACCEPTED, provider_id="m1"),
                   Result(b, Outcome.UNKNOWN, error="timeout"),
                   Result(c, Outcome.ACCEPTED, provider_id="m1")], token=token)
    assert not ledger.apply_event(a, "accepted")  # a late "processed"
    assert not ledger.apply_event(a, "bounced")   # final states do not change
    assert ledger.apply_event(b, "accepted", provider_id="m2")  # resolves the unknown
    assert not ledger.apply_event(b, "accepted", provider_id="m2")  # a duplicate
    assert not ledger.apply_event(c, "delivered", channel="sms")  # not an SMS row
    assert ledger.apply_event(c, "bounced", error="sendgrid-bounce")
    found = {d.id: d for d in rows(incident_id)}
    assert [(found[x].state, found[x].provider_id) for x in (a, b, c)] == [
        ("delivered", "m1"), ("accepted", "m2"), ("bounced", "m1")]
    assert found[a].settled_at is not None and found[b].settled_at is None


def test_reconciliation_settles_unknowns_and_counts_unverifiable_resends(home):
    incident_id = people.incident([people.person(n) for n in range(3)])
    ledger.plan(incident_id)
    token, claimed = ledger.claim(incident_id, "email", 3)
    ledger.record([Result(d.id, Outcome.UNKNOWN, error="timeout") for d in claimed], token=token)
    a, b, c = (d.id for d in claimed)
    assert ledger.settle({a: "m1", b: None}) == {"accepted": 1, "pending": 1, "failed": 0}
    assert ledger.settle({c: None}, unverified=True)["pending"] == 1
    found = {d.id: d for d in rows(incident_id)}
    assert [found[x].state for x in (a, b, c)] == ["accepted", "pending", "pending"]
    assert ledger.unverified_resends(incident_id) == 1
    assert found[b].id == b, "a resend keeps the same delivery id"


def test_the_kill_switch_pauses_resumes_and_cancels(home):
    incident_id = people.incident([people.person(n) for n in range(5)])
    ledger.plan(incident_id)
    ledger.set_sending(incident_id, "paused")
    assert ledger.claim(incident_id, "email", 10)[1] == []
    ledger.set_sending(incident_id, "active")
    _, claimed = ledger.claim(incident_id, "email", 2)
    assert len(claimed) == 2
    assert ledger.set_sending(incident_id, "cancelled") == {"cancelled": 3}
    assert ledger.claim(incident_id, "email", 10)[1] == []
    assert sorted(d.state for d in rows(incident_id)) == ["cancelled"] * 3 + ["claimed"] * 2
    with pytest.raises(Exception, match="sending"):
        ledger.set_sending(incident_id, "stopped")
