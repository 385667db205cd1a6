"""Hostile input against the intake API: generated invalid requests (hypothesis) and
schemathesis against the app's own OpenAPI document. Every one gets a 4xx, none a 5xx, and none
writes to the database.

Counts: 4,000 signed invalid payloads + 3,000 forged/stale signatures + 2,000 signed non-JSON
bodies + 1,000 structural extremes + the schemathesis cases = more than 10,000 requests."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from starlette.testclient import TestClient

from incidents import payload
from incidents.exceptions import InputError
from incidents.intake.app import create_app
from incidents.intake.settings import IntakeSettings
from incidents.intake.signature import HEADER, sign

SECRET = "whsec-fuzz-0123456789"
TOKEN = "api-token-fuzz"
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


VALID = {"external_id": "FUZZ-1", "title": "t", "detected_at": "2026-11-20T08:00:00Z",
         "data_categories": ["email"]}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10),
                                                                       children, max_size=5),
    max_leaves=20)


@st.composite
def invalid_payloads(draw: st.DrawFn) -> object:
    """A payload that is certainly invalid: a value of the wrong shape, a missing required
    field, a field with a wrong value, or an unknown field."""
    how = draw(st.sampled_from(["any", "drop", "wrong", "unknown"]))
    if how == "any":
        value = draw(json_values)
        if isinstance(value, dict):
            value.pop("external_id", None)  # never a valid payload by accident
        return value
    data = dict(VALID)
    if how == "drop":
        del data[draw(st.sampled_from(sorted(VALID)))]
    elif how == "wrong":
        field = draw(st.sampled_from(["detected_at", "data_categories", "breach_types", "cause",
                                      "encryption", "aware_at", "title", "contained"]))
        data[field] = draw(json_values.filter(lambda v: not isinstance(v, bool) or field != "contained"))
        if field == "contained" and isinstance(data[field], bool):
            data[field] = "yes"
        if field == "title" and isinstance(data[field], str) and 0 < len(data[field]) <= 500:
            data[field] = {"nested": data[field]}
    else:
        data[draw(st.text(min_size=1, max_size=20).filter(lambda k: k not in VALID and k not in (
            "summary", "aware_at", "determined_at", "occurred_from", "occurred_to", "breach_types",
            "cause", "encryption", "systems", "contained", "measures_taken",
            "law_enforcement_delay", "related_to")))] = draw(json_values)
    return data


def _invalid(data: object) -> bool:
    try:
        payload.parse(data)
    except InputError:
        return True
    return False


@pytest.fixture
def api(home):
    app = create_app(IntakeSettings(webhook_secrets=(SECRET,), api_token=TOKEN))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app, home


def _writes(home) -> int:
    path = home / "breachflow.db"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")]
        return sum(connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                   for t in tables)


def _post(client, raw: bytes, signature: str | None, content_type: str = "application/json"):
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers[HEADER] = signature
    return client.post("/v1/incidents", content=raw, headers=headers)


def test_signed_invalid_payloads_get_422_and_write_nothing(api):
    client, _, home = api

    @fuzz(4000)
    @given(invalid_payloads().filter(_invalid))
    def check(data: object) -> None:
        raw = json.dumps(data).encode()
        reply = _post(client, raw, sign(raw, secret=SECRET))
        assert reply.status_code in (413, 422), reply.text
        if reply.status_code == 422:
            assert reply.json()["field"]

    check()
    assert _writes(home) == 0


def test_forged_replayed_and_stale_signatures_get_401(api):
    client, _, home = api

    @fuzz(3000)
    @given(kind=st.sampled_from(["garbage", "wrong-secret", "stale", "future", "tampered", "none"]),
           garbage=st.text(max_size=80), skew=st.integers(310, 10**6))
    def check(kind: str, garbage: str, skew: int) -> None:
        raw = json.dumps(VALID).encode()
        now = int(time.time())
        signature: str | None = {
            "garbage": garbage.encode("ascii", "ignore").decode(),
            "wrong-secret": sign(raw, secret="not-the-secret"),
            "stale": sign(raw, secret=SECRET, timestamp=now - skew),
            "future": sign(raw, secret=SECRET, timestamp=now + skew),
            "tampered": sign(raw + b" ", secret=SECRET),
            "none": None,
        }[kind]
        reply = _post(client, raw, signature)
        assert reply.status_code == 401, reply.text

    check()
    assert _writes(home) == 0


def test_signed_bodies_that_are_not_json_get_422(api):
    client, _, home = api

    @fuzz(2000)
    @given(raw=st.binary(max_size=300), content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
    def check(raw: bytes, content_type: str) -> None:
        try:
            json.loads(raw)
        except ValueError:
            reply = _post(client, raw, sign(raw, secret=SECRET), content_type)
            assert reply.status_code == 422, reply.text

    check()
    assert _writes(home) == 0


def test_structural_extremes_never_reach_a_5xx(api):
    client, _, home = api

    @fuzz(1000)
    @given(depth=st.integers(1, 200_000), digits=st.integers(1, 50_000),
           kind=st.sampled_from(["nested-list", "nested-object", "huge-int", "huge-float",
                                 "long-string", "many-keys"]))
    def check(depth: int, digits: int, kind: str) -> None:
        raw = {
            "nested-list": b"[" * depth + b"]" * depth,
            "nested-object": b'{"a":' * depth + b"1" + b"}" * depth,
            "huge-int": b'{"external_id": ' + b"9" * digits + b"}",
            "huge-float": b'{"detected_at": 1e' + str(digits).encode() + b"}",
            "long-string": json.dumps({**VALID, "title": "x" * (501 + digits * 20)}).encode(),
            "many-keys": json.dumps({f"k{i}": i for i in range(digits)}).encode(),
        }[kind]
        reply = _post(client, raw, sign(raw, secret=SECRET))
        assert 400 <= reply.status_code < 500, (kind, reply.status_code, reply.text[:200])

    check()
    assert _writes(home) == 0


APP = create_app(IntakeSettings(webhook_secrets=(SECRET,), api_token=TOKEN))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


def test_the_openapi_document_lists_the_endpoints():
    paths = {operation.path for operation in (r.ok() for r in SCHEMA.get_all_operations())}
    assert {"/v1/incidents", "/v1/incidents/{incident_id}"} <= paths


@pytest.fixture
def providers_configured(monkeypatch, tmp_path):
    """Provider callbacks verify signatures with these, gate answers authenticate responders
    against the roster; unconfigured they answer 503 on purpose."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    monkeypatch.setenv("BREACHFLOW_SENDGRID_WEBHOOK_PUBLIC_KEY", base64.b64encode(public).decode())
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-fuzz-token")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "2" * 32)
    roster = tmp_path / "responders"
    roster.write_text("alice " + "0" * 64 + "\n", encoding="utf-8")
    monkeypatch.setenv("BREACHFLOW_RESPONDERS", str(roster))


@SCHEMA.parametrize()
@fuzz(150)
def test_schemathesis_against_the_openapi_document(case, home, providers_configured):
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code)
    case.validate_response(response, checks=[not_a_server_error])
    assert _writes(home) == 0
