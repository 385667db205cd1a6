"""2. A security tool chooses `external_id`: it never becomes a path or a URL segment as it is.
The announcement's files and its CMS URL, the output folder and the export use a safe form."""

from __future__ import annotations

import argparse
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

from incidents import cli
from incidents.notices import announcement
from incidents.records import export
from tests.security.helpers import incident_file, prepared


class _CMS(BaseHTTPRequestHandler):
    paths: ClassVar[list[tuple[str, str | None]]] = []

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _CMS.paths.append((self.path, self.headers.get("Authorization")))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_the_announcement_stays_in_its_folder(home, demo_files, tmp_path, monkeypatch):
    hostile = "../../../../elsewhere/x"
    out = tmp_path / "out" / "incident"
    incident_id = prepared(demo_files, out, incident=incident_file(
        demo_files, tmp_path, external_id=hostile))
    folder = tmp_path / "announce"
    monkeypatch.setenv(announcement.DIR_ENV, str(folder))
    assert announcement.publish(incident_id, out_dir=out)["announcements"] >= 1
    written = [p for p in tmp_path.rglob("*.html") if "announce" in p.parts or "elsewhere" in p.parts]
    assert written and all(p.parent == folder for p in written), written
    assert not (tmp_path / "elsewhere").exists() and not list(tmp_path.parent.glob("elsewhere"))


def test_the_cms_url_keeps_its_path_and_the_token_goes_nowhere_else(home, demo_files, tmp_path,
                                                                      monkeypatch):
    hostile = "../../admin/pages/home?x="
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out, incident=incident_file(
        demo_files, tmp_path, external_id=hostile))
    server = HTTPServer(("127.0.0.1", 0), _CMS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _CMS.paths.clear()
    try:
        monkeypatch.setenv(announcement.URL_ENV,
                           f"http://127.0.0.1:{server.server_address[1]}/cms/notices")
        monkeypatch.setenv(announcement.TOKEN_ENV, "cms-bearer-token")
        announcement.publish(incident_id, out_dir=out)
    finally:
        server.shutdown()
    assert _CMS.paths
    for path, authorization in _CMS.paths:
        assert authorization == "Bearer cms-bearer-token"
        assert path.startswith("/cms/notices/") and path.count("/") == 3, path
        assert "?" not in path and ".." not in path and "admin" not in path.split("/")[2:3]


def test_export_works_for_any_id_and_writes_inside_the_folder(home, demo_files, tmp_path):
    out = tmp_path / "out"
    incident_id = prepared(demo_files, out, incident=incident_file(
        demo_files, tmp_path, external_id="SIEM/2026/../../4711"), until="assessment")
    path, _, count = export.export(incident_id=incident_id, out=out)
    assert path.parent == out and path.name.startswith("notice-pack-SIEM_2026")
    assert count == len(zipfile.ZipFile(path).namelist())


def test_the_cli_output_folder_stays_under_the_output_root(home, tmp_path):
    root = tmp_path / "out"  # BREACHFLOW_OUT of the `home` fixture
    for hostile in ("../../etc", "..", "/absolute/path", "a/../../b"):
        folder = cli._out_dir(argparse.Namespace(out=None), hostile)
        assert folder.parent == root, (hostile, folder)
