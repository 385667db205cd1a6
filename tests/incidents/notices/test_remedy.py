"""The remedy: structured in the org profile, stated in every locale with all that is needed to
take it up (Cal. Civ. Code § 1798.82(d)(2)(G)), one activation code per person from the vendor's
file, and a law's minimum duration checked, never printed beside the offer."""

from __future__ import annotations

from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlmodel import select

from incidents import db, demo, org, payload, pipeline, service, steps
from incidents.exceptions import BreachflowError, InputError
from incidents.models import ActivationCode, IncidentCreate, IncidentSources, RunSettings
from incidents.notices import activation, generation
from tests.incidents.notices import helpers

LOCALES = ("en", "de", "fr", "es", "ja", "zh-CN")
OFFER = {
    "vendor": "Northwind Identity",
    "product": "GuardPlus",
    "months": 24,
    "enrol_url": "https://enroll.northwind.example",
    "enrol_by": "2027-03-31",
    "help_line": "+1 800 555 0142",
    "activation_codes": True,
}
# The enrol-by date as each locale writes it (CLDR long date; US English for a US notice).
ENROL_BY = {
    "en": "March 31, 2027",
    "de": "31. März 2027",
    "fr": "31 mars 2027",
    "es": "31 de marzo de 2027",
    "ja": "2027年3月31日",
    "zh-CN": "2027年3月31日",
}


def _render(
    codes: tuple[str, ...],
    locale: str,
    offer: dict[str, object],
    categories: tuple[str, ...] = ("name", "email", "ssn"),
) -> dict[str, str]:
    incident = helpers.incident(org=org.validate({"remedy": offer}, example=True))
    with freeze_time(helpers.NOW):
        out = generation.render_group(
            incident,
            generation.Group(codes, locale, categories),
            selection=helpers.selection(codes, categories),
            citations=[law.citation for law in helpers.laws(codes, categories)],
            authorities=True,
        )
    return {r.channel: r.text for r in out}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_states_the_whole_offer_in_its_own_language(locale: str) -> None:
    texts = _render(("US-CA",), locale, OFFER)
    letter = texts["letter"]
    for fact in (
        "Northwind Identity",
        "GuardPlus",
        "https://enroll.northwind.example",
        ENROL_BY[locale],
        activation.ACTIVATION_CODE,
        "+1 800 555 0142",
    ):
        assert fact in letter, (locale, fact)
    if locale != "en":  # the old English-only setting leaked into every language
        assert "months of" not in letter and "monitoring" not in letter
    # No code is read aloud to what may be an answering machine, or put in a short message.
    for channel in ("voice", "sms", "push"):
        assert activation.ACTIVATION_CODE not in texts[channel]


def test_california_states_the_offer_not_a_shorter_minimum() -> None:
    letter = _render(("US-CA",), "en", OFFER)["letter"]
    assert "at least 12 months" not in letter
    assert "24 months of the offer" in letter


def test_an_offer_shorter_than_a_laws_minimum_stops_generation() -> None:
    with pytest.raises(BreachflowError, match=r"1798\.82.*at least 12 months.*6 months"):
        _render(("US-CA",), "en", OFFER | {"months": 6})
    _render(("EU",), "en", OFFER | {"months": 6})  # no minimum there


def test_the_org_profile_checks_the_remedy() -> None:
    with pytest.raises(InputError, match="enrol_url"):
        org.validate({"remedy": {"vendor": "V", "product": "P", "months": 12}}, example=True)
    with pytest.raises(InputError, match=r"remedy\.months"):
        org.validate({"remedy": OFFER | {"months": "two years"}}, example=True)
    legacy = org.validate({"remedy": "24 months of monitoring"}, example=True)["remedy"]
    assert legacy["text"] == {"en": "24 months of monitoring"} and not legacy["activation_codes"]


def _incident(demo_files: dict[str, Path], out: Path) -> str:
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]),
            org=org.load(demo_files["org.toml"]),
            actor="test",
            sources=IncidentSources(
                affected=str(demo_files["affected.csv"]), directory=str(demo_files["directory.csv"])
            ),
            settings=RunSettings(out=str(out)),
        )
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
    for name, work in (("triage", pipeline.triage_stage), ("identification", pipeline.identification_stage)):
        steps.run(incident.id, name, work)
    return incident.id


