"""14. A gate answer is attested by the nonce the intake API gave for exactly that answer; a
typed or forged attestation (any text, any alphabet) is simply not an attestation."""

from __future__ import annotations

from incidents import responders
from tests.flows.alert_intake import incident_from_alert


def test_only_the_given_nonce_attests_the_answer_it_was_given_for(home):
    incident_id = incident_from_alert("ATTEST-1")
    answer = {"decision": "approve", "approver": "Alice"}
    nonce = responders.attest(incident_id=incident_id, gate="notices", answer=answer,
                              identity="alice@example.org", method="token")
    assert responders.attested(incident_id=incident_id, gate="notices", answer=answer,
                               nonce=nonce) == ("alice@example.org", "token")
    for forged in ("é" * len(nonce), "", nonce[:-1] + "ü", "x"):
        assert responders.attested(incident_id=incident_id, gate="notices", answer=answer,
                                   nonce=forged) is None
    other = {**answer, "decision": "decline"}
    assert responders.attested(incident_id=incident_id, gate="notices", answer=other,
                               nonce=nonce) is None
    assert responders.attested(incident_id=incident_id, gate="filing", answer=answer,
                               nonce=nonce) is None
