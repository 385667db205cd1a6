"""Paging: a new P1/P2 breach alerts the responders through the real Apprise client, once,
with ids and counts only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from incidents import db, org, payload
from incidents.alerts import paging
from incidents.models import AuditEvent
from incidents.triage import correlation, review
from incidents.triage import stage as triage_stage


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages: list[dict] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server_address[1]}/page"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.pages.append({"path": self.path, **json.loads(body)})
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


SEVERE = {"external_id": "SEV-1", "title": "Ransomware on the clinic file server, patient Jane Roe",
          "summary": "Jane Roe's records were seen on a leak site", "detected_at": "2026-11-20T08:00:00Z",
          "aware_at": "2026-11-20T10:30:00Z", "data_categories": ["health", "name"],
          "systems": ["clinic-fs"], "contained": False, "cause": "external_attack"}


def _intake(data):
    with db.session() as s:
        incident, _, _ = correlation.intake_alert(session=s, payload=payload.parse(data),
                                                  org=org.load(None), actor="siem")
        return incident.id


def _actions(incident_id):
    with db.session() as s:
        return [(e.action, e.detail) for e in s.exec(select(AuditEvent).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action.startswith("paging")))]


def test_a_new_p1_breach_pages_once(home, receiver, monkeypatch):
    monkeypatch.setenv("BREACHFLOW_PAGE_URLS", receiver.url)
    incident_id = _intake(SEVERE)
    assert triage_stage.decide(incident_id)["severity"] == "P1"
    [page] = receiver.pages
    assert page["path"] == "/page"
    assert "P1" in page["title"] and "SEV-1" in page["title"]
    assert incident_id in page["message"] and "health, name" in page["message"]
    # Free text from the tool is never paged: it may name people.
    assert "Jane Roe" not in json.dumps(page) and "Ransomware" not in json.dumps(page)
    assert paging.page_if_severe(incident_id) == {"paged": False, "why": "already paged"}
    assert len(receiver.pages) == 1
    assert [a for a, _ in _actions(incident_id)] == ["paging.sent"]
    assert receiver.url not in json.dumps(_actions(incident_id))  # URLs carry tokens


def test_a_minor_incident_pages_nobody_until_overridden(home, receiver, monkeypatch):
    monkeypatch.setenv("BREACHFLOW_ALERT_URLS", receiver.url)  # the deadline watch's responders
    monkeypatch.delenv("BREACHFLOW_PAGE_URLS", raising=False)
    incident_id = _intake({**SEVERE, "external_id": "LOW-1", "data_categories": ["email"],
                           "contained": True, "cause": "insider_error"})
    assert triage_stage.decide(incident_id)["severity"] == "P4"
    assert receiver.pages == []
    review.confirm(incident_id, {"severity": "P2", "reason": "VIP accounts", "approver": "alice"})
    assert paging.page_if_severe(incident_id)["paged"] is True
    assert "P2" in receiver.pages[0]["title"]


def test_a_failed_page_is_recorded_and_tried_again(home, receiver, monkeypatch):
    monkeypatch.setenv("BREACHFLOW_PAGE_URLS", receiver.url)
    receiver.status = 500
    incident_id = _intake(SEVERE)
    triage_stage.decide(incident_id)
    assert [a for a, _ in _actions(incident_id)] == ["paging.failed"]
    receiver.status = 200
    assert paging.page_if_severe(incident_id)["paged"] is True
    assert [a for a, _ in _actions(incident_id)] == ["paging.failed", "paging.sent"]
    assert len(receiver.pages) == 2


def test_no_urls_no_page(home, monkeypatch):
    monkeypatch.delenv("BREACHFLOW_PAGE_URLS", raising=False)
    monkeypatch.delenv("BREACHFLOW_ALERT_URLS", raising=False)
    incident_id = _intake(SEVERE)
    assert paging.page_if_severe(incident_id)["paged"] is False
    assert _actions(incident_id) == []
