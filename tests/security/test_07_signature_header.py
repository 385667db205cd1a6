"""7. A malformed signature header is a 401, never a 500: digits of other scripts, numbers too
large for the clock arithmetic, signatures that are not ASCII hex."""

from __future__ import annotations

import json

from incidents.intake.signature import HEADER
from tests.incidents.intake.conftest import incident_body


def test_malformed_signature_headers_get_401_and_write_nothing(intake):
    before = intake.snapshot()
    body = json.dumps(incident_body("SIG-1")).encode()
    for header in ("t=²,v1=" + "0" * 64, f"t={'9' * 400},v1=" + "0" * 64,
                   "t=1700000000,v1=é", "t=١٧٠٠٠٠٠٠٠٠,v1=" + "0" * 64,
                   "t=1700000000,v1=" + "é" * 64):
        # Sent as UTF-8 bytes, as a hostile client can.
        reply = intake.client.post("/v1/incidents", content=body, headers={
            "Content-Type": "application/json", HEADER: header.encode()})
        assert reply.status_code == 401, (header, reply.status_code, reply.text)
        assert reply.json()["error"]
    assert intake.snapshot() == before
