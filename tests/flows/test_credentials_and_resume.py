"""Provider credentials from Prefect Secret blocks, and `resume` as the incident's own flow
(issue 20, point 10), against the session's Prefect server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter

from incidents import channels, credentials, db
from incidents.models import Incident, Step
from tests.flows.alert_intake import incident_from_alert

pytestmark = pytest.mark.prefect


def test_block_names_follow_the_variables():
    assert credentials.block_name("SENDGRID_API_KEY") == "breachflow-sendgrid-api-key"
    assert credentials.block_name("BREACHFLOW_SMS_FROM") == "breachflow-sms-from"
    assert credentials.block_name("TWILIO_AUTH_TOKEN") == "breachflow-twilio-auth-token"


@pytest.fixture
def blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Secret blocks for the providers, under names only this test reads: other tests share the
    Prefect server and must not find real-looking credentials under the usual names."""
    suffix = uuid.uuid4().hex[:8]
    named = credentials.block_name
    monkeypatch.setattr(credentials, "block_name", lambda variable: f"{named(variable)}-{suffix}")
    values = {"SENDGRID_API_KEY": "SG.from-a-block", "BREACHFLOW_EMAIL_FROM": "alerts@example.org",
              "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "token-from-a-block",
              "BREACHFLOW_SMS_FROM": "+15005550006"}
    saved = {variable: credentials.block_name(variable) for variable in values}
    for variable, name in saved.items():
        Secret(value=values[variable]).save(name, overwrite=True)
    credentials.reset()
    yield values
    credentials.reset()
    with get_client(sync_client=True) as client:
        for name in saved.values():
            client.delete_block_document(client.read_block_document_by_name(
                name, block_type_slug="secret").id)


def test_provider_channels_take_their_credentials_from_secret_blocks(home, blocks, monkeypatch):
    monkeypatch.setenv("BREACHFLOW_SANDBOX_URL", "http://127.0.0.1:9")  # would stand in otherwise
    channels.reset()
    active = channels.active()
    email, sms = active["email"], active["sms"]
    assert not email.sandboxed and not sms.sandboxed
    assert email.sender == "alerts@example.org"  # type: ignore[attr-defined]
    assert sms.account_sid == blocks["TWILIO_ACCOUNT_SID"]  # type: ignore[attr-defined]
    assert sms.sender == "+15005550006"  # type: ignore[attr-defined]
    from incidents.delivery import provider_events

    assert provider_events.twilio_auth_token() == "token-from-a-block"
    channels.reset()


def test_the_environment_wins_over_a_block(home, blocks, monkeypatch):
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.from-the-environment")
    assert credentials.get("SENDGRID_API_KEY") == "SG.from-the-environment"
    monkeypatch.delenv("SENDGRID_API_KEY")
    assert credentials.get("SENDGRID_API_KEY") == "SG.from-a-block"


def test_resume_runs_as_the_incidents_flow_named_like_its_first_run(home):
    from prefect.client.schemas.filters import FlowRunFilterTags

    from flows import labels
    from flows.resume import resume_incident

    external_id = f"RESUME-{uuid.uuid4().hex[:6]}"
    incident_id, other = incident_from_alert(external_id), incident_from_alert(f"{external_id}-B")
    with db.session() as s:
        # Triaged and folded into another incident: the run's shortest path (nothing to send).
        s.get(Incident, incident_id).merged_into = other  # type: ignore[union-attr]
        s.add(Step(incident_id=incident_id, name="triage", state="done", outcome={}))
    assert resume_incident(external_id) == {"status": "merged"}
    with get_client(sync_client=True) as client:
        (run,) = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            tags=FlowRunFilterTags(all_=[labels.incident_tag(incident_id)])))
        assert client.read_flow(run.flow_id).name == "respond_to_incident"
        assert run.name == labels.name_for(external_id, "Exposed bucket")
