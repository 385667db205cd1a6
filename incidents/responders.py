"""Who answered a gate: an authenticated responder, not the free text of the form's `approver`.

The Prefect API authenticates with one shared credential at most (PREFECT_SERVER_API_AUTH_STRING),
so an answer given in the Prefect UI says nothing about who gave it. Responders therefore
answer through the intake API (`POST /v1/incidents/{id}/gates/{gate}`), which knows them:

    BREACHFLOW_RESPONDERS        a file, one responder per line: `name sha256-hex-of-their-token`
                                 (the file holds hashes, not tokens); the request carries
                                 `Authorization: Bearer <token>`
    BREACHFLOW_IDENTITY_HEADER   the header an authenticating proxy sets to the signed-in user
                                 (e.g. X-Forwarded-User); trusted only when set, so the proxy
                                 must overwrite it on every request it forwards

The API records an attestation (`gate.attested`: identity, gate, a nonce and the SHA-256 of
the exact answer) and resumes the run with the answer and the nonce. The gate then records
the attested identity as the actor and the form's `approver` beside it. When either variable
is set, a gate refuses answers that carry no valid attestation."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from incidents import audit, db
from incidents.models import AuditEvent

RESPONDERS_ENV = "BREACHFLOW_RESPONDERS"
IDENTITY_HEADER_ENV = "BREACHFLOW_IDENTITY_HEADER"
ATTESTED = "gate.attested"
_NAME_LIMIT = 120


def configured() -> bool:
    """Whether gate answers must come with an authenticated identity."""
    return bool(os.environ.get(RESPONDERS_ENV) or os.environ.get(IDENTITY_HEADER_ENV))


def _responders() -> list[tuple[str, str]]:
    path = os.environ.get(RESPONDERS_ENV)
    if not path:
        return []
    found = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        name, _, digest = line.strip().rpartition(" ")
        if name and not line.lstrip().startswith("#"):
            found.append((name.strip(), digest.lower()))
    return found


def token_digest(token: str) -> str:
    """What BREACHFLOW_RESPONDERS holds for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def identify(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(identity, how it was authenticated) for a request, or None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    scheme, _, token = lowered.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        given = token_digest(token.strip())
        # Compare with every entry, so the time taken does not tell which one matched.
        matched = [name for name, digest in _responders()
                   if hmac.compare_digest(given.encode(), digest.encode())]
        if matched:
            return matched[0][:_NAME_LIMIT], "responder-token"
    header = os.environ.get(IDENTITY_HEADER_ENV)
    if header:
        value = lowered.get(header.lower(), "").strip()
        if value and value.isprintable():
            return value[:_NAME_LIMIT], "proxy-header"
    return None


def answer_digest(answer: Mapping[str, Any]) -> str:
    """SHA-256 of an answer as the form model dumps it (JSON mode), without the nonce."""
    body = {k: v for k, v in answer.items() if k != "attestation"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def attest(*, incident_id: str, gate: str, answer: Mapping[str, Any], identity: str,
           method: str) -> str:
    """Record that `identity` gave `answer` at `gate`; returns the nonce the run gets."""
    nonce = secrets.token_urlsafe(24)
    with db.session() as s:
        audit.record(s, incident_id=incident_id, actor=identity, action=ATTESTED,
                     detail={"gate": gate, "nonce": nonce, "answer_sha256": answer_digest(answer),
                             "authenticated_by": method})
    return nonce


def attested(*, incident_id: str, gate: str, answer: Mapping[str, Any],
             nonce: str) -> tuple[str, str] | None:
    """(identity, method) when `nonce` attests exactly this answer at this gate."""
    if not nonce:
        return None
    digest = answer_digest(answer)
    with db.session() as s:
        events = s.exec(select(AuditEvent).where(
            AuditEvent.incident_id == incident_id, AuditEvent.action == ATTESTED)
            .order_by(col(AuditEvent.id).desc())).all()
    for event in events:
        detail = event.detail
        # As bytes: compare_digest refuses a str with non-ASCII characters (a typed attestation).
        if (hmac.compare_digest(str(detail.get("nonce", "")).encode(), str(nonce).encode())
                and detail.get("gate") == gate and detail.get("answer_sha256") == digest):
            return event.actor, str(detail.get("authenticated_by"))
    return None
