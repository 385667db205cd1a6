"""Regulator reports: one per regulator obligation, from the facts in the database, as HTML,
Markdown (derived from the HTML), JSON and PDF (`report_pdf`).

Each report carries the elements its law requires (`Obligation.content`), a jurisdiction's form
fields where we know the regulator's form (GDPR/UK Art. 33(3)-(4), China, Texas AG, HHS,
California AG), the sample notice where the law asks for one, and a list of what still has to
be completed before filing: facts we do not have are never invented.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

from babel import Locale
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from incidents import accounting, db, service
from incidents.models import (
    AffectedSubject,
    Announcement,
    Delivery,
    DeliveryObligation,
    Incident,
    Notice,
    Obligation,
    RegulatorReport,
)
from incidents.notices import translation
from incidents.notices.elements import consequences, ordered_categories
from incidents.rendering import render
from incidents.rendering.pdf import html_to_pdf
from incidents.rendering.textify import html_to_markdown
from incidents.sqltypes import utcnow
from regulators.content import ELEMENTS
from regulators.eea import EEA
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


@dataclass
class Facts:
    """What the reports need of the people, from one pass of the accounting: per jurisdiction
    the counts and categories, when its people were first and last told, and (GDPR) the member
    states concerned; and the totals the New York form asks for."""

    counts: dict[str, dict[str, int]]
    categories: dict[str, list[str]]
    told: dict[str, tuple[datetime, datetime]]
    channels: dict[str, set[str]]
    countries: dict[str, Counter[str]]
    total: int


def facts_of(s: Session, incident_id: str) -> Facts:
    """Per jurisdiction: the people its law covers and how each was told, from the same
    accounting as `status` (one pass for every report); residents whose data the law does not
    cover are counted apart, with how they were told."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    categories: dict[str, set[str]] = defaultdict(set)
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    told_span: dict[str, tuple[datetime, datetime]] = {}
    rows = s.execute(select_columns(col(AffectedSubject.id), col(AffectedSubject.records),
                                    col(AffectedSubject.country))
                     .where(col(AffectedSubject.incident_id) == incident_id)).all()
    records = {pk: n for pk, n, _ in rows}
    country = {pk: c for pk, _, c in rows}
    # When each person was first told: the provider's acceptance of their first notice.
    first_told = dict(s.execute(select_columns(
        col(Delivery.subject_pk), func.min(func.coalesce(col(Delivery.updated_at),
                                                         col(Delivery.created_at))))
        .where(col(Delivery.incident_id) == incident_id,
               col(Delivery.state).in_(accounting.NOTIFIED))
        .group_by(col(Delivery.subject_pk))).all())
    # How each person was told: the methods of their accepted or delivered notices.
    told_by: dict[int, set[str]] = defaultdict(set)
    for pk, channel in s.execute(select_columns(col(Delivery.subject_pk), col(Delivery.channel))
                                 .where(col(Delivery.incident_id) == incident_id,
                                        col(Delivery.state).in_(accounting.NOTIFIED))).all():
        told_by[pk].add(channel)
    channels: dict[str, set[str]] = defaultdict(set)
    total = 0
    for person, states in accounting.walk(s, incident_id):
        total += 1
        for code, state, reason in states:
            found = counts[code]
            found["residents"] += 1
            told = first_told.get(person.pk)
            if state == "exempt" and (reason or "").startswith(accounting.NOT_COVERED):
                found.update(others=1, others_notified=int(told is not None))
                continue
            found.update({"people": 1, "records": records.get(person.pk, 1),
                          "minors": int(person.minor), state: 1})
            categories[code] |= person.categories
            countries[code][country.get(person.pk) or "?"] += 1
            channels[code] |= told_by.get(person.pk, set())
            if told is not None:
                told = told if told.tzinfo else told.replace(tzinfo=UTC)
                first, last = told_span.get(code, (told, told))
                told_span[code] = (min(first, told), max(last, told))
    return Facts(counts={code: {key: found[key] for key in _KEYS} for code, found in counts.items()},
                 categories={code: ordered_categories(c) for code, c in categories.items()},
                 told=told_span, channels=channels, countries=countries, total=total)


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


