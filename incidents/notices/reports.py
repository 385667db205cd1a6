"""Regulator reports: one per regulator obligation, from the facts in the database, as HTML,
Markdown (derived from the HTML), JSON and PDF (`report_pdf`).

Each report carries the elements its law requires (`Obligation.content`), a jurisdiction's form
fields where we know the regulator's form (GDPR/UK Art. 33(3)-(4), China, Texas AG, HHS,
California AG), the sample notice where the law asks for one, and a list of what still has to
be completed before filing: facts we do not have are never invented.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from incidents import accounting, db, service
from incidents.models import (
    AffectedSubject,
    Delivery,
    DeliveryObligation,
    Incident,
    Notice,
    Obligation,
    RegulatorReport,
)
from incidents.notices.elements import consequences, ordered_categories
from incidents.rendering import render
from incidents.rendering.pdf import html_to_pdf
from incidents.rendering.textify import html_to_markdown
from incidents.sqltypes import utcnow
from regulators.content import ELEMENTS
from regulators.rules import EARLY_PHASES

# Always in a report, whatever the law's list: what happened, to what and whom, what was done.
BASELINE: Final = ("what_happened", "date_of_discovery", "data_categories", "number_affected",
                   "likely_consequences", "measures_taken", "contact")
# Elements we have facts for; anything else is listed under "To complete before filing".
KNOWN: Final = frozenset({
    "what_happened", "cause", "date_of_breach", "date_of_discovery", "date_of_determination",
    "timeline",
    "data_categories", "number_affected", "likely_consequences", "measures_taken", "remedy",
    "contact", "dpo_contact", "organisation_details", "reasons_for_delay",
    "law_enforcement_delay", "protection_measures", "number_notified", "notification_plan",
    "intimation_report", "sample_notice",
})
# Late-report rules: GDPR/UK Art. 33(1) want reasons when past the deadline.
REASONS_WHEN_LATE: Final = frozenset({"EU", "GB"})


_KEYS: Final = ("people", "records", "minors", *accounting.STATES, "residents", "others",
                "others_notified")


def _counts(s: Session, incident_id: str) -> dict[str, tuple[dict[str, int], list[str]]]:
    """Per jurisdiction: the people its law covers and how each was told, from the same
    accounting as `status` (one pass for every report); residents whose data the law does not
    cover are counted apart, with how they were told."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    categories: dict[str, set[str]] = defaultdict(set)
    records = dict(s.execute(select_columns(col(AffectedSubject.id), col(AffectedSubject.records))
                             .where(col(AffectedSubject.incident_id) == incident_id)).all())
    told = set(s.exec(select(Delivery.subject_pk).where(
        Delivery.incident_id == incident_id, col(Delivery.state).in_(accounting.NOTIFIED))))
    for person, states in accounting.walk(s, incident_id):
        for code, state, reason in states:
            found = counts[code]
            found["residents"] += 1
            if state == "exempt" and (reason or "").startswith(accounting.NOT_COVERED):
                found.update(others=1, others_notified=int(person.pk in told))
                continue
            found.update({"people": 1, "records": records.get(person.pk, 1),
                          "minors": int(person.minor), state: 1})
            categories[code] |= person.categories
    return {code: ({key: found[key] for key in _KEYS}, ordered_categories(categories[code]))
            for code, found in counts.items()}


def notice_dates(s: Session, incident_id: str) -> dict[str, dict[str, str | None]]:
    """Per jurisdiction, when its people's notices went out: the first accepted and the last
    settled (a later-phase report carries them; ids and times only)."""
    rows = s.execute(
        select_columns(col(Obligation.jurisdiction), func.min(col(Delivery.updated_at)),
                       func.max(func.coalesce(col(Delivery.settled_at), col(Delivery.updated_at))))
        .join(DeliveryObligation, col(DeliveryObligation.delivery_id) == col(Delivery.id))
        .join(Obligation, col(Obligation.id) == col(DeliveryObligation.obligation_id))
        .where(col(Delivery.incident_id) == incident_id,
               col(Delivery.state).in_(accounting.NOTIFIED))
        .group_by(col(Obligation.jurisdiction))).all()
    return {code: {"first_sent": first.isoformat() if first else None,
                   "last_settled": last.isoformat() if last else None}
            for code, first, last in rows}


