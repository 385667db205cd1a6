"""Paging: a new P1/P2 personal-data breach alerts the responders through Apprise, once.

The targets are Apprise URLs (chat, e-mail, PagerDuty, ...) in BREACHFLOW_PAGE_URLS, separated by
spaces or commas; without it the deadline watch's BREACHFLOW_ALERT_URLS are paged. The page is
tried after triage, after the triage gate (an override may raise the severity) and after the
assessment (the number of people may); once one succeeded, nothing is sent again. The message
carries the incident's ids, severity, categories and systems: no personal data, and not the
free-text title or summary, which a tool may have filled with anything."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from sqlmodel import select

from incidents import audit, db, service
from incidents.alerts import send as alerting
from incidents.models import AuditEvent, Incident

logger = logging.getLogger("breachflow.paging")

URLS_ENV = "BREACHFLOW_PAGE_URLS"
FALLBACK_ENV = "BREACHFLOW_ALERT_URLS"
PAGED = ("P1", "P2")


def page_urls() -> list[str]:
    raw = os.environ.get(URLS_ENV) or os.environ.get(FALLBACK_ENV, "")
    return [url for url in re.split(r"[\s,]+", raw) if url]


def message(incident: Incident) -> tuple[str, str]:
    aware = incident.aware_at.isoformat().replace("+00:00", "Z")
    title = f"breachflow: new {incident.severity} personal-data breach {incident.external_id}"
    body = (f"Incident {incident.external_id} (id {incident.id}) was triaged {incident.severity}.\n"
            f"Aware since {aware} ({incident.aware_at_source}); the legal clocks run from there.\n"
            f"Data categories: {', '.join(incident.data_categories)}.\n"
            f"Systems: {', '.join(incident.systems) or 'not reported'}.\n"
            f"Status and deadlines: breachflow status {incident.id}")
    return title, body


def page_if_severe(incident_id: str, *, urls: list[str] | None = None) -> dict[str, Any]:
    """Page the responders when the incident is a P1/P2 breach and has not been paged yet."""
    urls = page_urls() if urls is None else urls
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        if not incident.is_breach or incident.severity not in PAGED or incident.merged_into:
            return {"paged": False, "why": "not a P1/P2 breach"}
        done = s.exec(select(AuditEvent.id).where(AuditEvent.incident_id == incident.id,
                                                  AuditEvent.action == "paging.sent")).first()
        if done is not None:
            return {"paged": False, "why": "already paged"}
        if not alerting.configured(urls):
            return {"paged": False, "why": f"no page URLs configured ({URLS_ENV} or "
                                           f"{alerting.BLOCKS_ENV})"}
        title, body = message(incident)
        severity = incident.severity
    error = alerting.send(urls, title, body, what="page")
    with db.session() as s:
        audit.record(s, incident_id=incident_id, actor="breachflow",
                     action="paging.failed" if error else "paging.sent",
                     detail={"severity": severity, "targets": len(urls), "error": error})
    if error:
        logger.warning("paging incident %s failed: %s", incident_id, error)
    return {"paged": error is None, "why": error or "sent"}
