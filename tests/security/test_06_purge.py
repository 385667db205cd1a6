"""6. After `breachflow purge` nothing kept leads back to a person: no id that can be recomputed,
no notice page that answers, no provider message id, no directory id in the output folder."""

from __future__ import annotations

import hashlib
import sqlite3

from sqlmodel import select

from incidents import channels, cli, db
from incidents.models import AffectedSubject, Delivery, Incident, NoticeLink
from incidents.notices import page as notice_page
from sandbox import Sandbox
from tests.incidents.delivery.test_delivery_accounting import drive
from tests.security.helpers import close, prepared


def test_purge_forgets(home, demo_files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    # An affected id the directory does not know: the data-quality report names it.
    affected = tmp_path / "affected.csv"
    affected.write_text(demo_files["affected.csv"].read_text(encoding="utf-8")
                        + "ghost-person-7,\r\n", encoding="utf-8")
    incident_id = prepared(demo_files, out, affected=affected)
    with Sandbox() as sandbox:
        monkeypatch.setenv("BREACHFLOW_SANDBOX_URL", sandbox.url)
        channels.reset()
        drive(incident_id)
        channels.reset()
    close(incident_id)
    with db.session() as s:
        incident = s.exec(select(Incident)).one()
        before = {p.id: p.subject_id for p in s.exec(select(AffectedSubject))}
        tokens = [link.token for link in s.exec(select(NoticeLink))]
        assert any(d.provider_id for d in s.exec(select(Delivery)))
    assert tokens and notice_page.notice_page(token=tokens[0])[0] == 200
    assert "ghost-person-7" in (out / "data-quality.json").read_text(encoding="utf-8")

    assert cli.main(["purge", incident_id]) == 0
    capsys.readouterr()

    with db.session() as s:
        after = {p.id: p.subject_id for p in s.exec(select(AffectedSubject))}
        deliveries = list(s.exec(select(Delivery)))
    # The old replacement was sha256(incident id + subject id): hashing candidate ids found
    # the people again. Nothing kept may be computed from an id.
    recomputed = {f"purged-{hashlib.sha256(f'{incident.id}:{sid}'.encode()).hexdigest()[:24]}"
                  for sid in before.values()}
    assert not recomputed & set(after.values())
    assert len(set(after.values())) == len(after) and all(v.startswith("purged-")
                                                           for v in after.values())
    assert notice_page.notice_page(token=tokens[0])[0] == 404
    assert deliveries and all(d.provider_id is None for d in deliveries)
    with sqlite3.connect(home / "breachflow.db") as connection:
        dump = "\n".join(connection.iterdump())
    assert not [sid for sid in before.values() if f"'{sid}'" in dump]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".jsonl", ".txt", ".html", ".md", ".csv"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert "ghost-person-7" not in text, path
            assert not [sid for sid in before.values() if f'"{sid}"' in text], path
    assert cli.main(["audit", "verify", incident_id]) == 0


def test_purge_deletes_activation_codes_and_the_mail_house_batches(home, demo_files, tmp_path,
                                                                   monkeypatch, capsys):
    from incidents.models import ActivationCode, AuditEvent

    incident_id = prepared(demo_files, tmp_path / "out", until="identification")
    drop = tmp_path / "mail"
    monkeypatch.setenv("BREACHFLOW_MAIL_DIR", str(drop))
    batch = drop / incident_id / "batch-20261206T000000Z-c0ffee-1"
    batch.mkdir(parents=True)
    (batch / "manifest.csv").write_text("delivery_id,address_line_1\nd1,Jane Public\n",
                                        encoding="utf-8")
    other = drop / "another-incident"
    other.mkdir()
    with db.session() as s:
        pks = [p.id for p in s.exec(select(AffectedSubject))][:3]
        for n, pk in enumerate(pks):
            s.add(ActivationCode(incident_id=incident_id, code=f"QNE5-AS6C-TWB{n}", subject_pk=pk))
    close(incident_id)

    assert cli.main(["purge", incident_id]) == 0
    capsys.readouterr()

    with db.session() as s:
        assert list(s.exec(select(ActivationCode))) == []
        purged = [e for e in s.exec(select(AuditEvent)) if e.action == "retention.purged"]
    assert purged[0].detail["activation_codes_deleted"] == 3
    assert purged[0].detail["mail_batches_removed"] == 1
    assert not (drop / incident_id).exists() and other.is_dir()
    with sqlite3.connect(home / "breachflow.db") as connection:
        assert "QNE5-AS6C" not in "\n".join(connection.iterdump())
