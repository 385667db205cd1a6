"""The notice pack a lawyer reviews: a cover memo, an index of representative notices with their
counts, one list of what is still to complete, the data-quality counts, the plan and the letters
as PDFs; and the same incident gives the same bytes, however often it is exported."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from flows import planning
from incidents import db
from incidents.models import AffectedSubject, AuditEvent, Delivery, Notice
from incidents.notices import reports
from incidents.records import export
from tests.security.helpers import prepared


@pytest.fixture
def pack(home, demo_files, tmp_path) -> tuple[str, Path, dict[str, Path]]:
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out)
    planning.write(incident_id)
    reports.generate(incident_id, out_dir=out)
    # Three letters and two e-mails of one group went out: the index must count them.
    with db.session() as s:
        letter = s.exec(
            select(Notice)
            .where(Notice.incident_id == incident_id, Notice.channel == "letter")
            .order_by(Notice.group_key)
        ).first()
        assert letter is not None
        group = letter.group_key.removesuffix("-subject").removesuffix("-guardian")
        people = s.exec(select(AffectedSubject).where(AffectedSubject.notice_group == group)).all()
        email = s.exec(
            select(Notice).where(Notice.group_key == letter.group_key, Notice.channel == "email")
        ).one()
        for person, (channel, notice) in zip(
            people, [("letter", letter)] * 3 + [("email", email)] * 2, strict=False
        ):
            s.add(
                Delivery(
                    incident_id=incident_id,
                    subject_pk=person.id or 0,
                    channel=channel,
                    notice_id=notice.id,
                    content_hash=notice.content_hash,
                    state="accepted",
                )
            )
    return incident_id, out, demo_files


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_same_incident_exports_to_the_same_bytes(pack) -> None:
    incident_id, out, _ = pack
    first = export.export(incident_id=incident_id, out=out / "a")
    data = first[0].read_bytes()
    second = export.export(incident_id=incident_id, out=out / "b")
    assert second[1] == first[1] and second[0].read_bytes() == data
    with db.session() as s:
        recorded = s.exec(select(AuditEvent).where(AuditEvent.action == "export.created")).all()
    assert len(recorded) == 2  # each export is in the trail, and not in the next pack
    members = _members(first[0])
    assert b"export.created" not in members["audit.jsonl"]
    with zipfile.ZipFile(first[0]) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {export.EPOCH}
    for name, body in members.items():
        if name.endswith(".json") and "/" not in name:  # ours; plan/ and reports/ are copies
            assert (
                body == json.dumps(json.loads(body), indent=2, ensure_ascii=False, sort_keys=True).encode()
            ), name


def test_the_pack_opens_with_memo_index_to_complete_quality_plan_and_letters(pack) -> None:
    incident_id, out, demo_files = pack
    path, _, count = export.export(incident_id=incident_id, out=out)
    members = _members(path)
    assert count == len(members)
    for name in (
        "cover-memo.html",
        "cover-memo.pdf",
        "to-complete.json",
        "index.json",
        "data-quality.json",
        "plan/plan.json",
        "plan/plan-timeline.svg",
    ):
        assert name in members, name
    assert members["cover-memo.pdf"].startswith(b"%PDF")

    # The index: one entry per jurisdiction x locale x channel x recipient, counted right.
    with db.session() as s:
        notices = s.exec(select(Notice).where(Notice.incident_id == incident_id)).all()
        sent = Counter(d.notice_id for d in s.exec(select(Delivery)))
    expected_people: dict[tuple[str, str, str, str], int] = defaultdict(int)
    expected_sent: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for n in notices:
        for j in n.jurisdictions:
            key = (j, n.locale, n.channel, "guardian" if n.group_key.endswith("-guardian") else "person")
            expected_people[key] += n.recipients
            expected_sent[key] += sent[n.id]
    index = json.loads(members["index.json"])
    got = {(r["jurisdiction"], r["locale"], r["channel"], r["recipient"]): r for r in index}
    assert set(got) == set(expected_people)
    assert {k: r["people_in_groups"] for k, r in got.items()} == expected_people
    assert {k: r["sent"] for k, r in got.items() if k[2] != "page"} == {
        k: v for k, v in expected_sent.items() if k[2] != "page"
    }
    assert sum(r["sent"] for r in index if r["channel"] == "letter") >= 3
    assert all(r["versions"] <= r["groups"] for r in index)
    for row in index:
        assert all(f in members for f in row["files"])
        assert row["files"][0].startswith(f"index/{row['jurisdiction']}/{row['locale']}/{row['channel']}")
    letters = [r for r in index if r["channel"] == "letter"]
    specimens = [f for r in letters for f in r["files"] if f.endswith(".pdf")]
    assert letters and len(specimens) == len(letters)
    # Each specimen in its letter's language, nothing left of a person's placeholders.
    marks = {"en": "SPECIMEN", "de": "MUSTER", "fr": "SPÉCIMEN", "es": "MODELO", "ja": "見本",
             "zh-CN": "样本"}
    for row in letters:
        [pdf] = [f for f in row["files"] if f.endswith(".pdf")]
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(members[pdf])).pages)
        assert marks[row["locale"]] in text, (row["locale"], text[:300])
        assert "Placeholder" not in text
    assert {"en", "ja"} <= {r["locale"] for r in letters}
    english = next(r for r in letters if r["locale"] == "en")
    [pdf] = [f for f in english["files"] if f.endswith(".pdf")]
    assert "[Postal address]" in PdfReader(io.BytesIO(members[pdf])).pages[0].extract_text()

    # One list of what is still open; the memo shows the same list and why things need review.
    items = json.loads(members["to-complete.json"])["items"]
    with db.session() as s:
        from incidents.models import Obligation, RegulatorReport

        drafts = s.exec(select(RegulatorReport)).all()
        review = s.exec(select(Obligation).where(Obligation.needs_review)).all()
    missing = [m for r in drafts for m in r.to_complete]
    assert missing and all(any(m in i["what"] for i in items) for m in missing)
    assert sum(i["kind"] == "review" for i in items) == len(review)
    assert any(i["kind"] == "step" and i["where"] == "notification" for i in items)
    memo = members["cover-memo.html"].decode()
    assert f"Still to complete ({len(items)})" in memo
    assert all(r.reasons[0].replace("'", "&#39;").replace('"', "&#34;") in memo for r in review if r.reasons)
    assert "report draft" in memo  # filing states, as incidents/records/filing.py names them
    memo_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(members["cover-memo.pdf"])).pages)
    assert "Still to complete" in memo_text and "Decisions" in memo_text

    # No personal data: no directory name, e-mail address or phone number, in any member.
    blob = b"".join(members.values()).decode("utf-8", "ignore") + memo_text + text
    directory = demo_files["directory.csv"].read_text(encoding="utf-8").splitlines()[1:]
    for line in directory[:40]:
        person = line.split(",")
        for value in (person[1], person[2], person[3]):
            if value:
                assert value not in blob
    assert "subject_id" not in members["data-quality.json"].decode()


def test_the_pack_holds_the_press_release_and_where_and_when_it_went(pack) -> None:
    """Statewide-media notice (Cal. Civ. Code § 1798.82(j)(3)(C)): the press release is in the
    pack, the memo and the manifest say which outlet had it and when, and until one is
    recorded the memo lists it as still to complete."""
    from datetime import timedelta

    from incidents import cli, service
    from incidents.models import Obligation
    from incidents.notices import media
    from incidents.sqltypes import utcnow

    incident_id, out, _ = pack
    with db.session() as s:
        public = s.exec(select(Obligation).where(Obligation.incident_id == incident_id,
                                                 Obligation.jurisdiction == "US-CA",
                                                 Obligation.audience == "public")).one()
        public.required, public.substitute_notice = True, True
        public.substitute_components = ["statewide_media: notification to major statewide media"]
        external_id = service.get_incident(session=s, incident_id=incident_id).external_id
    media.prepare(incident_id, out_dir=out)

    path, _, _ = export.export(incident_id=incident_id, out=out / "pack-1")
    members = _members(path)
    release = f"media/{external_id}.en.html"
    assert release in members and f"media/{external_id}.en.txt" in members
    assert b"FOR IMMEDIATE RELEASE" in members[release]
    todo = json.loads(members["to-complete.json"])["items"]
    assert any(i["kind"] == "media" and i["where"] == "US-CA" for i in todo)
    assert "Not recorded as sent to any outlet yet" in members["cover-memo.html"].decode()

    at = (utcnow() - timedelta(minutes=5)).replace(microsecond=0)
    assert cli.main(["media", external_id, "--outlet", "Los Angeles Times", "--at", at.isoformat(),
                     "--actor", "pr-lead"]) == 0
    members = _members(export.export(incident_id=incident_id, out=out / "pack-2")[0])
    manifest = json.loads(members["manifest.json"])["media"]
    assert manifest["by_jurisdiction"]["US-CA"]["state"] == "sent"
    assert [(r["outlet"], r["jurisdictions"], r["recorded_by"]) for r in manifest["sent"]] == [
        ("Los Angeles Times", ["US-CA"], "pr-lead")]
    assert manifest["files"] == [release, f"media/{external_id}.en.txt"] and manifest["content_hash"]
    memo = members["cover-memo.html"].decode()
    assert "Los Angeles Times" in memo and at.strftime("%Y-%m-%d %H:%M") in memo
    assert not any(i["kind"] == "media" for i in json.loads(members["to-complete.json"])["items"])
    memo_pdf = PdfReader(io.BytesIO(members["cover-memo.pdf"]))
    assert any("Los Angeles Times" in page.extract_text() for page in memo_pdf.pages)
