"""Issue 15 point 5: substitute notice in California, New York and Texas includes notice to
major statewide media. The media notice is a press release with the facts a journalist needs
and a media contact; each outlet it went to is recorded (`breachflow media`, audited), and it
is tracked as an obligation (`due`, then `sent`) in `status --json`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from incidents import cli, db, service
from incidents.models import AuditEvent, Obligation
from incidents.notices import media
from incidents.records import status
from incidents.sqltypes import utcnow
from tests.security.helpers import prepared


def _substitute_in_california(incident_id: str) -> None:
    """California's substitute notice applies (say, not enough contact data for its residents)."""
    with db.session() as s:
        public = s.exec(
            select(Obligation).where(
                Obligation.incident_id == incident_id,
                Obligation.jurisdiction == "US-CA",
                Obligation.audience == "public",
            )
        ).one()
        public.required, public.substitute_notice = True, True
        public.substitute_components = [
            "email",
            "website for at least 30 days",
            "statewide_media: notification to major statewide media",
        ]


def _media(incident_id: str) -> dict:
    with db.session() as s:
        return status.status_document(s, service.get_incident(session=s, incident_id=incident_id))["media"]


def test_media_notice_prepared_recorded_and_tracked(home, demo_files, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out)
    assert media.prepare(incident_id, out_dir=out) == {"media_notices": 0}  # no law asks yet
    _substitute_in_california(incident_id)
    assert _media(incident_id)["by_jurisdiction"]["US-CA"]["state"] == "due"

    assert media.prepare(incident_id, out_dir=out)["media_notices"] == 1
    release = _media(incident_id)["release"]
    html = Path(release).read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    assert "FOR IMMEDIATE RELEASE" in text and "Media contact" in text
    assert "press@example-devices.test" in text  # the org profile's media contact
    assert re.search(r"\d+ residents of California", text)
    assert "Cal. Civ. Code" in text and "What information was involved" in text
    assert not re.search(r"\b(you|your)\b", text, re.IGNORECASE)  # written for the press
    assert Path(release).with_suffix(".txt").read_text(encoding="utf-8").strip()

    with db.session() as s:
        external_id = service.get_incident(session=s, incident_id=incident_id).external_id
    future = (utcnow() + timedelta(days=1)).isoformat()
    assert cli.main(["media", external_id, "--outlet", "Los Angeles Times", "--at", future]) == 2
    assert cli.main(["media", external_id, "--outlet", "Daily", "--at", "2026-12-05T10:00"]) == 2
    assert (
        cli.main(
            ["media", external_id, "--outlet", "X", "--at", utcnow().isoformat(), "--jurisdiction", "US-NY"]
        )
        == 2
    )  # New York does not ask for it here
    at = utcnow() - timedelta(minutes=1)
    assert (
        cli.main(
            [
                "media",
                external_id,
                "--outlet",
                "Los Angeles Times",
                "--at",
                at.isoformat(),
                "--actor",
                "pr-lead",
            ]
        )
        == 0
    )
    state = _media(incident_id)
    assert state["by_jurisdiction"]["US-CA"]["state"] == "sent"
    assert [(r["outlet"], r["jurisdictions"], r["recorded_by"]) for r in state["sent"]] == [
        ("Los Angeles Times", ["US-CA"], "pr-lead")
    ]
    with db.session() as s:
        events = s.exec(
            select(AuditEvent).where(AuditEvent.incident_id == incident_id, AuditEvent.action == "media.sent")
        ).all()
    assert len(events) == 1 and events[0].actor == "pr-lead"
    assert events[0].detail["outlet"] == "Los Angeles Times"
