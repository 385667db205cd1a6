"""Issue 15 point 5: substitute notice in California, New York and Texas includes notice to
major statewide media. The media notice is a press release with the facts a journalist needs
and a media contact; each outlet it went to is recorded (`breachflow media`, audited), and it
is tracked as an obligation (`due`, then `sent`) in `status --json`."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from incidents import accounting, cli, db, pipeline, service, steps
from incidents.delivery import resolution
from incidents.exceptions import StepFailed
from incidents.models import AffectedSubject, AuditEvent, Delivery, Obligation
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
    with db.session() as s:  # still going on as far as anyone knows: no end date
        service.get_incident(session=s, incident_id=incident_id).occurred_to = None

    assert media.prepare(incident_id, out_dir=out)["media_notices"] == 1
    release = _media(incident_id)["release"]
    html = Path(release).read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    assert "FOR IMMEDIATE RELEASE" in text and "Media contact" in text
    assert "press@example-devices.test" in text  # the org profile's media contact
    assert re.search(r"\d+ residents of California", text)
    assert "Cal. Civ. Code" in text and "What information was involved" in text
    assert not re.search(r"\b(you|your)\b", text, re.IGNORECASE)  # written for the press
    assert "The incident began on" in text and "took place between" not in text
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


def test_close_refuses_while_the_media_notice_is_due(home, demo_files, tmp_path) -> None:
    """Substitute notice is not given until its statewide-media part is: the incident does not
    close, and the refusal names the law and the command that records the outlet."""
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out)
    _substitute_in_california(incident_id)
    media.prepare(incident_id, out_dir=out)
    # Everyone else is accounted for, so only the media notice can stop the close: the
    # provider accepted a letter to each person, and the rest are exempted by a responder.
    with db.session() as s:
        for person in s.exec(select(AffectedSubject).where(AffectedSubject.incident_id == incident_id)):
            s.add(Delivery(incident_id=incident_id, subject_pk=person.id or 0, channel="letter",
                           state="accepted", updated_at=utcnow()))
    resolution.resolve(incident_id=incident_id, action="exempt", reason="test: accounted for",
                       actor="test")
    with db.session() as s:
        assert accounting.unaccounted(accounting.account(s, incident_id)) == 0
        external_id = service.get_incident(session=s, incident_id=incident_id).external_id

    with pytest.raises(StepFailed) as refused:
        steps.run(incident_id, "close", pipeline.close_stage)
    assert refused.value.waiting
    message = str(refused.value)
    assert "media notice" in message and "US-CA" in message and "Cal. Civ. Code" in message
    assert f"breachflow media {external_id}" in message
    with db.session() as s:
        assert service.get_incident(session=s, incident_id=incident_id).status == "open"

    at = (utcnow() - timedelta(minutes=1)).isoformat()
    assert cli.main(["media", external_id, "--outlet", "Los Angeles Times", "--at", at]) == 0
    steps.run(incident_id, "close", pipeline.close_stage)
    with db.session() as s:
        assert service.get_incident(session=s, incident_id=incident_id).status == "closed"
