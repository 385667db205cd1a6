"""Incidents for the security tests, through the real stages on a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from incidents import db, org, payload, pipeline, service, steps
from incidents.models import IncidentCreate, IncidentSources, RunSettings

STAGES = (("triage", pipeline.triage_stage), ("identification", pipeline.identification_stage),
          ("assessment", pipeline.assessment_stage), ("notices", pipeline.notices_stage))


def incident_file(demo_files: dict[str, Path], tmp_path: Path, **changes: Any) -> Path:
    """The demo incident with some fields changed (a hostile external_id, title ...)."""
    data = json.loads(demo_files["incident.json"].read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def prepared(demo_files: dict[str, Path], out: Path, *, incident: Path | None = None,
             affected: Path | None = None, directory: Path | None = None,
             until: str = "notices") -> str:
    """An incident taken through the stages up to `until`; returns its id."""
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(incident or demo_files["incident.json"]), org=org.load(None),
            actor="test",
            sources=IncidentSources(affected=str(affected or demo_files["affected.csv"]),
                                    directory=str(directory or demo_files["directory.csv"])),
            settings=RunSettings(out=str(out)))
        created, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = created.id
    for name, work in STAGES:
        steps.run(incident_id, name, work)
        if name == until:
            break
    return incident_id


def close(incident_id: str) -> None:
    """Mark the incident closed. Purge and the audit checks are about a closed incident, not
    about how it closed (the close step itself waits until everyone is accounted for)."""
    with db.session() as s:
        closed = service.get_incident(session=s, incident_id=incident_id)
        closed.status, closed.closed_at = "closed", closed.aware_at
