"""What makes notices wait and in which order they go: law-enforcement holds, New Jersey's
"State Police before customers", claims by deadline, and deadlines set by the first notice."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from incidents import accounting, db, holds
from incidents.channels.base import Outcome, Result
from incidents.delivery import ledger
from incidents.models import AffectedSubject, AuditEvent, Hold, Obligation, RegulatorReport
from incidents.records import filing
from incidents.sqltypes import utcnow
from tests.incidents.channels import people

ROOT = Path(__file__).resolve().parents[3]


def _incident(residents: list[str]) -> str:
    """One e-mail person per entry, living under that jurisdiction."""
    found = []
    for n, code in enumerate(residents, start=1):
        person = people.person(n)
        person.update(jurisdictions=[code], data_categories=["name", "ssn", "email"],
                      electronic_consent=True)
        found.append(person)
    return people.incident(found)


def _obligation(incident_id: str, code: str, audience: str = "individuals", *,
                days: int | None = None, **extra: object) -> int:
    with db.session() as s:
        o = Obligation(incident_id=incident_id, jurisdiction=code, audience=audience, required=True,
                       deadline=utcnow() + timedelta(days=days) if days is not None else None,
                       deadline_rule="test", citation=f"{code} law", verification="V", **extra)
        s.add(o)
        s.flush()
        return o.id or 0


def _claimed(incident_id: str, limit: int = 100) -> list[str]:
    """The jurisdictions of the rows one claim takes."""
    _, rows = ledger.claim(incident_id, "email", limit)
    with db.session() as s:
        return sorted(s.get(AffectedSubject, r.subject_pk).jurisdictions[0] for r in rows)  # type: ignore[union-attr]


def _accepted(incident_id: str) -> None:
    token, rows = ledger.claim(incident_id, "email", 1000)
    ledger.record([Result(r.id, Outcome.ACCEPTED, provider_id="x") for r in rows], token=token)


def test_a_hold_delays_one_jurisdictions_notices_and_not_anothers(home):
    incident_id = _incident(["US-CA", "EU", "US-CA", "EU"])
    _obligation(incident_id, "US-CA", days=30)
    _obligation(incident_id, "EU", days=3)
    ledger.plan(incident_id)
    until = utcnow() + timedelta(days=2)
    with db.session() as s:
        hold = holds.record(s, incident_id=incident_id, agency="FBI Cyber Division", until=until,
                            jurisdictions=["US-CA"], reason="ongoing investigation", actor="erin")
        hold_id = hold.id or 0
    assert _claimed(incident_id) == ["EU", "EU"]  # California's residents wait
    with db.session() as s:
        deadlines = {o.jurisdiction: (o.deadline, o.deadline_before_hold)
                     for o in s.exec(select(Obligation).where(Obligation.incident_id == incident_id))}
        document = accounting.account(s, incident_id)
    # Cal. Civ. Code § 1798.82(c): the clock runs from the end of the delay; the EU's does not move.
    moved, before = deadlines["US-CA"]
    assert before is not None and moved is not None
    assert timedelta(days=2) - timedelta(minutes=1) < moved - before <= timedelta(days=2)
    assert deadlines["EU"][1] is None
    assert document["by_jurisdiction"]["US-CA"]["pending"] == 2
    assert any(reason.startswith("held by law enforcement (FBI Cyber Division)")
               for reason in document["by_jurisdiction"]["US-CA"]["reasons"])
    with db.session() as s:
        holds.release(s, incident_id=incident_id, hold_id=hold_id, actor="erin")
        actions = [e.action for e in s.exec(select(AuditEvent).where(
            AuditEvent.incident_id == incident_id))]
    assert _claimed(incident_id) == ["US-CA", "US-CA"]
    assert actions[-2:] == ["hold.recorded", "hold.released"]


def test_a_hold_on_the_gdpr_delays_notices_but_not_its_clock(home):
    incident_id = _incident(["EU"])
    _obligation(incident_id, "EU", days=3)
    with db.session() as s:
        holds.record(s, incident_id=incident_id, agency="Europol", until=utcnow() + timedelta(days=1),
                     jurisdictions=["EU"], actor="erin")
        deadline = s.exec(select(Obligation.deadline_before_hold)).one()
    ledger.plan(incident_id)
    assert _claimed(incident_id) == []
    assert deadline is None


def test_new_jersey_state_police_are_told_before_the_customers(home):
    incident_id = _incident(["US-NJ", "US-NY", "US-NJ"])
    _obligation(incident_id, "US-NJ")
    _obligation(incident_id, "US-NY")
    police = _obligation(incident_id, "US-NJ", "regulator", order="before:individuals",
                         recipient="New Jersey Division of State Police")
    with db.session() as s:
        report = RegulatorReport(incident_id=incident_id, obligation_id=police,
                                 jurisdiction="US-NJ", content_hash="0" * 64)
        s.add(report)
        s.flush()
        report_id = report.id or 0
    ledger.plan(incident_id)
    assert _claimed(incident_id) == ["US-NY"]
    with db.session() as s:
        why = holds.waiting(s, incident_id)["US-NJ"].reason
    assert "New Jersey Division of State Police" in why and "56:8-163(c)(1)" in why
    with db.session() as s:
        filing.file_report(s, incident_id=incident_id, report_id=report_id,
                           filed_at=utcnow(), reference="NJSP-1", actor="erin")
    assert _claimed(incident_id) == ["US-NJ", "US-NJ"]


def test_claims_take_the_earliest_deadline_first(home):
    # Created 60-day first, so the old order (by notice, then as inserted) would send Texas first.
    incident_id = _incident(["US-TX", "US-TX", "US-CA", "EU", "US-CA"])
    _obligation(incident_id, "US-TX", days=60)
    _obligation(incident_id, "US-CA", days=30)
    _obligation(incident_id, "EU")  # "without undue delay": due at once
    ledger.plan(incident_id)
    assert _claimed(incident_id, limit=1) == ["EU"]
    assert _claimed(incident_id, limit=2) == ["US-CA", "US-CA"]
    assert _claimed(incident_id, limit=2) == ["US-TX", "US-TX"]


def test_a_regulator_told_within_days_after_the_residents_gets_its_deadline_from_the_first_notice(home):
    incident_id = _incident(["US-CA"])
    _obligation(incident_id, "US-CA", days=30)
    attorney = _obligation(incident_id, "US-CA", "regulator", order="after:individuals",
                           relative_to="individuals", relative_days=15,
                           recipient="California Attorney General")
    ledger.plan(incident_id)
    with db.session() as s:
        assert holds.first_notice_deadlines(s, incident_id) == 0  # nobody told yet
    _accepted(incident_id)
    with db.session() as s:
        assert holds.first_notice_deadlines(s, incident_id) == 1
        deadline = s.get(Obligation, attorney).deadline  # type: ignore[union-attr]
    assert deadline is not None
    assert timedelta(days=15) - timedelta(minutes=1) < deadline - utcnow() <= timedelta(days=15)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "incidents.cli", "hold", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _in_process(capsys, *args: str) -> tuple[int, str]:
    from incidents import cli

    code = cli.main(["hold", *args])
    return code, capsys.readouterr().err


def test_the_hold_command_refuses_bad_input_naming_the_field(home, capsys):
    incident_id = _incident(["US-CA"])
    later = (utcnow() + timedelta(days=3)).isoformat()
    bad = [(["--agency", "FBI", "--until", "2020-01-01T00:00:00Z", "--jurisdiction", "US-CA"], "until"),
           (["--agency", "FBI", "--until", "2030-01-01T00:00:00", "--jurisdiction", "US-CA"], "until"),
           (["--agency", "FBI", "--jurisdiction", "US-CA"], "until"),
           (["--agency", "FBI", "--until", later, "--jurisdiction", "US-ZZ"], "jurisdiction"),
           (["--agency", "FBI", "--until", later], "jurisdiction"),
           (["--agency", " ", "--until", later, "--jurisdiction", "US-CA"], "agency"),
           (["--agency", "FBI", "--until", later, "--jurisdiction", "US-CA", "--reason", "a\x07b"],
            "reason"),
           (["--release", "999"], "no hold 999")]
    for args, field in bad:
        code, err = _in_process(capsys, incident_id, *args)
        assert code == 2, (args, err)
        assert f"breachflow: {field}" in err or field in err, (args, err)
    with db.session() as s:
        assert s.exec(select(Hold)).all() == []
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "hold.recorded")).all() == []


def test_the_hold_command_records_lists_and_releases(home):
    incident_id = _incident(["US-CA"])
    later = (utcnow() + timedelta(days=3)).isoformat()
    refused = _cli(incident_id, "--agency", "FBI", "--until", "tomorrow", "--jurisdiction", "US-CA")
    assert refused.returncode == 2 and "breachflow: until:" in refused.stderr, refused.stderr
    with db.session() as s:
        assert s.exec(select(Hold)).all() == []
    done = _cli(incident_id, "--agency", "FBI", "--until", later, "--jurisdiction", "US-CA",
                "--reason", "investigation", "--actor", "erin")
    assert done.returncode == 0, done.stderr
    listed = _cli("list", incident_id)
    assert listed.returncode == 0 and "FBI" in listed.stdout and "US-CA: held by law" in listed.stdout
    with db.session() as s:
        hold_id = s.exec(select(Hold.id)).one()
    released = _cli(incident_id, "--release", str(hold_id))
    assert released.returncode == 0, released.stderr
    with db.session() as s:
        assert s.get(Hold, hold_id).released_at is not None  # type: ignore[union-attr]
        assert holds.waiting(s, incident_id) == {}
