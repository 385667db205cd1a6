"""The provider sandbox, exercised with the official sendgrid, twilio and apprise clients."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

import apprise
import httpx
import pytest
from python_http_client.exceptions import (
    BadRequestsError,
    InternalServerError,
    TooManyRequestsError,
    UnauthorizedError,
)
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Category,
    CustomArg,
    From,
    Mail,
    Personalization,
    To,
)
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from incidents.channels.twilio_http import (
    ORIGINAL_HOST_HEADER,
    QuietTwilioHttpClient,
    RewritingTwilioHttpClient,
    parse_base_url,
    rewrite_url,
    twilio_http_client,
)
from sandbox import ChannelFaults, Faults, Sandbox
from sandbox.server import main
from sandbox.twilio_api import segments

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "AC" + "0" * 32
TOKEN = "sandbox-auth-token"
SERVICE = "MG" + "1" * 32
SENDER = "+15005550006"


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(running: Sandbox) -> Sandbox:
    running.reset()
    running.set_faults(Faults())
    return running


@pytest.fixture
def sendgrid(sandbox: Sandbox) -> Any:
    client = SendGridAPIClient(api_key="SG.sandbox", host=sandbox.url)
    client.client.timeout = 5
    return client


@pytest.fixture
def twilio(sandbox: Sandbox) -> Any:
    return Client(ACCOUNT, TOKEN, http_client=RewritingTwilioHttpClient(sandbox.url, timeout=5))


def notice(recipients: list[tuple[str, str]], claim: str = "claim-1", subject: str = "Notice") -> Any:
    """A breach notice the way the adapter builds it: one personalization per person."""
    mail = Mail(
        from_email=From("security@example.com", "Example Security"),
        subject=subject,
        plain_text_content="Your account data was exposed.",
        html_content="<p>Your account data was exposed.</p>",
    )
    for address, delivery_id in recipients:
        personalization = Personalization()
        personalization.add_to(To(address))
        personalization.add_custom_arg(CustomArg("delivery_id", delivery_id))
        personalization.add_custom_arg(CustomArg("claim", claim))
        mail.add_personalization(personalization)
    mail.custom_arg = CustomArg("incident_id", "INC-42")  # root-level: the spec defect's case
    mail.category = [Category("breach-notice"), Category("INC-42")]
    return mail


def raw_mail(count: int, *, duplicate: bool = False) -> dict[str, Any]:
    addresses = [f"person{i}@example.org" for i in range(count)]
    if duplicate:
        addresses[-1] = addresses[0].upper()  # addresses compare case-insensitively
    return {
        "from": {"email": "security@example.com"},
        "subject": "Notice",
        "content": [{"type": "text/plain", "value": "text"}],
        "personalizations": [{"to": [{"email": a}]} for a in addresses],
    }


def get_json(url: str) -> Any:
    response = httpx.get(url, timeout=5)
    response.raise_for_status()
    return response.json()


def post(url: str, body: bytes) -> tuple[int, bytes]:
    response = httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=5)
    return response.status_code, response.content


# --- SendGrid ----------------------------------------------------------------------------------


def test_sendgrid_send_is_accepted_and_stored_per_personalization(sandbox: Sandbox, sendgrid: Any) -> None:
    response = sendgrid.send(notice([("alice@example.org", "d-1"), ("bob@example.org", "d-2")]))

    assert response.status_code == 202
    assert response.body == b""
    message_id = response.headers.get("X-Message-Id")
    assert message_id
    stored = {m["recipient"]: m for m in sandbox.messages("email")}
    assert set(stored) == {"alice@example.org", "bob@example.org"}
    alice = stored["alice@example.org"]
    assert alice["subject"] == "Notice"
    assert alice["content_types"] == ["text/plain", "text/html"]
    assert alice["custom_args"] == {"incident_id": "INC-42", "delivery_id": "d-1", "claim": "claim-1"}
    assert alice["delivery_id"] == "d-1"
    assert alice["categories"] == ["INC-42", "breach-notice"]
    assert alice["msg_id"].startswith(message_id + ".")
    assert alice["status"] == "delivered"
    assert alice["received_at"].endswith("Z")


def test_sendgrid_without_api_key_is_401_in_sendgrid_shape(sandbox: Sandbox) -> None:
    client = SendGridAPIClient(api_key="SG.sandbox", host=sandbox.url)
    del client.client.request_headers["Authorization"]

    with pytest.raises(UnauthorizedError) as caught:
        client.send(notice([("alice@example.org", "d-1")]))

    assert caught.value.status_code == 401
    assert caught.value.to_dict == {
        "errors": [{"field": None, "message": "authorization required", "help": None}]
    }
    assert sandbox.messages("email") == []


def test_sendgrid_with_a_configured_key_refuses_another() -> None:
    with Sandbox(sendgrid_api_key="SG.right") as strict:
        with pytest.raises(UnauthorizedError):
            SendGridAPIClient(api_key="SG.wrong", host=strict.url).send(notice([("a@example.org", "d")]))
        assert (
            SendGridAPIClient(api_key="SG.right", host=strict.url)
            .send(notice([("a@example.org", "d")]))
            .status_code
            == 202
        )


def test_sendgrid_invalid_body_is_400_naming_the_fields(sandbox: Sandbox, sendgrid: Any) -> None:
    body = raw_mail(1)
    del body["from"]
    body["categories"] = [f"c{i}" for i in range(11)]
    body["personalizations"][0]["to"][0]["email"] = "not-an-address"

    with pytest.raises(BadRequestsError) as caught:
        sendgrid.client.mail.send.post(request_body=body)

    errors = caught.value.to_dict["errors"]
    fields = {e["field"] for e in errors}
    assert {"from", "categories", "personalizations.0.to.0.email"} <= fields
    assert all(e["help"] is None and e["message"] for e in errors)
    assert sandbox.messages("email") == []


def test_sendgrid_more_than_1000_personalizations_is_400(sendgrid: Any) -> None:
    with pytest.raises(BadRequestsError) as caught:
        sendgrid.client.mail.send.post(request_body=raw_mail(1001))

    assert [e["field"] for e in caught.value.to_dict["errors"]] == ["personalizations"]
    assert sendgrid.client.mail.send.post(request_body=raw_mail(1000)).status_code == 202


def test_sendgrid_duplicate_address_in_one_request_is_400_without_echoing_it(sendgrid: Any) -> None:
    with pytest.raises(BadRequestsError) as caught:
        sendgrid.client.mail.send.post(request_body=raw_mail(3, duplicate=True))

    [error] = caught.value.to_dict["errors"]
    assert error["field"] == "personalizations.2.to"
    assert "person0" not in error["message"].lower()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("subject"), "subject"),
        (lambda b: b.pop("content"), "content"),
        (lambda b: b.update(custom_args={"n": 1}), "custom_args"),
        (lambda b: b.update(personalizations=[]), "personalizations"),
        (lambda b: b.update(headers={"From": "x"}), "headers"),
        (
            lambda b: b.update(
                content=[{"type": "text/html", "value": "h"}, {"type": "text/plain", "value": "t"}]
            ),
            "content.0.type",
        ),
    ],
)
def test_sendgrid_documented_rules_beyond_the_schema(sendgrid: Any, change: Any, field: str) -> None:
    body = raw_mail(1)
    change(body)

    with pytest.raises(BadRequestsError) as caught:
        sendgrid.client.mail.send.post(request_body=body)

    assert field in {e["field"] for e in caught.value.to_dict["errors"]}


def test_sendgrid_sandbox_mode_validates_without_sending(sandbox: Sandbox, sendgrid: Any) -> None:
    body = raw_mail(1) | {"mail_settings": {"sandbox_mode": {"enable": True}}}

    assert sendgrid.client.mail.send.post(request_body=body).status_code == 200
    assert sandbox.messages("email") == []


def test_activity_api_finds_messages_by_custom_arg_and_address(sendgrid: Any) -> None:
    sendgrid.send(notice([("alice@example.org", "d-1"), ("bob@example.org", "d-2")], claim="batch-A"))
    sendgrid.send(notice([("carol@example.org", "d-3")], claim="batch-B"))

    found = sendgrid.client.messages.get(
        query_params={"limit": 10, "query": "unique_args['claim']=\"batch-A\""}
    )
    messages = json.loads(found.body)["messages"]
    assert found.status_code == 200
    assert sorted(m["to_email"] for m in messages) == ["alice@example.org", "bob@example.org"]
    assert {m["status"] for m in messages} == {"delivered"}
    assert set(messages[0]) == {
        "msg_id",
        "from_email",
        "subject",
        "to_email",
        "status",
        "opens_count",
        "clicks_count",
        "last_event_time",
    }

    query = 'to_email="carol@example.org" AND unique_args[\'claim\']="batch-B"'
    by_address = json.loads(sendgrid.client.messages.get(query_params={"query": query}).body)["messages"]
    assert [m["to_email"] for m in by_address] == ["carol@example.org"]

    limited = sendgrid.client.messages.get(query_params={"limit": 1, "query": 'subject LIKE "Not%"'})
    assert len(json.loads(limited.body)["messages"]) == 1

    with pytest.raises(BadRequestsError):
        sendgrid.client.messages.get(query_params={"query": "DROP TABLE messages"})


# --- SendGrid faults ---------------------------------------------------------------------------


def test_sendgrid_rate_limit_fault_is_429_with_rate_limit_headers(sandbox: Sandbox, sendgrid: Any) -> None:
    sandbox.set_faults(Faults(email=ChannelFaults(rate_limit_429=1.0), retry_after_seconds=7))

    with pytest.raises(TooManyRequestsError) as caught:
        sendgrid.send(notice([("alice@example.org", "d-1")]))

    headers = caught.value.headers
    assert caught.value.status_code == 429
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["Retry-After"] == "7"
    assert int(headers["X-RateLimit-Reset"]) >= int(time.time()) + 6
    assert sandbox.messages("email") == []
    assert sandbox.stats()["requests"]["email"] == {"rate_limit_429": 1}


def test_sendgrid_5xx_fault_stores_nothing(sandbox: Sandbox, sendgrid: Any) -> None:
    sandbox.set_faults(Faults(email=ChannelFaults(error_5xx=1.0)))

    with pytest.raises(InternalServerError):
        sendgrid.send(notice([("alice@example.org", "d-1")]))

    assert sandbox.messages("email") == []


def test_accept_then_5xx_stores_the_message_the_client_thinks_failed(sandbox: Sandbox, sendgrid: Any) -> None:
    sandbox.set_faults(Faults(email=ChannelFaults(accept_then_5xx=1.0)))

    with pytest.raises(InternalServerError):
        sendgrid.send(notice([("alice@example.org", "d-1")]))

    assert [m["delivery_id"] for m in sandbox.messages("email")] == ["d-1"]


def test_accept_then_timeout_stores_then_times_out_and_activity_reconciles(sandbox: Sandbox) -> None:
    sandbox.set_faults(Faults(email=ChannelFaults(accept_then_timeout=1.0), hang_seconds=2.0))
    client = SendGridAPIClient(api_key="SG.sandbox", host=sandbox.url)
    client.client.timeout = 0.3

    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        client.send(notice([("alice@example.org", "d-1")], claim="lost-batch"))

    assert time.monotonic() - started < 1.5
    sandbox.set_faults(Faults())
    found = client.client.messages.get(query_params={"query": "unique_args['claim']=\"lost-batch\""})
    assert [m["to_email"] for m in json.loads(found.body)["messages"]] == ["alice@example.org"]


def test_bounce_fault_accepts_then_marks_bounced(sandbox: Sandbox, sendgrid: Any) -> None:
    sandbox.set_faults(Faults(email=ChannelFaults(bounce=1.0)))

    assert sendgrid.send(notice([("alice@example.org", "d-1")])).status_code == 202

    assert [m["status"] for m in sandbox.messages("email")] == ["bounced"]
    found = sendgrid.client.messages.get(query_params={"query": 'to_email="alice@example.org"'})
    assert json.loads(found.body)["messages"][0]["status"] == "not_delivered"


def test_faults_are_deterministic_for_a_seed() -> None:
    def outcomes() -> list[int]:
        faults = Faults(email=ChannelFaults(error_5xx=0.3, rate_limit_429=0.2), seed=11)
        auth = {"Authorization": "Bearer SG.x"}
        with Sandbox(faults=faults) as sandbox, httpx.Client(base_url=sandbox.url, headers=auth) as http:
            return [http.post("/v3/mail/send", json=raw_mail(1)).status_code for _ in range(30)]

    first, second = outcomes(), outcomes()
    assert first == second
    assert {202, 429, 500} <= set(first)


def test_faults_endpoint_sets_and_rejects_configuration(sandbox: Sandbox) -> None:
    status, body = post(
        sandbox.url + "/sandbox/faults", json.dumps({"sms": {"undelivered": 0.5}, "seed": 3}).encode()
    )
    assert status == 200
    assert json.loads(body)["sms"]["undelivered"] == 0.5
    assert sandbox.faults.seed == 3

    for bad in (
        {"email": {"undelivered": 0.5}},
        {"push": {"error_5xx": 2}},
        {"email": {"explode": 1}},
        {"sms": {"error_5xx": 0.6, "rate_limit_429": 0.6}},
    ):
        status, body = post(sandbox.url + "/sandbox/faults", json.dumps(bad).encode())
        assert status == 400, bad
        assert json.loads(body)["error"]
    assert sandbox.faults.sms.undelivered == 0.5


# --- Twilio ------------------------------------------------------------------------------------


def test_twilio_message_create_is_201_and_parsed(sandbox: Sandbox, twilio: Any) -> None:
    message = twilio.messages.create(
        to="+15551230001",
        messaging_service_sid=SERVICE,
        body="Security notice about your account",
        status_callback="https://hooks.example.com/twilio/status?delivery_id=INC-42:u1:sms",
        validity_period=3600,
    )

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.to == "+15551230001"
    assert message.messaging_service_sid == SERVICE
    assert message.num_segments == "1"
    assert message.date_created is not None and message.date_created.tzinfo is not None
    [stored] = sandbox.messages("sms")
    assert stored["id"] == message.sid
    assert stored["delivery_id"] == "INC-42:u1:sms"
    assert stored["validity_period"] == 3600


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"to": "12345", "from_": SENDER, "body": "x"}, 21211),
        ({"to": "+1 555 123", "messaging_service_sid": SERVICE, "body": "x"}, 21211),
        ({"to": "+15551230001", "body": "x"}, 21603),
        ({"to": "+15551230001", "from_": SENDER}, 21602),
        ({"to": "+15551230001", "messaging_service_sid": SERVICE}, 21619),
        ({"to": "+15551230001", "messaging_service_sid": "MG123", "body": "x"}, 21705),
        ({"to": "+15551230001", "from_": SENDER, "body": "x", "validity_period": 36001}, 21624),
        ({"to": "+15551230001", "from_": SENDER, "body": "x" * 1601}, 21617),
        ({"to": "+15551230001", "from_": SENDER, "body": "x", "status_callback": "ftp://x"}, 21609),
        ({"to": SENDER, "from_": SENDER, "body": "x"}, 21266),
    ],
)
def test_twilio_invalid_message_is_a_rest_exception(
    sandbox: Sandbox, twilio: Any, kwargs: dict[str, Any], code: int
) -> None:
    with pytest.raises(TwilioRestException) as caught:
        twilio.messages.create(**kwargs)

    assert caught.value.status == 400
    assert caught.value.code == code
    assert sandbox.messages("sms") == []


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("ü" * 70, 1),
        ("ł" * 71, 2),
        ("🔒" * 35, 1),
    ],
)
def test_sms_segments_follow_gsm7_and_ucs2(body: str, count: int) -> None:
    assert segments(body) == count


def test_twilio_both_senders_break_the_exactly_one_rule(twilio: Any) -> None:
    with pytest.raises(TwilioRestException) as caught:
        twilio.messages.create(to="+15551230001", from_=SENDER, messaging_service_sid=SERVICE, body="x")

    assert caught.value.status == 400


def test_twilio_call_with_twiml(sandbox: Sandbox, twilio: Any) -> None:
    call = twilio.calls.create(
        to="+15551230001",
        from_=SENDER,
        twiml="<Response><Say>This is an important security notice.</Say></Response>",
        status_callback="https://hooks.example.com/twilio/call?delivery_id=INC-42:u1:voice",
    )

    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert call.status == "queued"
    [stored] = sandbox.messages("voice")
    assert stored["delivery_id"] == "INC-42:u1:voice"
    with pytest.raises(TwilioRestException) as caught:
        twilio.calls.create(to="+15551230001", from_=SENDER)
    assert caught.value.code == 21200
    with pytest.raises(TwilioRestException):
        twilio.calls.create(to="+15551230001", from_=SENDER, twiml="<Say>unclosed")


def test_twilio_list_by_recipient_parses_and_pages(twilio: Any) -> None:
    for _ in range(3):
        twilio.messages.create(to="+15551230001", from_=SENDER, body="one")
    twilio.messages.create(to="+15551230002", from_=SENDER, body="two")
    twilio.calls.create(to="+15551230001", from_=SENDER, url="https://example.com/twiml")

    listed = twilio.messages.list(to="+15551230001", page_size=2)

    assert len(listed) == 3  # the client followed next_page_uri through the rewriting client
    assert {m.to for m in listed} == {"+15551230001"}
    assert {m.status for m in listed} == {"delivered"}
    assert listed[0].date_sent is not None
    assert [c.to for c in twilio.calls.list(to="+15551230001")] == ["+15551230001"]
    assert twilio.messages(listed[0].sid).fetch().body == "one"


def test_twilio_requires_basic_auth_matching_the_account(sandbox: Sandbox) -> None:
    other = Client("AC" + "f" * 32, TOKEN, http_client=RewritingTwilioHttpClient(sandbox.url, timeout=5))
    other.api.account_sid = ACCOUNT  # credentials of one account, path of another

    with pytest.raises(TwilioRestException) as caught:
        other.api.v2010.accounts(ACCOUNT).messages.create(to="+15551230001", from_=SENDER, body="x")

    assert caught.value.status == 401
    assert caught.value.code == 20003
    with Sandbox(twilio_auth_token="right") as strict:
        wrong = Client(ACCOUNT, "wrong", http_client=RewritingTwilioHttpClient(strict.url, timeout=5))
        with pytest.raises(TwilioRestException) as refused:
            wrong.messages.create(to="+15551230001", from_=SENDER, body="x")
        assert refused.value.code == 20003


def test_twilio_rate_limit_and_5xx_faults(sandbox: Sandbox, twilio: Any) -> None:
    sandbox.set_faults(Faults(sms=ChannelFaults(rate_limit_429=1.0)))
    with pytest.raises(TwilioRestException) as limited:
        twilio.messages.create(to="+15551230001", from_=SENDER, body="x")
    assert (limited.value.status, limited.value.code) == (429, 20429)

    sandbox.set_faults(Faults(voice=ChannelFaults(error_5xx=1.0)))
    with pytest.raises(TwilioRestException) as failed:
        twilio.calls.create(to="+15551230001", from_=SENDER, twiml="<Response/>")
    assert failed.value.status == 500
    assert sandbox.messages() == []


def test_undelivered_fault_shows_in_the_resource(sandbox: Sandbox, twilio: Any) -> None:
    sandbox.set_faults(Faults(sms=ChannelFaults(undelivered=1.0)))

    created = twilio.messages.create(to="+15551230001", from_=SENDER, body="x")

    assert created.status == "queued"
    fetched = twilio.messages(created.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, dict[str, str]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.received.append((self.path, self.headers.get("X-Twilio-Signature", ""), form))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_status_callbacks_are_signed_and_ordered() -> None:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/status?delivery_id=d-7"
    _Recorder.received = []
    try:
        faults = Faults(sms=ChannelFaults(undelivered=1.0))
        with Sandbox(status_callbacks=True, faults=faults) as sandbox:
            client = Client(ACCOUNT, TOKEN, http_client=RewritingTwilioHttpClient(sandbox.url, timeout=5))
            sid = client.messages.create(to="+15551230001", from_=SENDER, body="x", status_callback=hook).sid
            deadline = time.monotonic() + 5
            # The sandbox counts a callback once the receiver's answer is back, a moment after
            # the receiver has it.
            while time.monotonic() < deadline and (
                    len(_Recorder.received) < 3
                    or sandbox.stats()["requests"]["callbacks"].get("sent", 0) < 3):
                time.sleep(0.02)
            stats = sandbox.stats()
    finally:
        receiver.shutdown()
        receiver.server_close()

    assert [form["MessageStatus"] for _, _, form in _Recorder.received] == ["queued", "sent", "undelivered"]
    validator = RequestValidator(TOKEN)
    for _path, signature, form in _Recorder.received:
        assert form["MessageSid"] == sid
        assert validator.validate(hook, form, signature)
        assert not validator.validate(hook, {**form, "MessageStatus": "delivered"}, signature)
    assert _Recorder.received[-1][2]["ErrorCode"] == "30003"
    assert stats["requests"]["callbacks"] == {"sent": 3}


def test_status_callbacks_are_off_by_default(sandbox: Sandbox) -> None:
    assert sandbox.context.callbacks is None


# --- the rewriting Twilio http client ----------------------------------------------------------


def test_rewriting_client_maps_every_twilio_host_onto_the_base() -> None:
    base = parse_base_url("http://127.0.0.1:9/prefix/")

    url, host = rewrite_url(base, "https://lookups.twilio.com/v2/PhoneNumbers/%2B1555?Fields=x")

    assert url == "http://127.0.0.1:9/prefix/v2/PhoneNumbers/%2B1555?Fields=x"
    assert host == "lookups.twilio.com"
    with pytest.raises(ValueError, match="BREACHFLOW_TWILIO_BASE_URL"):
        parse_base_url("127.0.0.1:9")


def test_rewriting_client_sends_the_original_host(sandbox: Sandbox) -> None:
    client = RewritingTwilioHttpClient(sandbox.url, timeout=5)
    Client(ACCOUNT, TOKEN, http_client=client).messages.create(to="+15551230001", from_=SENDER, body="x")

    assert client._test_only_last_request.headers[ORIGINAL_HOST_HEADER] == "api.twilio.com"


def test_http_client_factory_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREACHFLOW_TWILIO_BASE_URL", "http://127.0.0.1:9")
    configured = twilio_http_client(timeout=3)
    assert isinstance(configured, RewritingTwilioHttpClient)
    assert configured.base.netloc == "127.0.0.1:9"
    assert configured.timeout == 3

    monkeypatch.delenv("BREACHFLOW_TWILIO_BASE_URL")
    assert type(twilio_http_client()) is QuietTwilioHttpClient


# --- push --------------------------------------------------------------------------------------


def test_apprise_json_push_is_stored_per_token(sandbox: Sandbox) -> None:
    notifier = apprise.Apprise()
    host = sandbox.url.removeprefix("http://")
    assert notifier.add(f"json://{host}/push/device-token-1?:delivery_id=INC-42:u1:push")
    assert notifier.add(f"json://{host}/push/device-token-2")

    result = notifier.notify(title="Security notice", body="Please reset your password.")

    assert bool(result)
    stored = {m["token"]: m for m in sandbox.messages("push")}
    assert set(stored) == {"device-token-1", "device-token-2"}
    assert stored["device-token-1"]["title"] == "Security notice"
    assert stored["device-token-1"]["message"] == "Please reset your password."
    assert stored["device-token-1"]["type"] == "info"
    assert stored["device-token-1"]["delivery_id"] == "INC-42:u1:push"
    assert stored["device-token-2"]["delivery_id"] is None


def test_push_5xx_fault_fails_the_apprise_notify(sandbox: Sandbox) -> None:
    sandbox.set_faults(Faults(push=ChannelFaults(error_5xx=1.0)))
    notifier = apprise.Apprise()
    notifier.add(f"json://{sandbox.url.removeprefix('http://')}/push/device-token-1")

    assert not bool(notifier.notify(body="x"))
    assert sandbox.messages("push") == []


def test_push_rejects_a_body_apprise_would_never_send(sandbox: Sandbox) -> None:
    status, _ = post(sandbox.url + "/push/t", b"[1, 2]")
    assert status == 400


# --- inspection --------------------------------------------------------------------------------


def test_stats_count_duplicate_deliveries_by_delivery_id(sandbox: Sandbox, sendgrid: Any) -> None:
    sendgrid.send(notice([("alice@example.org", "d-1"), ("bob@example.org", "d-2")]))
    sendgrid.send(notice([("Alice@example.org", "d-1")]))  # the same notice again: a duplicate
    sendgrid.send(notice([("carol@example.org", "d-9")]))

    stats = get_json(sandbox.url + "/sandbox/stats")

    assert stats["counts"]["email"] == 4
    assert stats["duplicates"]["email"] == 1
    assert stats["duplicates_total"] == 1
    assert stats["duplicate_delivery_ids"]["email"] == ["d-1"]
    assert "alice" not in json.dumps(stats).lower()


def test_messages_endpoint_filters_by_channel(sandbox: Sandbox, sendgrid: Any, twilio: Any) -> None:
    sendgrid.send(notice([("alice@example.org", "d-1")]))
    twilio.messages.create(to="+15551230001", from_=SENDER, body="x")

    emails = get_json(sandbox.url + "/sandbox/messages?channel=email")
    everything = get_json(sandbox.url + "/sandbox/messages")

    assert [m["recipient"] for m in emails] == ["alice@example.org"]
    assert {m["channel"] for m in everything} == {"email", "sms"}
    with pytest.raises(httpx.HTTPStatusError):
        get_json(sandbox.url + "/sandbox/messages?channel=fax")


def test_reset_empties_the_inbox(sandbox: Sandbox, sendgrid: Any) -> None:
    sendgrid.send(notice([("alice@example.org", "d-1")]))

    assert post(sandbox.url + "/sandbox/reset", b"")[0] == 200

    assert get_json(sandbox.url + "/sandbox/stats")["counts"]["email"] == 0


def test_inbox_page_escapes_what_senders_wrote(sandbox: Sandbox, sendgrid: Any) -> None:
    sendgrid.send(notice([("alice@example.org", "d-1")], subject="<script>alert(1)</script>"))

    response = httpx.get(sandbox.url + "/", timeout=5)
    page = response.text

    assert response.headers["Content-Type"].startswith("text/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "alice@example.org" in page


def test_server_logs_nothing_about_requests(
    sandbox: Sandbox, sendgrid: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    sendgrid.send(notice([("alice@example.org", "d-1")]))
    get_json(sandbox.url + "/sandbox/messages?channel=email")
    post(sandbox.url + "/nowhere", b"{}")

    captured = capfd.readouterr()
    assert "alice" not in captured.err + captured.out
    assert "POST" not in captured.err


def test_persisted_inbox_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "inbox.jsonl"
    with Sandbox(persist_path=path) as first:
        SendGridAPIClient(api_key="SG.x", host=first.url).send(notice([("alice@example.org", "d-1")]))

    with Sandbox(persist_path=path) as second:
        [message] = second.messages("email")
        assert message["recipient"] == "alice@example.org"
        assert message["custom_args"]["delivery_id"] == "d-1"
        second.reset()
    assert path.read_text() == ""


def test_starts_fast_and_stops_cleanly() -> None:
    started = time.monotonic()
    sandbox = Sandbox().start()
    elapsed = time.monotonic() - started
    url = sandbox.url
    sandbox.stop()

    assert elapsed < 0.5
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/sandbox/stats", timeout=1)


def test_main_rejects_bad_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--faults", '{"email": {"bounce": 3}}']) == 2
    assert "bounce" in capsys.readouterr().err


def test_runs_as_a_process_and_prints_its_url() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert get_json(url + "/sandbox/stats")["counts"]["email"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