def test_one_code_per_person_idempotent_and_a_clear_stop_when_they_run_out(
    home, demo_files, tmp_path
) -> None:
    incident_id = _incident(demo_files, tmp_path / "out")
    codes = activation.read_file(demo_files["remedy-codes.csv"])
    few = tmp_path / "few.txt"
    few.write_text("\n".join(codes[:5]) + "\n", encoding="utf-8")
    assert activation.load(incident_id=incident_id, path=few) == {"loaded": 5, "already_loaded": 0}
    with pytest.raises(activation.CodesExhausted, match="need one, 5 unused") as stop:
        activation.allocate(incident_id)
    assert not any(code in str(stop.value) for code in codes)  # counts, never a code
    assert (
        activation.load(incident_id=incident_id, path=demo_files["remedy-codes.csv"])["already_loaded"] == 5
    )
    first = activation.allocate(incident_id)
    assert first["codes_allocated"] > 0
    assert activation.allocate(incident_id)["codes_allocated"] == 0  # each person keeps theirs
    with db.session() as s:
        given = s.exec(
            select(ActivationCode).where(
                ActivationCode.incident_id == incident_id, ActivationCode.subject_pk.is_not(None)
            )
        ).all()  # type: ignore[union-attr]
    assert len(given) == first["codes_allocated"] == len({c.subject_pk for c in given})
    assert first["codes_left"] == len(codes) - len(given)


def test_a_bad_code_file_names_the_line_not_the_content(tmp_path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text("GOOD-CODE-1\nsecret code with spaces\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2") as error:
        activation.read_file(path)
    assert "secret" not in str(error.value)


def test_the_notice_page_carries_the_persons_own_reference_and_code(home, demo_files, tmp_path) -> None:
    """For a person reached only by a text message, the page is the notice: it must carry
    what their e-mail or letter would (Cal. Civ. Code § 1798.82(d)(2)(G))."""
    from incidents.models import NoticeLink
    from incidents.notices import page

    incident_id = _incident(demo_files, tmp_path / "out")
    for name, work in (("assessment", pipeline.assessment_stage), ("notices", pipeline.notices_stage)):
        steps.run(incident_id, name, work)
    with db.session() as s:
        links = s.exec(select(NoticeLink).where(NoticeLink.incident_id == incident_id)).all()
        codes = activation.codes_for(s, incident_id=incident_id, subject_pks=[x.subject_pk for x in links])
    shown = 0
    for link in links:
        status, html = page.notice_page(token=link.token)
        if status != 200 or link.subject_pk not in codes:
            continue
        assert codes[link.subject_pk] in html and link.reference and link.reference in html
        assert activation.ACTIVATION_CODE not in html and page.REFERENCE_PLACEHOLDER not in html
        shown += 1
    assert shown > 0


def test_a_code_loaded_for_one_incident_is_refused_for_another(home, demo_files, tmp_path) -> None:
    from tests.flows.alert_intake import incident_from_alert

    first = _incident(demo_files, tmp_path / "out")
    activation.load(incident_id=first, path=demo_files["remedy-codes.csv"])
    second = incident_from_alert("OTHER-INCIDENT-1")
    with pytest.raises(InputError, match="already loaded for another incident") as refused:
        activation.load(incident_id=second, path=demo_files["remedy-codes.csv"])
    assert refused.value.field == "codes"
    codes = activation.read_file(demo_files["remedy-codes.csv"])
    assert not any(code in str(refused.value) for code in codes)
    with db.session() as s:
        assert s.exec(select(ActivationCode).where(ActivationCode.incident_id == second)).all() == []
    fresh = tmp_path / "fresh.txt"
    fresh.write_text("FRESH-CODE-0001\nFRESH-CODE-0002\n", encoding="utf-8")
    assert activation.load(incident_id=second, path=fresh) == {"loaded": 2, "already_loaded": 0}


def test_each_demo_incident_has_codes_of_its_own(tmp_path) -> None:
    """A code loaded for one incident is refused for another: a second `breachflow demo` on the
    same machine must not bring the first one's codes."""
    first = demo.write(tmp_path / "a", count=20)
    second = demo.write(tmp_path / "b", count=20)
    mine, theirs = (set(activation.read_file(p["remedy-codes.csv"])) for p in (first, second))
    assert len(mine) > 20 and not mine & theirs
