"""The deadline watch: Apprise alerts to the responders at 50, 75 and 90 % of each open
obligation's time and when it is overdue, each once; alerts go through the real Apprise
client to the sandbox's push endpoint."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from incidents import db
from incidents.alerts import deadline_watch
from incidents.models import DeadlineAlert, Incident, Obligation, RegulatorReport
from sandbox import ChannelFaults, Faults, Sandbox

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


@pytest.fixture
def urls(sandbox):
    return [f"json://{sandbox.url.removeprefix('http://')}/push/responders"]


def _incident(*, hours: int = 100, audience: str = "regulator", status: str = "open",
              rule: str = "72 hours from awareness") -> tuple[str, int]:
    with db.session() as s:
        incident = Incident(external_id=f"DL-{hours}-{audience}-{status}", title="t",
                            detected_at=T0 - timedelta(hours=5), aware_at=T0,
                            determined_at=T0 + timedelta(hours=10), status=status)
        s.add(incident)
        s.flush()
        obligation = Obligation(incident_id=incident.id, jurisdiction="EU", audience=audience,
                                required=True, deadline=T0 + timedelta(hours=hours),
                                deadline_rule=rule, citation="GDPR Art. 33(1)", verification="V")
        s.add(obligation)
        s.flush()
        assert obligation.id is not None
        return incident.id, obligation.id


def _alerts(obligation_id: int) -> dict[int, str]:
    with db.session() as s:
        return {a.level: a.state for a in s.exec(select(DeadlineAlert).where(
            DeadlineAlert.obligation_id == obligation_id))}


def at(percent: float, hours: int = 100) -> datetime:
    return T0 + timedelta(hours=hours * percent / 100)


def test_each_level_is_alerted_once_as_time_passes(home, sandbox, urls):
    _, obligation = _incident()
    sent = []
    for percent in (10, 49.9, 50, 60, 74, 75, 80, 90, 95, 100, 130, 200):
        counts = deadline_watch.check(now=at(percent), urls=urls)
        sent.append(counts["sent"])
    assert sent == [0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0]
    assert _alerts(obligation) == {50: "sent", 75: "sent", 90: "sent", 100: "sent"}
    pushes = sandbox.messages("push")
    assert [p["recipient"] for p in pushes] == ["responders"] * 4
    text = " ".join(str(p) for p in pushes)
    assert "50% of the time used" in text and "OVERDUE" in text and "GDPR Art. 33(1)" in text


def test_a_watch_that_was_down_sends_only_the_highest_level_due(home, sandbox, urls):
    _, obligation = _incident()
    assert deadline_watch.check(now=at(92), urls=urls)["sent"] == 1
    assert _alerts(obligation) == {50: "skipped", 75: "skipped", 90: "sent"}
    assert deadline_watch.check(now=at(93), urls=urls)["sent"] == 0
    assert len(sandbox.messages("push")) == 1


def test_a_failed_alert_is_retried_by_the_next_watch(home, sandbox, urls):
    _, obligation = _incident()
    sandbox.set_faults(Faults(push=ChannelFaults(error_5xx=1.0), seed=1))
    assert deadline_watch.check(now=at(55), urls=urls)["failed"] == 1
    assert _alerts(obligation) == {50: "failed"}
    sandbox.set_faults(Faults())
    assert deadline_watch.check(now=at(56), urls=urls)["sent"] == 1
    assert _alerts(obligation) == {50: "sent"}
    assert len(sandbox.messages("push")) == 1


def test_fulfilled_obligations_and_closed_incidents_raise_no_alert(home, sandbox, urls):
    incident_id, filed = _incident()
    with db.session() as s:
        s.add(RegulatorReport(incident_id=incident_id, obligation_id=filed, jurisdiction="EU",
                              content_hash="x", filed_at=T0 + timedelta(hours=1)))
    _incident(status="closed", audience="individuals")
    assert deadline_watch.check(now=at(150), urls=urls) == {
        "due": 0, "sent": 0, "failed": 0, "taken_elsewhere": 0}
    assert sandbox.messages("push") == []


def test_each_phase_of_a_report_is_watched_even_after_close(home, sandbox, urls):
    """Close does not wait for filings: a closed incident's unfiled final report still
    alerts, per phase, while its filed preliminary report does not."""
    incident_id, preliminary = _incident(status="closed")
    with db.session() as s:
        s.add(RegulatorReport(incident_id=incident_id, obligation_id=preliminary,
                              jurisdiction="EU", content_hash="x", filed_at=T0 + timedelta(hours=1)))
        s.add(Obligation(incident_id=incident_id, jurisdiction="JP", audience="regulator",
                         required=True, deadline=T0 + timedelta(days=30), phase="final",
                         deadline_rule="30 calendar days from awareness",
                         citation="APPI Art. 26(1); PPC Rules Art. 8(2)", verification="V"))
    assert deadline_watch.check(now=T0 + timedelta(days=31), urls=urls)["sent"] == 1
    [sent] = sandbox.messages("push")
    assert "JP regulator final report OVERDUE" in json.dumps(sent, ensure_ascii=False)


def test_the_clock_starts_at_the_moment_the_rule_names(home):
    incident = Incident(external_id="C", title="t", detected_at=T0 - timedelta(hours=5),
                        aware_at=T0, determined_at=T0 + timedelta(hours=10))
    assert deadline_watch.clock_start(incident, "30 days from determination of the breach") == (
        T0 + timedelta(hours=10))
    assert deadline_watch.clock_start(incident, "72 hours from awareness") == T0
    assert deadline_watch.clock_start(incident, "5 days from detection") == T0 - timedelta(hours=5)
    # 50 % of a clock that started at determination is later than 50 % from awareness.
    assert deadline_watch.due_level(start=T0 + timedelta(hours=10),
                                    deadline=T0 + timedelta(hours=110), now=at(55)) is None


def test_without_alert_urls_nothing_is_recorded_so_alerts_go_out_once_configured(home, urls):
    _, obligation = _incident()
    assert deadline_watch.check(now=at(60), urls=[])["sent"] == 0
    assert _alerts(obligation) == {}
    assert deadline_watch.check(now=at(60), urls=urls)["sent"] == 1


def test_concurrent_watchers_send_each_alert_once(home, sandbox, urls):
    for hours in (100, 200, 300):
        _incident(hours=hours)
    results = []
    barrier = threading.Barrier(4)

    def watch() -> None:
        barrier.wait()
        results.append(deadline_watch.check(now=T0 + timedelta(hours=160), urls=urls))

    threads = [threading.Thread(target=watch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 100 h: overdue; 200 h: 80 % -> 75; 300 h: 53 % -> 50.
    assert sum(r["sent"] for r in results) == 3
    assert len(sandbox.messages("push")) == 3


def test_a_hold_that_ran_out_is_alerted_once_and_sets_the_notification_to_run_again(home, sandbox,
                                                                                  urls):
    from incidents import steps
    from incidents.models import Hold, Step

    incident_id, _ = _incident(hours=1000)
    with db.session() as s:
        s.add(Hold(incident_id=incident_id, agency="FBI", jurisdictions=["US-CA"], starts_at=T0,
                   until=T0 + timedelta(hours=48), recorded_by="erin"))
        s.add(Step(incident_id=incident_id, name="notification", state="failed"))
    assert deadline_watch.check(now=T0 + timedelta(hours=47), urls=urls)["sent"] == 0
    assert deadline_watch.check(now=T0 + timedelta(hours=49), urls=urls)["sent"] == 1
    assert deadline_watch.check(now=T0 + timedelta(hours=50), urls=urls)["sent"] == 0
    (message,) = sandbox.messages("push")
    assert "hold 1 ended" in str(message) and "US-CA" in str(message)
    assert steps.state(incident_id, "notification") == "pending"
