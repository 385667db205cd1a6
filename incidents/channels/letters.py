"""What the letter channels share: the envelope of one message, and its letter made from the
group's letter notice.

A letter message's address is its envelope: the addressee's name on the first line (empty when
the directory has none), then the stored postal address (identification's normalised lines, the
destination's ISO country code last). The letter is the notice's HTML with the person's notice
page link and the letter's reference (its delivery id) filled in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import geocoder

from incidents import db
from incidents.channels.base import Outgoing
from incidents.identification import postal
from incidents.models import Incident, Notice
from incidents.notices.generation import LETTER_REFERENCE
from incidents.rendering import render
from incidents.rendering.letter_pdf import letter_pdf, paper_for


def envelope(name: str | None, stored: str) -> str:
    """A letter message's address: the name line, then the stored postal address."""
    return "\n".join(((name or "").strip().replace("\n", " "), stored))


@dataclass(frozen=True)
class Envelope:
    name: str | None
    address: postal.PostalAddress

    @classmethod
    def of(cls, message: Outgoing) -> Envelope:
        name, _, stored = message.address.partition("\n")
        return cls(name or None, postal.stored(stored))

    @property
    def country(self) -> str:
        return self.address.country

    def lines(self, notice: Notice, *, home: str | None) -> list[str]:
        """The address block as printed: the name (or the notice language's word for the
        resident), the address lines, and the country in capitals when the letter goes
        abroad from `home` (the organisation's country)."""
        first = self.name or resident(notice)
        lines = [first, *self.address.lines]
        if home is None or home.upper() != self.country:
            name = country_name(self.country)
            if name and name.upper() != lines[-1].upper():
                lines.append(name.upper())
        return lines


def resident(notice: Notice) -> str:
    """What a letter is addressed to when the directory has no name, in the notice's language."""
    return _resident(notice.locale, tuple(notice.jurisdictions))


@cache
def _resident(locale: str, jurisdictions: tuple[str, ...]) -> str:
    return str(render.messages(locale, list(jurisdictions))["letter"]["resident"])


@cache
def country_name(code: str) -> str | None:
    """The country's English name, as the Universal Postal Union wants it on the last line."""
    example = phonenumbers.example_number(code)
    if example is None:
        return None
    return geocoder.country_name_for_number(example, "en") or None


@cache
def home_country(incident_id: str) -> str | None:
    """The organisation's country (its main establishment): letters to it omit the country."""
    with db.session() as s:
        incident = s.get(Incident, incident_id)
        home = incident.org.get("establishment") if incident is not None else None
    return str(home) if home else None


def letter_html(notice: Notice, message: Outgoing) -> str:
    """This person's letter: their notice page link and the letter's reference filled in."""
    return message.text(notice.body_html or "").replace(LETTER_REFERENCE, message.delivery_id)


@dataclass(frozen=True)
class PrintedLetter:
    delivery_id: str
    pdf: bytes
    pages: int
    paper: str
    lines: list[str]
    country: str


def print_letter(notice: Notice, message: Outgoing, *, home: str | None,
                 paper: str | None = None) -> PrintedLetter:
    """The print-ready PDF of one letter: US Letter for the US and Canada, A4 elsewhere, unless
    `paper` says otherwise."""
    found = Envelope.of(message)
    lines = found.lines(notice, home=home)
    chosen = paper or paper_for(found.country)
    pdf, pages = letter_pdf(letter_html(notice, message), recipient=lines, paper=chosen,
                            reference=message.delivery_id)
    return PrintedLetter(message.delivery_id, pdf, pages, chosen, lines, found.country)