def sample_notice(s: Session, incident_id: str, jurisdiction: str,
                  language: str = render.DEFAULT_LOCALE) -> Notice | None:
    """The e-mail notice most people of this jurisdiction got, in the report's language first,
    then English: the sample copy."""
    rows = [n for n in s.exec(select(Notice).where(
        Notice.incident_id == incident_id, Notice.channel == "email"))
        if jurisdiction in n.jurisdictions and n.group_key.endswith("-subject")]
    rows.sort(key=lambda n: (n.locale != language, n.locale != "en", -n.recipients, n.group_key))
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


@cache
def jurisdiction_report(code: str) -> dict[str, Any]:
    """jurisdictions/<code>/report.toml: the language the regulator receives reports in
    (`language`, default English) and what its form asks for that the incident record does
    not hold (`form_needs`)."""
    path = render.root() / "jurisdictions" / code / "report.toml"
    if not path.is_file():
        return {}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


@cache
def wording(language: str) -> dict[str, Any]:
    """<language>/report.toml: the labels and sentences of a report."""
    with open(render.root() / language / "report.toml", "rb") as handle:
        return tomllib.load(handle)


def language_of(code: str) -> str:
    return str(jurisdiction_report(code).get("language", render.DEFAULT_LOCALE))


def missing_text(key: str) -> str:
    """How a missing item reads in the record and the filing gate (English)."""
    return str(wording(render.DEFAULT_LOCALE)["missing"].get(key) or ELEMENTS[key])


def plan(incident: Incident, obligation: Obligation, *, now: datetime,
         sample: bool = True) -> dict[str, Any]:
    """Which elements the report carries, whether it is late and what is left to complete.
    `sample`: whether a sample notice can be attached; a law that wants one and has none
    leaves the report a draft rather than pointing at an attachment that is not there."""
    elements = list(dict.fromkeys([*BASELINE, *obligation.content]))
    late = obligation.deadline is not None and now > obligation.deadline
    if late and obligation.jurisdiction in REASONS_WHEN_LATE and "reasons_for_delay" not in elements:
        elements.append("reasons_for_delay")
    known = KNOWN | ({"what_you_can_do"} if sample else set())
    local = jurisdiction_report(obligation.jurisdiction)
    missing = [e for e in elements if e not in known]
    missing += [e for e in local.get("form_needs", ()) if e not in known and e not in missing]
    if "sample_notice" in elements and not sample:
        missing.append("sample_notice")
    elif sample and "sample_notice" not in elements:
        elements.append("sample_notice")  # the forms refer to it: it is attached, always
    if late and "reasons_for_delay" in elements:
        missing.append("reasons_for_delay")  # in the controller's words
    language = language_of(obligation.jurisdiction)
    # The incident's own words, in the report's language (the payload's translations): where
    # they exist only in another language the report does not quote them and needs them first.
    texts = translation.free_text(incident, language)
    free_text = not any(value and value["language"] for value in texts.values())
    if not free_text:
        missing.append("translation")
    still = outstanding(incident)
    return {"elements": elements, "late": late, "missing": missing, "outstanding": still,
            "to_complete": [missing_text(key) for key in missing], "draft": bool(missing),
            "language": language, "free_text": free_text,
            "summary": (texts["summary"] or {}).get("text"),
            "measures": (texts["measures_taken"] or {}).get("text"),
            "own_language": translation.same_language(incident, language),
            "phase": "initial report (further information to follow)" if still else "full report",
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
                   "state": "draft" if report["draft"] else "ready for approval",
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
                     "severity": incident.severity, "risk_level": incident.risk_level,
                     # A rehearsal is never read as a filing: sandboxed sending, example org.
                     "sandbox": incident.provider.get("mode") in ("sandbox", "mixed"),
                     "example_org": incident.org_source.get("kind") == "example"},
        "counts": counts,
        # When the individual notices went out (a later phase: what became known since).
        "notices": notices,
        "sample_notice": {"content_hash": sample.content_hash, "locale": sample.locale,
                          "recipients": sample.recipients} if sample else None,
        "reasons": obligation.reasons,
    }


