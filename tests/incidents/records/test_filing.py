"""A report's filing record: approval, filing time and reference, states, and the audit trail."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from incidents import db, org, payload
from incidents.exceptions import InputError
from incidents.models import AuditEvent, Obligation, RegulatorReport
from incidents.records import filing
from incidents.sqltypes import utcnow
from incidents.triage import correlation

ALERT = {"external_id": "FILE-1", "title": "Exposed bucket", "detected_at": "2026-11-20T08:00:00Z",
         "aware_at": "2026-11-20T09:00:00Z", "data_categories": ["email"],
         "breach_types": ["confidentiality"]}


def _report(*, to_complete: list[str], deadline: datetime | None) -> tuple[str, int]:
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=payload.parse(ALERT),
                                                  sources=None, settings=None,
                                                  org=org.load(None), actor="siem")
        obligation = Obligation(incident_id=incident.id, jurisdiction="EU", audience="regulator",
                                required=True, deadline=deadline, deadline_rule="72 hours",
                                citation="GDPR Art. 33(1)", verification="V")
        s.add(obligation)
        s.flush()
        report = RegulatorReport(incident_id=incident.id, obligation_id=obligation.id or 0,
                                 jurisdiction="EU", content_hash="0" * 64, to_complete=to_complete)
        s.add(report)
        s.flush()
        return incident.id, report.id or 0


def _state(incident_id: str, report_id: int) -> str:
    with db.session() as s:
        (report, obligation), = [(r, o) for r, o in filing.reports_of(s, incident_id) if r.id == report_id]
        return filing.report_state(report, obligation, now=utcnow())


def test_a_report_moves_from_draft_to_approved_to_filed_and_the_trail_says_so(home):
    incident_id, report_id = _report(to_complete=[], deadline=utcnow() + timedelta(hours=5))
    assert _state(incident_id, report_id) == "draft"
    with db.session() as s:
        filing.approve_report(s, incident_id=incident_id, report_id=report_id, actor="erin")
    assert _state(incident_id, report_id) == "approved"
    at = utcnow() - timedelta(minutes=3)
    with db.session() as s:
        filing.file_report(s, incident_id=incident_id, report_id=report_id, filed_at=at,
                           reference="  EDPB-2026-0042 ", actor="erin")
    assert _state(incident_id, report_id) == "filed"
    with db.session() as s:
        report = s.get(RegulatorReport, report_id)
        assert report is not None and report.filing_reference == "EDPB-2026-0042"
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.incident_id == incident_id))]
    assert actions[-2:] == ["report.approved", "report.filed"]


def test_a_report_with_anything_to_complete_stays_a_draft_and_cannot_be_approved(home):
    incident_id, report_id = _report(to_complete=["the cause"], deadline=None)
    with db.session() as s, pytest.raises(InputError, match="the cause"):
        filing.approve_report(s, incident_id=incident_id, report_id=report_id, actor="erin")
    assert _state(incident_id, report_id) == "draft"


def test_an_unfiled_report_past_its_deadline_is_overdue(home):
    incident_id, report_id = _report(to_complete=[], deadline=utcnow() - timedelta(minutes=1))
    assert _state(incident_id, report_id) == "overdue"


@pytest.mark.parametrize(("at", "field"), [
    (datetime(2099, 1, 1, tzinfo=UTC), "filed_at"),            # a future filing is a prediction
    (datetime(2026, 11, 20, 8, 30, tzinfo=UTC), "filed_at"),   # before awareness
    (datetime(2026, 12, 1, 12, 0), "filed_at"),  # noqa: DTZ001 (no time zone: refused)
])
def test_an_impossible_filing_time_is_refused_and_nothing_is_recorded(home, at, field):
    incident_id, report_id = _report(to_complete=[], deadline=None)
    with db.session() as s, pytest.raises(InputError) as refused:
        filing.file_report(s, incident_id=incident_id, report_id=report_id, filed_at=at,
                           reference=None, actor="erin")
    assert refused.value.field == field
    assert _state(incident_id, report_id) == "draft"


def test_a_reference_with_control_characters_is_refused(home):
    incident_id, report_id = _report(to_complete=[], deadline=None)
    with db.session() as s, pytest.raises(InputError, match="reference"):
        filing.file_report(s, incident_id=incident_id, report_id=report_id,
                           filed_at=utcnow(), reference="REF\x1b[31m", actor="erin")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "incidents.cli", "filed", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _filed(incident_id: str) -> list[tuple[object, ...]]:
    with db.session() as s:
        return [(r.jurisdiction, r.filed_at, r.filing_reference, r.filed_by) for r in s.exec(
            select(RegulatorReport).where(RegulatorReport.incident_id == incident_id))]


@pytest.mark.parametrize(("args", "field"), [
    (["EU", "--at", "yesterday"], "--at"),                        # not a date-time
    (["EU", "--at", "2026-12-01T10:00:00"], "--at"),              # no time zone
    (["EU", "--at", "2099-01-01T00:00:00Z"], "--at"),             # in the future
    (["EU", "--at", "2026-11-20T08:00:00Z"], "--at"),             # before awareness
    (["JP", "--at", "2026-12-01T10:00:00Z"], "REPORT"),           # no such report
    (["EU/final", "--at", "2026-12-01T10:00:00Z"], "REPORT"),     # no such phase
    (["EU", "--at", "2026-12-01T10:00:00Z", "--reference", "x" * 201], "--reference"),
])
def test_filed_refuses_bad_input_naming_the_field_and_writes_nothing(home, args, field):
    incident_id, _ = _report(to_complete=[], deadline=None)
    done = _cli(incident_id, *args)
    assert done.returncode == 2, done.stderr
    assert f"breachflow: {field}:" in done.stderr and "Traceback" not in done.stderr
    assert _filed(incident_id) == [("EU", None, None, None)]
    with db.session() as s:
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "report.filed")).all()


def test_filed_records_by_jurisdiction_phase_or_id(home):
    incident_id, report_id = _report(to_complete=[], deadline=None)
    done = _cli(incident_id, "EU/initial", "--at", "2026-12-01T11:00:00+01:00",
                "--reference", "DPC-7", "--actor", "erin")
    assert done.returncode == 0, done.stderr
    assert "EU/initial" in done.stdout
    assert _filed(incident_id) == [("EU", datetime(2026, 12, 1, 10, tzinfo=UTC), "DPC-7", "erin")]
    # By id, a correction: the trail keeps both.
    again = _cli(incident_id, str(report_id), "--at", "2026-12-01T12:00:00Z", "--reference", "DPC-8")
    assert again.returncode == 0, again.stderr
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "report.filed")).all()
        assert [e.detail["reference"] for e in events] == ["DPC-7", "DPC-8"]
        assert filing.filed_at_of(s, incident_id=incident_id, jurisdiction="EU") == datetime(
            2026, 12, 1, 12, tzinfo=UTC)