def _channels(s: Session, incident_id: str) -> list[str]:
    return sorted(set(s.exec(select(Delivery.channel).where(
        Delivery.incident_id == incident_id, col(Delivery.state).in_(("accepted", "delivered"))))))


def sample_notice(s: Session, incident_id: str, jurisdiction: str) -> Notice | None:
    """The e-mail notice most people of this jurisdiction got, English first: the sample copy."""
    rows = [n for n in s.exec(select(Notice).where(
        Notice.incident_id == incident_id, Notice.channel == "email"))
        if jurisdiction in n.jurisdictions and n.group_key.endswith("-subject")]
    rows.sort(key=lambda n: (n.locale != "en", -n.recipients, n.group_key))
    return rows[0] if rows else None


def outstanding(incident: Incident) -> list[str]:
    """Facts still unknown: what a phased report (GDPR Art. 33(4)) promises to send later."""
    missing = []
    if incident.occurred_from is None:
        missing.append("when the breach began")
    if not incident.cause or incident.cause == "unknown":
        missing.append("its cause")
    if incident.contained is not True:
        missing.append("confirmation that it is contained")
    if not incident.measures_taken:
        missing.append("the measures taken")
    return missing


def plan(incident: Incident, obligation: Obligation, *, now: datetime) -> dict[str, Any]:
    """Which elements the report carries, whether it is late and what is left to complete."""
    elements = list(dict.fromkeys([*BASELINE, *obligation.content]))
    late = obligation.deadline is not None and now > obligation.deadline
    if late and obligation.jurisdiction in REASONS_WHEN_LATE and "reasons_for_delay" not in elements:
        elements.append("reasons_for_delay")
    to_complete = [f"{ELEMENTS[e]} ({e})" for e in elements if e not in KNOWN]
    if late and "reasons_for_delay" in elements:
        to_complete.append("the reasons for the delay, in the controller's words (reasons_for_delay)")
    still = outstanding(incident)
    return {"elements": elements, "late": late, "to_complete": to_complete, "outstanding": still,
            "phase": "initial report (further information to follow)" if still else "complete report",
            "hours_since_aware": int((now - incident.aware_at).total_seconds() // 3600)}


def document(incident: Incident, obligation: Obligation, counts: dict[str, int],
             report: dict[str, Any], sample: Notice | None,
             notices: dict[str, str | None] | None = None) -> dict[str, Any]:
    """The machine-readable report; ids and counts, no personal data."""
    return {
        "report": {"jurisdiction": obligation.jurisdiction, "recipient": obligation.recipient,
                   "citation": obligation.citation, "verification": obligation.verification,
                   "needs_review": obligation.needs_review, "deadline_rule": obligation.deadline_rule,
                   "deadline": obligation.deadline.isoformat() if obligation.deadline else None,
                   "required_content": obligation.content, "elements": report["elements"],
                   "phase": report["phase"], "report_phase": obligation.phase,
                   "late": report["late"],
                   "to_complete": report["to_complete"], "outstanding": report["outstanding"]},
        "controller": {k: incident.org.get(k) for k in ("name", "postal_address", "dpo_name",
                                                       "dpo_email", "contact_phone")},
        "incident": {"external_id": incident.external_id, "title": incident.title,
                     "detected_at": incident.detected_at.isoformat(),
                     "aware_at": incident.aware_at.isoformat(),
                     "determined_at": incident.determined_at.isoformat(),
                     "occurred_from": incident.occurred_from.isoformat() if incident.occurred_from else None,
                     "occurred_to": incident.occurred_to.isoformat() if incident.occurred_to else None,
                     "breach_types": incident.breach_types, "cause": incident.cause,
                     "data_categories": incident.data_categories,
                     "contained": incident.contained, "measures_taken": incident.measures_taken,
                     "severity": incident.severity, "risk_level": incident.risk_level},
        "counts": counts,
        # When the individual notices went out (a later phase: what became known since).
        "notices": notices,
        "sample_notice": {"content_hash": sample.content_hash, "locale": sample.locale,
                          "recipients": sample.recipients} if sample else None,
        "reasons": obligation.reasons,
    }


def render_report(s: Session, incident: Incident, obligation: Obligation, *, now: datetime,
                  people: tuple[dict[str, int], list[str]] | None,
                  notices: dict[str, str | None] | None = None) -> tuple[str, str, str, list[str]]:
    """(HTML, Markdown, JSON) of one obligation's report; `people`: its jurisdiction's counts
    and categories (`_counts`), None where nobody lives under that law."""
    counts, categories = people or (dict.fromkeys(_KEYS, 0), [])
    categories = categories or list(incident.data_categories)
    report = plan(incident, obligation, now=now)
    sample = sample_notice(s, incident.id, obligation.jurisdiction)
    ctx = {"m": render.messages("en"), "org": incident.org, "incident": incident,
           "obligation": obligation, "counts": counts, "categories": categories,
           "consequences": consequences(categories), "notice_date": now, "sample": sample,
           "channels": _channels(s, incident.id), "element_names": ELEMENTS,
           "form_templates": [f"jurisdictions/{obligation.jurisdiction}/regulator.form.html.j2"],
           "report_phase": obligation.phase, "notices": notices, **report}
    html = render.render("regulator.report.html.j2", ctx)[1]
    data = json.dumps(document(incident, obligation, counts, report, sample, notices), indent=2,
                      ensure_ascii=False)
    return html, html_to_markdown(html), data, report["to_complete"]


def generate(incident_id: str, *, out_dir: Path, early: bool | None = None) -> dict[str, Any]:
    """The regulator-report stage; returns counts only. `early`: only the initial and
    preliminary phases (drafted right after assessment, while notices still go out), or only
    the later ones (drafted once delivery ended, with its counts and dates); None: all."""
    folder = out_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    made = 0
    with db.session() as s:
        incident = service.get_incident(session=s, incident_id=incident_id)
        done = set(s.exec(select(RegulatorReport.obligation_id).where(
            RegulatorReport.incident_id == incident.id)))
        obligations = s.exec(select(Obligation).where(
            Obligation.incident_id == incident.id, Obligation.audience == "regulator",
            col(Obligation.required) | col(Obligation.needs_review))).all()
        todo = [o for o in obligations if o.id not in done
                and (early is None or (o.phase in EARLY_PHASES) == early)]
        people = _counts(s, incident.id) if todo else {}
        dates = notice_dates(s, incident.id) if todo and early is not True else {}
        for obligation in todo:
            html, markdown, data, to_complete = render_report(s, incident, obligation, now=utcnow(),
                                                 people=people.get(obligation.jurisdiction),
                                                 notices=dates.get(obligation.jurisdiction))
            stem = folder / f"{obligation.jurisdiction}-{obligation.id}"
            files = []
            for suffix, body in ((".html", html), (".md", markdown), (".json", data)):
                path = Path(f"{stem}{suffix}")
                path.write_text(body, encoding="utf-8")
                files.append(str(path))
            pdf = Path(f"{stem}.pdf")
            pdf.write_bytes(html_to_pdf(html, title=f"Breach report {obligation.jurisdiction}"))
            files.append(str(pdf))
            s.add(RegulatorReport(incident_id=incident.id, obligation_id=obligation.id or 0,
                                  jurisdiction=obligation.jurisdiction,
                                  recipient=obligation.recipient, files=files,
                                  to_complete=to_complete,
                                  content_hash=render.content_hash(html, markdown, data)))
            made += 1
    return {"reports": made + len(done), "drafted": made}