def _member_states(found: Counter[str], language: str) -> list[tuple[str, int]]:
    """The EEA countries of the people concerned, named in the report's language, most first."""
    names = Locale.parse(language.replace("-", "_")).territories
    return [(names.get(code, code), n) for code, n in found.most_common() if code in EEA]


def render_report(s: Session, incident: Incident, obligation: Obligation, *, now: datetime,
                  facts: Facts,
                  notices: dict[str, str | None] | None = None) -> tuple[str, str, str, list[str]]:
    """(HTML, Markdown, JSON, what is left to complete) of one obligation's report, in the
    regulator's language and, where it has one, in the order of its form."""
    code = obligation.jurisdiction
    counts = facts.counts.get(code) or dict.fromkeys(_KEYS, 0)
    categories = facts.categories.get(code) or ordered_categories(incident.data_categories)
    language = language_of(code)
    sample = sample_notice(s, incident.id, code, language)
    report = plan(incident, obligation, now=now, sample=sample is not None)
    form = f"jurisdictions/{code}/regulator.form.html.j2"
    first, last = facts.told.get(code, (None, None))
    m = render.messages(language)
    ctx = {"m": m, "r": wording(language), "org": incident.org, "incident": incident,
           "obligation": obligation, "counts": counts, "categories": categories, "language": language,
           "consequences": consequences(categories), "notice_date": now, "sample": sample,
           "sample_language": render.messages(sample.locale)["meta"]["language"] if sample else None,
           "channels": sorted(facts.channels.get(code, ())), "element_names": ELEMENTS,
           "form": form if (render.root() / form).is_file() else None,
           "names": jurisdiction_report(code).get("names", {}),
           "notified_from": first, "notified_to": last, "total_people": facts.total,
           "member_states": _member_states(facts.countries.get(code, Counter()), language),
           "announced_at": s.exec(select(func.min(Announcement.posted_at)).where(
               Announcement.incident_id == incident.id)).one(),
           "media_required": any(o.audience == "media" and o.required for o in s.exec(
               select(Obligation).where(Obligation.incident_id == incident.id,
                                        Obligation.jurisdiction == code))),
           "other_authorities": sorted({o.recipient or o.jurisdiction for o in s.exec(
               select(Obligation).where(Obligation.incident_id == incident.id,
                                        Obligation.audience == "regulator",
                                        col(Obligation.required),
                                        Obligation.jurisdiction != code))}),
           "report_phase": obligation.phase,
           # The template formats dates itself (per locale): times, not their ISO text.
           "notices": {key: datetime.fromisoformat(value) if value else None
                       for key, value in notices.items()} if notices else None, **report}
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
        facts = facts_of(s, incident.id) if todo else None
        dates = notice_dates(s, incident.id) if todo and early is not True else {}
    for obligation in todo:
        assert facts is not None  # noqa: S101 - computed whenever there is a report to make
        # One short transaction per report, written once it is rendered: the notices step
        # beside it gets SQLite's writer between two reports, and a crash keeps those made.
        with db.session() as s:
            html, markdown, data, to_complete = render_report(s, incident, obligation,
                                                              now=utcnow(), facts=facts,
                                                              notices=dates.get(obligation.jurisdiction))
            # A draft says so in its file name too: nobody files it by mistake.
            draft = "-DRAFT" if to_complete else ""
            stem = folder / f"{obligation.jurisdiction}-{obligation.id}{draft}"
            files = []
            for suffix, body in ((".html", html), (".md", markdown), (".json", data)):
                path = Path(f"{stem}{suffix}")
                path.write_text(body, encoding="utf-8")
                files.append(str(path))
            pdf = Path(f"{stem}.pdf")
            title = f"{'DRAFT - ' if draft else ''}Breach report {obligation.jurisdiction}"
            pdf.write_bytes(html_to_pdf(html, title=title))
            files.append(str(pdf))
            s.add(RegulatorReport(incident_id=incident.id, obligation_id=obligation.id or 0,
                                  jurisdiction=obligation.jurisdiction,
                                  recipient=obligation.recipient, files=files,
                                  to_complete=to_complete,
                                  content_hash=render.content_hash(html, markdown, data)))
            made += 1
    return {"reports": made + len(done), "drafted": made}
