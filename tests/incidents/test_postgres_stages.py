"""The whole response (without Prefect) on a real PostgreSQL database: JSON columns, UTC times,
Alembic migrations and the ledger's SKIP LOCKED claims all work there as on SQLite."""

from __future__ import annotations

import pytest
from sqlmodel import select

from incidents import channels, db, org, payload, pipeline, service, steps
from incidents.delivery import ledger, send
from incidents.models import Delivery, IncidentCreate, IncidentSources, Obligation, RunSettings
from sandbox import Sandbox

pytestmark = pytest.mark.postgres


def test_stages_and_ledger_on_postgres(home, demo_files, tmp_path, monkeypatch, postgres_url):
    monkeypatch.setenv("BREACHFLOW_DATABASE_URL", postgres_url)
    out = tmp_path / "out"
    with Sandbox() as sandbox:
        monkeypatch.setenv("BREACHFLOW_SANDBOX_URL", sandbox.url)
        channels.reset()
        with db.session() as s:
            incident_in = IncidentCreate.from_payload(
                payload.load(demo_files["incident.json"]), org=org.load(None), actor="test",
                sources=IncidentSources(affected=str(demo_files["affected.csv"]),
                                        directory=str(demo_files["directory.csv"])),
                settings=RunSettings(out=str(out)))
            incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
            incident_id = incident.id
        for name, work in (("triage", pipeline.triage_stage),
                           ("identification", pipeline.identification_stage),
                           ("assessment", pipeline.assessment_stage),
                           ("notices", pipeline.notices_stage)):
            steps.run(incident_id, name, work)
        planned = ledger.plan(incident_id)
        assert planned > 0
        assert ledger.plan(incident_id) == 0  # idempotent
        for _ in range(20):
            if not send.send_batch(incident_id, "email"):
                break
        with db.session() as s:
            rows = s.exec(select(Delivery).where(Delivery.channel == "email")).all()
            assert db.engine().dialect.name == "postgresql"
            assert s.exec(select(Obligation)).first() is not None
        assert rows and {r.state for r in rows} == {"accepted"}
        sent = {m["delivery_id"] for m in sandbox.messages("email")}
        assert sent == {r.id for r in rows}
