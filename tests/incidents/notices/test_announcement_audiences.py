"""Issue 15 point 9: an announcement per audience. Each language version states what is true
for the people it covers (their laws, their data, their remedies): the Chinese page does not
list US Social Security numbers, the FTC or the US credit bureaus."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from incidents import db
from incidents.models import AffectedSubject, Announcement, Obligation
from incidents.notices import announcement
from regulators import cite
from tests.security.helpers import prepared


def _unreachable_in_china_and_california(incident_id: str) -> None:
    """One Chinese reader in China and one English reader in California cannot be reached;
    the Californian's record held a Social Security number, and California's substitute
    notice (with the notice's content, credit bureaus included) applies."""
    with db.session() as s:
        people = s.exec(select(AffectedSubject).where(AffectedSubject.incident_id == incident_id)).all()
        chinese = next(p for p in people if p.jurisdictions == ["CN"] and (p.locale or "").startswith("zh"))
        californian = next(
            p for p in people if "US-CA" in p.jurisdictions and (p.locale or "en").startswith("en")
        )
        for person in s.exec(select(AffectedSubject).where(AffectedSubject.incident_id == incident_id)):
            person.unreachable = person.id in (chinese.id, californian.id)
        californian.data_categories = sorted({*californian.data_categories, "ssn"})
        ca = {
            o.audience: o
            for o in s.exec(
                select(Obligation).where(
                    Obligation.incident_id == incident_id, Obligation.jurisdiction == "US-CA"
                )
            )
        }
        ca["public"].required, ca["public"].substitute_notice = True, True
        ca["public"].content = [*ca["individuals"].content, "agency_contacts"]


def test_each_language_version_states_what_is_true_for_its_readers(home, demo_files, tmp_path) -> None:
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out)
    _unreachable_in_china_and_california(incident_id)
    announcement.publish(incident_id, out_dir=out)
    with db.session() as s:
        pages = {
            a.locale: Path(a.location).read_text(encoding="utf-8")
            for a in s.exec(select(Announcement).where(Announcement.incident_id == incident_id))
        }
        people = {
            a.locale: a.people
            for a in s.exec(select(Announcement).where(Announcement.incident_id == incident_id))
        }
    assert {"en", "zh-CN"} <= set(pages) and people["zh-CN"] == 1 and people["en"] == 1
    chinese, english = pages["zh-CN"], pages["en"]
    # The Californian's page: their SSN, the credit bureaus, the FTC, California's law.
    assert "Social Security number" in english and "Equifax" in english
    assert "identitytheft.gov" in english and "Cal. Civ. Code" in english
    # The Chinese page: none of it; Chinese law instead.
    for us_only in ("社会安全号码", "Equifax", "identitytheft.gov", "FTC", "信用冻结", "Cal. Civ. Code"):
        assert us_only not in chinese, us_only
    assert "GB/T 35273" in chinese or "PIPL" in chinese or "个人信息保护法" in chinese


def test_each_language_version_cites_its_laws_in_its_language(home, demo_files, tmp_path) -> None:
    """The Chinese page names China's laws in Chinese, as the notices do, not in English."""
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out)
    _unreachable_in_china_and_california(incident_id)
    with db.session() as s:
        cn = s.exec(select(Obligation).where(Obligation.incident_id == incident_id,
                                             Obligation.jurisdiction == "CN",
                                             Obligation.audience == "public")).one()
        cn.required = True
        citation = cn.citation
    announcement.publish(incident_id, out_dir=out)
    with db.session() as s:
        chinese = Path(s.exec(select(Announcement.location).where(
            Announcement.incident_id == incident_id, Announcement.locale == "zh-CN")).one()
        ).read_text(encoding="utf-8")
    assert cite(citation, "zh-CN") != citation
    assert cite(citation, "zh-CN") in chinese and citation not in chinese

