"""Which providers an incident's notices went to: the embedded sandbox or real endpoints.

Recorded on the incident when sending first starts, so that `status`, `register`, the reports
and the export can say "sandbox: nothing reached a person". A later run of the same incident
must use the same mode: a real incident resumed without credentials would otherwise land in the
sandbox unnoticed, and a sandboxed one resumed with credentials would send for real half-way.
Endpoints only, never credentials."""

from __future__ import annotations

import os
from typing import Any

from incidents import audit, credentials, db, service
from incidents.channels import active
from incidents.channels.base import Channel
from incidents.exceptions import InputError

TWILIO_DEFAULT = "https://api.twilio.com"


class ModeMismatch(InputError):
    """This process's providers are not the ones the incident was recorded with."""


def _endpoint(channel: Channel) -> str:
    if channel.sandboxed:
        return os.environ.get("BREACHFLOW_SANDBOX_URL", "embedded sandbox")
    client = getattr(channel, "client", None)
    for value in (
        getattr(client, "host", None),
        getattr(channel, "base_url", None),
        getattr(channel, "_base_url", None),
    ):
        if value:
            return str(value)
    if getattr(channel, "folder", None) is not None:
        return "mail-house folder (BREACHFLOW_MAIL_DIR)"
    if channel.name in ("sms", "voice"):
        return TWILIO_DEFAULT
    return "per-person targets" if channel.name == "push" else "configured"


def current() -> dict[str, Any]:
    """The providers this process would send through."""
    found = {
        name: {"sandboxed": ch.sandboxed, "endpoint": _endpoint(ch)} for name, ch in sorted(active().items())
    }
    sandboxed = {c["sandboxed"] for c in found.values()}
    mode = "sandbox" if sandboxed == {True} else "real" if sandboxed == {False} else "mixed"
    return {"mode": mode if found else "none", "channels": found}


def expected_mode() -> str:
    """The mode a run in this process would use, before any channel is built: credentials set
    means real endpoints (from the environment or a Prefect Secret block); otherwise the
    embedded sandbox."""
    real = credentials.get("SENDGRID_API_KEY") or credentials.get("TWILIO_ACCOUNT_SID")
    return "real" if real else "sandbox"


def mismatch(recorded: dict[str, Any], mode: str) -> str | None:
    """Why this process must not continue the incident, or None."""
    was = recorded.get("mode")
    if not was or was == "none" or mode == "none" or was == mode or {was, mode} <= {"real", "mixed"}:
        return None
    if was == "sandbox":
        return (
            "this incident's notices went to the embedded SANDBOX (nothing reached a person); "
            "this process has provider credentials and would now send for real. Open a new "
            "incident for a real run"
        )
    return (
        f"this incident's notices went to real providers ({was}); this process has no "
        "provider credentials and would fall back to the embedded sandbox. Set the provider "
        "credentials (SENDGRID_API_KEY, TWILIO_ACCOUNT_SID, ...) and resume"
    )


def record_or_check(incident_id: str) -> dict[str, Any]:
    """Record the providers on the incident the first time it sends; later, refuse a change of
    mode (ModeMismatch) instead of sending somewhere else silently."""
    now = current()
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        why = mismatch(incident.provider, now["mode"])
        if why:
            raise ModeMismatch(why, field="providers")
        if not incident.provider and now["mode"] != "none":
            incident.provider = now
            s.add(incident)
            audit.record(
                s,
                incident_id=incident.id,
                actor="system",
                action="providers.recorded",
                detail={"mode": now["mode"]},
            )
        return dict(incident.provider)


def describe(recorded: dict[str, Any]) -> str:
    """One line for status and register."""
    mode = recorded.get("mode")
    if not mode:
        return "not recorded (nothing sent yet)"
    if mode == "sandbox":
        endpoints = [str(c.get("endpoint")) for c in recorded.get("channels", {}).values()]
        where = endpoints[0] if endpoints else "embedded"
        return f"SANDBOX ({where}): nothing reached a real person"
    if mode == "mixed":
        fake = sorted(c for c, v in recorded.get("channels", {}).items() if v.get("sandboxed"))
        return f"MIXED: {', '.join(fake)} went to the SANDBOX, the other channels to real providers"
    return "real providers: " + ", ".join(
        f"{c} {v.get('endpoint')}" for c, v in recorded.get("channels", {}).items()
    )
