"""11. A fetch of a notice page is not evidence that the person read it (link previews fetch
too): it is reported as "fetched". No other site may frame the page."""

from __future__ import annotations

import zipfile

from fastapi.testclient import TestClient
from sqlmodel import select

from incidents import db
from incidents.intake.app import create_app
from incidents.intake.settings import IntakeSettings
from incidents.models import NoticeLink
from incidents.records import export
from tests.security.helpers import prepared


def test_the_page_refuses_framing_and_its_fetches_are_called_fetches(home, demo_files, tmp_path):
    import json

    incident_id = prepared(demo_files, tmp_path / "out")
    with db.session() as s:
        token = s.exec(select(NoticeLink.token)).first()
    app = create_app(IntakeSettings(webhook_secrets=("s",), api_token="t"))
    with TestClient(app) as client:
        page = client.get(f"/n/{token}")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    path, _, _ = export.export(incident_id=incident_id, out=tmp_path)
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert manifest["notice_pages"] == {"links": manifest["notice_pages"]["links"], "fetched": 1}


def test_a_notice_sample_answers_404_to_any_id_or_key_it_does_not_know(home, demo_files,
                                                                      tmp_path):
    from incidents.models import Notice
    from incidents.notices import samples

    incident_id = prepared(demo_files, tmp_path / "out")
    with db.session() as s:
        notice = s.exec(select(Notice)).first()
        assert notice is not None
        good = samples.key_for(incident_id=incident_id, notice_id=notice.id,
                               content_hash=notice.content_hash, secret="t")
    app = create_app(IntakeSettings(webhook_secrets=("s",), api_token="t"))
    with TestClient(app, raise_server_exceptions=False) as client:
        path = f"/v1/incidents/{incident_id}/notices/"
        assert client.get(f"{path}{notice.id}?key={good}").status_code == 200
        for notice_id in (2**63, -(2**63) - 1, 10**30, 0):
            assert client.get(f"{path}{notice_id}?key=x").status_code == 404, notice_id
        assert client.get(f"{path}{notice.id}?key={'0' * len(good)}").status_code == 404
        assert client.get(f"/v1/incidents/other/notices/{notice.id}?key={good}").status_code == 404
