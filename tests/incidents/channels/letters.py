"""A real letter notice (rendered from the templates, as notice generation stores it) and
envelopes for the letter channels' tests."""

from __future__ import annotations

from functools import cache

from freezegun import freeze_time

from incidents.channels.base import Outgoing
from incidents.channels.letters import envelope
from incidents.identification import postal
from incidents.models import Notice
from incidents.notices import generation
from incidents.notices import page as notice_page
from tests.incidents.notices import helpers

ADDRESSES = {
    "US": ("{n} Market Street", "Apt 4B", "San Francisco, CA 94103"),
    "CA": ("{n} Rue Sainte-Catherine", "Montreal, QC H3B 1A7"),
    "DE": ("Hauptstraße {n}", "10115 Berlin"),
    "JP": ("1-{n}-1 Marunouchi", "Chiyoda-ku, Tokyo 100-0005"),
}


@cache
def letter_notice(incident_id: str = "inc1", notice_id: int = 1) -> Notice:
    codes, locale, categories = ("US-CA",), "en", ("name", "email", "password", "ssn")
    with freeze_time(helpers.NOW):
        [rendered] = generation.render_group(
            helpers.incident(), generation.Group(codes, locale, categories),
            selection=helpers.selection(codes, categories),
            citations=[law.citation for law in helpers.laws(codes, categories)],
            authorities=True, channels=("letter",))
    return Notice(id=notice_id, incident_id=incident_id, group_key="g1-subject", channel="letter",
                  locale=locale, jurisdictions=list(codes), subject=rendered.subject,
                  body_text=rendered.text, body_html=rendered.html, template=rendered.template,
                  content_hash="h")


def address(country: str, n: int = 1, *, first: str | None = None) -> str:
    lines = [line.format(n=n) for line in ADDRESSES[country]]
    if first is not None:
        lines[0] = first
    found = postal.parse("\n".join(lines), country)
    assert isinstance(found, postal.PostalAddress), found
    return found.stored()


def message(delivery_id: str, country: str = "US", n: int = 1, *, name: str | None = "Jane Public",
            first: str | None = None, notice_id: int = 1) -> Outgoing:
    return Outgoing(delivery_id, envelope(name, address(country, n, first=first)), "en", notice_id,
                    notice_page.new_token())
