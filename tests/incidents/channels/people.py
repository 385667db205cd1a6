"""A small incident straight in the database: people with chosen contacts and one notice per
channel, so ledger and webhook tests need no stages and no Prefect."""

from __future__ import annotations

import uuid
from typing import Any

from incidents import db
from incidents.models import AffectedSubject, Incident, Notice
from incidents.sqltypes import utcnow

CHANNELS = ("email", "sms", "voice", "push", "letter")
# A letter notice as the letter layout marks its parts (the reference is filled in per letter).
LETTER_HTML = ('<main><p class="sender">Lumen Gadgets Ltd. · 1 Example Way, Dublin</p>'
               '<div class="window"><p>The address goes here.</p></div>'
               '<p class="reference">Reference: LetterReferencePlaceholder</p>'
               '<h1>Notice of Data Breach</h1><p>A letter notice for the {kind}.</p></main>')


def person(n: int, *, email: bool = True, phone: bool = False, push: bool = False,
           minor: bool = False, guardian_email: bool = False,
           guardian_phone: bool = False, letter: bool = False) -> dict[str, Any]:
    channels = [c for c, ok in (("email", email), ("sms", phone), ("voice", phone),
                                ("push", push), ("letter", letter)) if ok]
    return {"subject_id": f"u{n:05d}", "email": f"p{n}@mail.example" if email else None,
            "phone": f"+1415777{n:04d}" if phone else None, "phone_type": "mobile" if phone else None,
            "push_target": f"device-{n}" if push else None, "minor": minor,
            "guardian_email": f"g{n}@mail.example" if guardian_email else None,
            "guardian_phone": f"+1415999{n:04d}" if guardian_phone else None,
            "channels": channels, "locale": "en", "jurisdictions": ["EU"],
            "notice_group": "g1", "full_name": f"Person {n}" if letter else None,
            "postal_address": f"{n} Main Street\nSpringfield, IL 62701\nUS" if letter else None}


def incident(people: list[dict[str, Any]]) -> str:
    """Create the incident, its people and their notices; return the incident id."""
    now = utcnow()
    with db.session() as s:
        found = Incident(external_id=f"T-{uuid.uuid4().hex[:8]}", title="test", detected_at=now,
                         aware_at=now, determined_at=now)
        s.add(found)
        s.flush()
        for p in people:
            s.add(AffectedSubject(incident_id=found.id, **p))
        for kind in ("subject", "guardian"):
            for channel in CHANNELS:
                s.add(Notice(incident_id=found.id, group_key=f"g1-{kind}", channel=channel,
                             locale="en", subject="Notice of Data Breach",
                             body_text=f"A {channel} notice for the {kind}: https://x.example/n",
                             body_html=LETTER_HTML.format(kind=kind) if channel == "letter" else None,
                             template=f"en/individuals.{channel}.txt.j2", content_hash=f"h-{channel}"))
        return found.id
