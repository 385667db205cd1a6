"""The intake API end to end against a real uvicorn process: signature, replay and
staleness, idempotency on external_id, the 4xx cases with the database unchanged, the
authenticated status document and the OpenAPI document. No Prefect API is configured here,
so the 202 says clearly that no flow run was started (tests/incidents/intake/test_intake_prefect.py
covers the runs)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.incidents.intake.conftest import SECRET, TOKEN, incident_body


def test_a_new_incident_is_created_and_the_reply_says_no_flow_run_could_start(intake):
    reply = intake.post(incident_body())
    assert reply.status_code == 202, reply.text
    body = reply.json()
    assert body["created"] is True and body["external_id"] == "SIEM-2026-4711"
    assert body["flow_run_id"] is None and body["runner"] == "unreachable"
    assert "PREFECT_API_URL" in body["message"] and body["incident_id"] in body["message"]
    rows = intake.query("SELECT id, external_id, status FROM incident")
    assert rows == [(body["incident_id"], "SIEM-2026-4711", "open")]
    actions = [a for (a,) in intake.query("SELECT action FROM auditevent ORDER BY id")]
    assert actions == ["incident.created", "intake.flow_run"]
    assert "no flow run was started" in intake.output()


def test_the_same_external_id_again_returns_the_existing_incident_and_starts_nothing(intake):
    first = intake.post(incident_body())
    before = intake.snapshot()
    again = intake.post(incident_body(title="A later alert about the same incident"))
    assert again.status_code == 200, again.text
    assert again.json()["incident_id"] == first.json()["incident_id"]
    assert again.json()["created"] is False and again.json()["status"] == "open"
    assert intake.snapshot() == before


def test_a_replay_of_a_captured_request_within_the_window_changes_nothing(intake):
    raw = json.dumps(incident_body("EDR-77")).encode()
    signed = intake.post(raw, timestamp=int(time.time()) - 10)
    header = signed.request.headers["X-Breachflow-Signature"]
    before = intake.snapshot()
    replay = intake.post(raw, signature=header)
    assert replay.status_code == 200
    assert intake.snapshot() == before


def test_a_stale_or_future_signature_is_refused_even_when_it_matches(intake):
    before = intake.snapshot()
    for moment in (int(time.time()) - 301, int(time.time()) + 400):
        reply = intake.post(incident_body("OLD-1"), timestamp=moment)
        assert reply.status_code == 401
        assert "tolerance" in reply.json()["error"]
    assert intake.snapshot() == before


def test_bad_signatures_are_refused_and_nothing_is_written(intake):
    before = intake.snapshot()
    raw = json.dumps(incident_body("BAD-1")).encode()
    cases = {
        "wrong secret": intake.post(raw, secret="not-the-secret"),
        "no header": intake.client.post("/v1/incidents", content=raw),
        "malformed": intake.post(raw, signature="sha256=deadbeef"),
        "body changed after signing": intake.post(
            raw.replace(b"BAD-1", b"BAD-2"), signature=intake.post(raw, secret="x")
            .request.headers["X-Breachflow-Signature"]),
    }
    for name, reply in cases.items():
        assert reply.status_code == 401, name
        assert reply.json()["error"], name
    assert intake.snapshot() == before


def test_a_body_over_one_mebibyte_is_refused_with_413_before_anything_else(intake):
    before = intake.snapshot()
    big = json.dumps(incident_body("BIG-1", summary="x" * (1024 * 1024))).encode()
    assert intake.post(big).status_code == 413
    # Without a Content-Length (chunked), the limit is enforced while reading.
    chunked = intake.client.post("/v1/incidents", content=iter([big[:600_000], big[600_000:]]),
                                 headers={"X-Breachflow-Signature": "t=1,v1=00"})
    assert chunked.status_code == 413
    exactly = b" " * (1024 * 1024 - len(json.dumps(incident_body("EDGE-1")))) + json.dumps(
        incident_body("EDGE-1")).encode()
    assert len(exactly) == 1024 * 1024
    assert intake.post(exactly).status_code == 202
    assert intake.snapshot()[0] != before[0]


def test_invalid_bodies_get_422_naming_the_field_and_nothing_is_written(intake):
    before = intake.snapshot()
    cases = {
        "payload": b"{not json",
        "external_id": json.dumps({k: v for k, v in incident_body().items()
                                   if k != "external_id"}).encode(),
        "detected_at": json.dumps(incident_body(detected_at="2026-11-20T08:00:00")).encode(),
        "data_categories": json.dumps(incident_body(data_categories=["shoe_size"])).encode(),
        "cause": json.dumps(incident_body(cause="aliens")).encode(),
        "colour": json.dumps(incident_body(colour="red")).encode(),
        "encryption.encrypted": json.dumps(incident_body(encryption={"encrypted": "yes"})).encode(),
        "occurred_to": json.dumps(incident_body(occurred_from="2026-11-19T00:00:00Z",
                                                occurred_to="2026-11-18T00:00:00Z")).encode(),
    }
    for field, raw in cases.items():
        reply = intake.post(raw)
        assert reply.status_code == 422, (field, reply.text)
        assert reply.json()["field"] == field, reply.json()
        assert field in reply.json()["error"] or field == "payload"
    assert intake.post(b"[1, 2]").json()["field"] == "payload"
    assert intake.snapshot() == before


def test_status_needs_the_bearer_token_and_equals_the_status_command(intake):
    created = intake.post(incident_body()).json()
    assert intake.get(created["incident_id"], token=None).status_code == 401
    wrong = intake.get(created["incident_id"], token="nope")
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert intake.get("no-such-incident").status_code == 404
    by_id = intake.get(created["incident_id"])
    by_external = intake.get("SIEM-2026-4711")
    assert by_id.status_code == by_external.status_code == 200
    assert by_id.json() == by_external.json()
    command = subprocess.run([sys.executable, "-m", "incidents.cli", "status",
                              created["incident_id"], "--json"], env=intake.env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert command.returncode == 0, command.stderr
    assert by_id.json() == json.loads(command.stdout)


def test_an_external_id_cannot_steer_where_documents_are_written(intake):
    intake.post(incident_body("../../etc/passwd"))
    ((settings,),) = intake.query("SELECT settings FROM incident")
    out = json.loads(settings)["out"]
    assert Path(out).parent == intake.home.parent / "out"
    assert ".." not in Path(out).name and "etc_passwd" in Path(out).name


def test_the_app_serves_its_openapi_document(intake):
    document = intake.client.get("/openapi.json").json()
    post = document["paths"]["/v1/incidents"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert {"external_id", "title", "detected_at", "data_categories"} <= set(schema["required"])
    assert {"200", "202", "401", "413", "422"} <= set(post["responses"])
    assert any(p["name"] == "X-Breachflow-Signature" for p in post["parameters"])
    assert "/v1/incidents/{incident_id}" in document["paths"]
    assert intake.client.get("/docs").status_code == 200


def test_secrets_never_reach_the_log(intake):
    intake.post(incident_body())
    intake.post(incident_body(), secret="wrong")
    intake.get("SIEM-2026-4711")
    intake.get("SIEM-2026-4711", token="wrong-token")
    output = intake.output()
    assert SECRET not in output and TOKEN not in output and "wrong-token" not in output
    assert "Credential stuffing" not in output


def test_without_a_secret_the_endpoints_say_which_variable_is_missing(make_intake):
    bare = make_intake(extra_env={"BREACHFLOW_WEBHOOK_SECRET": "", "BREACHFLOW_API_TOKEN": ""})
    reply = bare.post(incident_body())
    assert reply.status_code == 503 and "BREACHFLOW_WEBHOOK_SECRET" in reply.json()["error"]
    status = bare.get("SIEM-2026-4711")
    assert status.status_code == 503 and "BREACHFLOW_API_TOKEN" in status.json()["error"]
    assert httpx.get(f"{bare.url}/healthz").status_code == 200


def test_the_personal_notice_page_route_answers_without_caching_or_indexing(intake):
    reply = intake.client.get("/n/AAAAAAAAAAAAAAAAAAAAAA")
    assert reply.status_code == 404
    assert reply.headers["cache-control"] == "no-store"
    assert "noindex" in reply.headers["x-robots-tag"]
    assert reply.headers["content-type"].startswith("text/html")
