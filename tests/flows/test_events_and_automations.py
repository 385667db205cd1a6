"""Events, hooks, automations and notification blocks (issue 20, point 9), against the session's
Prefect server: the deadline watch emits `breachflow.obligation.deadline-near` and alerts a
Prefect notification block; a paused sending emits `breachflow.sending.paused`; a failed run's
hook emits `breachflow.run.failed` and alerts the Apprise URLs; `serve` creates automations that
notify the blocks on Suspended, Crashed and Failed runs."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

from flows import automations, delivery, events, hooks
from incidents import db
from incidents.delivery import ledger
from incidents.exceptions import BreachflowError
from incidents.models import Obligation
from incidents.sqltypes import utcnow
from tests.flows.alert_intake import incident_from_alert

pytestmark = pytest.mark.prefect


class Hook:
    """A local HTTP endpoint that records what is posted to it (an alert destination)."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                hook.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                """Silent."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[Hook]:
    found = Hook()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def alert_block(hook: Hook, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Prefect notification block posting to `hook`, named in BREACHFLOW_ALERT_BLOCKS."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    name = f"breachflow-test-{uuid.uuid4().hex[:8]}"
    CustomWebhookNotificationBlock(name="test", url=f"{hook.url}/alert",
                                   json_data={"text": "{{subject}}\n{{body}}"}).save(name)
    slug = f"custom-webhook/{name}"
    monkeypatch.setenv("BREACHFLOW_ALERT_BLOCKS", slug)
    return slug


def _events(name: str, incident_id: str, *, wait: float = 30.0) -> list[Any]:
    """The events of this name about this incident, once the server has stored them."""
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all()
    deadline = time.monotonic() + wait
    found: list[Any] = []
    while time.monotonic() < deadline:
        with get_client(sync_client=True) as client:
            found = list(client.read_events(filter=EventFilter(
                event=EventNameFilter(name=[name]),
                resource=EventResourceFilter(id=[f"breachflow.incident.{incident_id}"])), limit=50).events)
        if found:
            return found
        time.sleep(0.5)
    return found


def test_the_deadline_watch_emits_an_event_and_alerts_a_notification_block(home, hook, alert_block):
    from flows.deadlines import deadline_watch

    incident_id = incident_from_alert("EVT-DEADLINE")
    with db.session() as s:
        s.add(Obligation(incident_id=incident_id, jurisdiction="EU", audience="regulator",
                         required=True, deadline=utcnow() + timedelta(hours=1),
                         deadline_rule="72 hours", citation="GDPR Art. 33(1)", verification="V"))
    counts = deadline_watch()
    assert counts["sent"] == 1
    (event,) = _events(events.DEADLINE_NEAR, incident_id)
    assert event.payload["jurisdiction"] == "EU" and event.payload["level"] == 90
    assert event.resource["prefect.resource.name"] == "EVT-DEADLINE"
    assert len(hook.bodies) == 1
    assert "EVT-DEADLINE" in json.loads(hook.bodies[0])["text"]


def test_a_paused_sending_emits_an_event(home, monkeypatch):
    incident_id = incident_from_alert("EVT-PAUSED")
    ledger.set_sending(incident_id, "paused")

    def paused(incident_id: str, conductor: object) -> dict[str, Any]:
        raise BreachflowError("sending is paused for this incident")

    monkeypatch.setattr(delivery.rounds, "deliver", paused)

    @flow
    def notify(incident_id: str) -> None:
        delivery.notify(incident_id)

    with pytest.raises(BreachflowError):
        notify(incident_id)
    assert _events(events.SENDING_PAUSED, incident_id)


def test_a_failed_incident_run_emits_an_event_and_alerts_the_apprise_urls(home, hook, monkeypatch):
    monkeypatch.setenv("BREACHFLOW_ALERT_URLS", f"json://127.0.0.1:{hook.server.server_address[1]}/")
    incident_id = incident_from_alert("EVT-FAILED")

    @flow(name="respond_to_incident_test", on_failure=[hooks.run_failed])
    def failing(incident_id: str) -> None:
        raise BreachflowError("a step failed")

    state = failing(incident_id, return_state=True)
    assert state.is_failed()
    (event,) = _events(events.RUN_FAILED, incident_id)
    assert event.payload["flow"] == "respond_to_incident_test"
    assert len(hook.bodies) == 1
    assert f"breachflow resume {incident_id}" in json.loads(hook.bodies[0])["message"]


def test_serve_creates_automations_that_notify_the_blocks_on_waiting_crashed_and_failed(
        home, alert_block):
    from prefect.blocks.core import Block

    block_id = Block.load(alert_block)._block_document_id
    try:
        assert automations.ensure() == [automations.name(s) for s in automations.STATES]
        # Every gate's wait: triage suspends, the notices and filing gates pause.
        assert {"Suspended", "Paused"} <= set(automations.STATES)
        automations.ensure()  # replaced, not doubled
        with get_client(sync_client=True) as client:
            for state in automations.STATES:
                (found,) = client.read_automations_by_name(automations.name(state))
                assert found.trigger.expect == {f"prefect.flow-run.{state}"}
                flows = found.trigger.match_related["prefect.resource.name"]
                assert {"respond_to_incident", "regulator_track"} <= set(flows)
                (action,) = found.actions
                assert action.type == "send-notification" and action.block_document_id == block_id
    finally:
        with get_client(sync_client=True) as client:
            for state in automations.STATES:
                for found in client.read_automations_by_name(automations.name(state)):
                    client.delete_automation(found.id)


def test_no_block_no_automation(home, monkeypatch):
    monkeypatch.delenv("BREACHFLOW_ALERT_BLOCKS", raising=False)
    assert automations.ensure() == []
