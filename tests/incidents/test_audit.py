from sqlmodel import select

from incidents import audit, db, service
from incidents.models import AuditEvent, IncidentCreate
from incidents.payload import parse


def _incident() -> str:
    with db.session() as s:
        incident, _ = service.create_incident(
            session=s, incident_in=IncidentCreate.from_payload(
                parse({"external_id": "A-1", "title": "t", "detected_at": "2026-11-20T08:00:00Z",
                       "data_categories": ["email"]}), actor="test"), actor="test")
        for n in range(3):
            audit.record(s, incident_id=incident.id, actor="alice", action="gate.test",
                         detail={"n": n})
        return incident.id


def test_intact_chain_verifies(home):
    incident_id = _incident()
    with db.session() as s:
        assert audit.verify(s, incident_id=incident_id) == []
        assert len(s.exec(select(AuditEvent)).all()) == 4


def test_edited_event_is_detected(home):
    incident_id = _incident()
    with db.session() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "gate.test")).first()
        event.detail = {"n": 99}
    with db.session() as s:
        problems = audit.verify(s, incident_id=incident_id)
    assert any("altered" in p for p in problems)


def test_removed_event_is_detected(home):
    incident_id = _incident()
    with db.session() as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        s.delete(events[1])
    with db.session() as s:
        problems = audit.verify(s, incident_id=incident_id)
    assert any("chain broken" in p for p in problems)
