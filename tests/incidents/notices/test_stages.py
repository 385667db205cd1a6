"""The notice, announcement, report and export stages on a real SQLite database, with the
personal notice page and an HTTP announcement endpoint."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlmodel import select

from incidents import db, org, payload, pipeline, service, steps
from incidents.models import (
    Announcement,
    IncidentCreate,
    IncidentSources,
    Notice,
    NoticeLink,
    RegulatorReport,
    RunSettings,
)
from incidents.notices import announcement, reports, segments
from incidents.notices import page as notice_page
from incidents.records import export


def _prepared(demo_files: dict[str, Path], out: Path) -> str:
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test",
            sources=IncidentSources(affected=str(demo_files["affected.csv"]),
                                    directory=str(demo_files["directory.csv"])),
            settings=RunSettings(out=str(out)))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    for name, work in (("triage", pipeline.triage_stage),
                       ("identification", pipeline.identification_stage),
                       ("assessment", pipeline.assessment_stage),
                       ("notices", pipeline.notices_stage)):
        steps.run(incident_id, name, work)
    return incident_id


def test_notices_pages_announcement_reports_and_pack(home, demo_files, tmp_path) -> None:
    out = tmp_path / "out"
    incident_id = _prepared(demo_files, out)
    with db.session() as s:
        rows = s.exec(select(Notice).where(Notice.incident_id == incident_id)).all()
        links = s.exec(select(NoticeLink).where(NoticeLink.incident_id == incident_id)).all()
    assert rows and {r.channel for r in rows} == {"email", "sms", "voice", "push", "letter", "page"}
    assert all(segments.segments(r.body_text) <= 2 for r in rows if r.channel == "sms")
    assert all(r.elements and r.content_hash for r in rows)
    assert links and len({link.token for link in links}) == len(links)
    assert all(notice_page.TOKEN_PATTERN.fullmatch(link.token) for link in links)
    # Generating again changes nothing: the versions legal approved stay as they are.
    assert pipeline.notices_stage(incident_id)["rendered"] == 0

    token = links[0].token
    status, html = notice_page.notice_page(token=token)
    assert status == 200 and 'data-element="remedy"' in html
    assert notice_page.notice_page(token=token)[0] == 200
    with db.session() as s:
        opened = s.exec(select(NoticeLink).where(NoticeLink.token == token)).one()
    assert opened.opens == 2 and opened.first_opened_at is not None
    assert opened.last_opened_at >= opened.first_opened_at
    assert notice_page.notice_page(token="A" * 22)[0] == 404
    assert notice_page.notice_page(token="../../etc/passwd")[0] == 404
    sms = next(r for r in rows if r.channel == "sms")
    # No link in a text (issue 15): each person's reference, as long as its placeholder.
    with db.session() as s:
        reference = s.exec(select(NoticeLink.reference).where(NoticeLink.token == token)).one()
    assert reference and notice_page.REFERENCE_PLACEHOLDER in sms.body_text
    personal = sms.body_text.replace(notice_page.REFERENCE_PLACEHOLDER, reference)
    assert "http" not in personal
    assert segments.segments(personal) == segments.segments(sms.body_text)

    result = announcement.publish(incident_id, out_dir=out)
    assert result["announcements"] >= 1
    with db.session() as s:
        posted = s.exec(select(Announcement).where(Announcement.incident_id == incident_id)).all()
    for a in posted:
        page = Path(a.location).read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and f'lang="{a.locale}"' in page
        assert Path(a.location).with_suffix(".txt").read_text(encoding="utf-8").strip()
        if a.period_days:
            assert a.keep_until is not None and (a.keep_until - a.posted_at).days >= a.period_days - 1
            assert "<time datetime=" in page

    assert reports.generate(incident_id, out_dir=out)["reports"] >= 1
    with db.session() as s:
        filed = s.exec(select(RegulatorReport).where(RegulatorReport.incident_id == incident_id)).all()
    for report in filed:
        suffixes = {Path(f).suffix for f in report.files}
        assert suffixes == {".html", ".md", ".json", ".pdf"}
        pdf = next(Path(f) for f in report.files if f.endswith(".pdf"))
        assert pdf.read_bytes().startswith(b"%PDF")
        data = json.loads(next(Path(f) for f in report.files if f.endswith(".json")).read_text())
        assert set(data["report"]["required_content"]) <= set(data["report"]["elements"])

    path, digest, count = export.export(incident_id=incident_id)
    with zipfile.ZipFile(path) as pack:
        names = set(pack.namelist())
        manifest = json.loads(pack.read("manifest.json"))
    assert {"manifest.json", "audit.jsonl", "obligations.json", "obligations.md"} <= names
    assert manifest["audit"]["verified"] and manifest["notice_pages"]["fetched"] == 1
    hashes = {n["content_hash"] for n in manifest["notices"]}
    assert hashes == {r.content_hash for r in rows}
    assert all(f in names for n in manifest["notices"] for f in n["files"])
    assert all(f in names for r in manifest["reports"] for f in r["files"])
    assert count == len(names) and len(digest) == 64
    # No personal data in the pack: no directory name, e-mail address or phone number.
    directory = demo_files["directory.csv"].read_text(encoding="utf-8").splitlines()[1:]
    blob = b"".join(zipfile.ZipFile(path).read(n) for n in names).decode("utf-8", "ignore")
    for line in directory[:40]:
        person = line.split(",")
        for value in (person[1], person[2], person[3]):
            if value:
                assert value not in blob


class _Cms(BaseHTTPRequestHandler):
    received: ClassVar[dict[str, bytes]] = {}

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        _Cms.received[self.path] = self.rfile.read(length)
        assert self.headers["Authorization"] == "Bearer cms-token"
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_announcement_to_an_http_endpoint(home, demo_files, tmp_path, monkeypatch) -> None:
    incident_id = _prepared(demo_files, tmp_path / "out")
    server = HTTPServer(("127.0.0.1", 0), _Cms)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv(announcement.URL_ENV, f"http://127.0.0.1:{server.server_port}/cms")
    monkeypatch.setenv(announcement.TOKEN_ENV, "cms-token")
    try:
        result = announcement.publish(incident_id, out_dir=tmp_path / "out")
    finally:
        server.shutdown()
    with db.session() as s:
        posted = s.exec(select(Announcement).where(Announcement.incident_id == incident_id)).all()
    assert result["announcements"] == len(posted) >= 1
    assert all(a.destination == "http" and a.location.startswith("http://127.0.0.1") for a in posted)
    assert {p.rsplit(".", 1)[1] for p in _Cms.received} == {"html", "txt"}
    assert len(_Cms.received) == 2 * len(posted)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium)")
def test_announcement_renders_in_headless_chromium(home, demo_files, tmp_path) -> None:
    incident_id = _prepared(demo_files, tmp_path / "out")
    announcement.publish(incident_id, out_dir=tmp_path / "out")
    with db.session() as s:
        page = Path(s.exec(select(Announcement).where(Announcement.incident_id == incident_id,
                                                      Announcement.locale == "en")).one().location)
    shot = tmp_path / "announcement.png"
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert "<h1>Notice of a data security incident</h1>" in dom and 'data-element="contact"' in dom
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000  # a page with text, not a blank
