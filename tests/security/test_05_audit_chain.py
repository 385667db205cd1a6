"""5. The audit trail cannot be rewritten unseen: its hashes are keyed (the key is outside the
database) and anchors outside the database fix its length."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import stat

import pytest

from incidents import audit, cli, db
from incidents.records import anchors
from tests.security.helpers import close, prepared


def _closed(demo_files, tmp_path, *, anchored: bool = True) -> str:
    incident_id = prepared(demo_files, tmp_path / "out", until="assessment")
    close(incident_id)
    if anchored:
        anchors.anchor_incident(incident_id)  # as the flow does at each gate and at close
    return incident_id


def _rechain(home, incident_id: str, digest) -> None:
    """Recompute every hash of the trail with `digest(body) -> hex`, as an attacker would."""
    with sqlite3.connect(home / "breachflow.db") as connection:
        rows = connection.execute(
            "SELECT id, at, actor, action, detail FROM auditevent WHERE incident_id = ? "
            "ORDER BY id", (incident_id,)).fetchall()
        previous = audit.GENESIS
        for event_id, at, actor, action, detail in rows:
            # The hashed form is no secret: the code is open source.
            body = json.dumps([incident_id, _aware(at).isoformat(), actor, action,
                               json.loads(detail), previous],
                              sort_keys=True, separators=(",", ":"), default=str).encode()
            value = digest(body)
            connection.execute("UPDATE auditevent SET prev_hash = ?, hash = ? WHERE id = ?",
                               (previous, value, event_id))
            previous = value


def _aware(text: str):
    from datetime import UTC, datetime

    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _verify(capsys, incident_id: str) -> tuple[int, str]:
    code = cli.main(["audit", "verify", incident_id])
    return code, capsys.readouterr().out


def test_deleting_the_last_event_is_detected(home, demo_files, tmp_path, capsys):
    incident_id = _closed(demo_files, tmp_path)
    assert _verify(capsys, incident_id)[0] == 0
    with sqlite3.connect(home / "breachflow.db") as connection:
        connection.execute("DELETE FROM auditevent WHERE id = (SELECT max(id) FROM auditevent)")
    code, out = _verify(capsys, incident_id)
    assert code == 1 and "events were removed" in out, out


@pytest.mark.parametrize("attacker_key", [None, b"a guessed key"])
def test_an_edited_and_rechained_trail_is_detected(home, demo_files, tmp_path, capsys,
                                                  attacker_key):
    incident_id = _closed(demo_files, tmp_path, anchored=False)  # the chain alone detects it
    with sqlite3.connect(home / "breachflow.db") as connection:
        connection.execute("UPDATE auditevent SET actor = 'mallory' WHERE action = 'triage.decided'")
    if attacker_key is None:  # the plain SHA-256 chain the trail used to be
        _rechain(home, incident_id, lambda body: hashlib.sha256(body).hexdigest())
    else:
        _rechain(home, incident_id,
                 lambda body: hmac.new(attacker_key, body, hashlib.sha256).hexdigest())
    code, out = _verify(capsys, incident_id)
    assert code == 1 and "content was altered" in out, out


def test_the_key_lives_outside_the_database_readable_by_its_owner_only(home, demo_files,
                                                                       tmp_path, monkeypatch):
    incident_id = _closed(demo_files, tmp_path)
    key_file = home / audit.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    with sqlite3.connect(home / "breachflow.db") as connection:
        dump = "\n".join(connection.iterdump())
    assert key.decode() not in dump
    # The same trail under another key does not verify: the key, not the database, decides.
    with db.session() as s:
        assert audit.verify(s, incident_id=incident_id) == []
    monkeypatch.setenv(audit.KEY_ENV, "another key")
    with db.session() as s:
        assert audit.verify(s, incident_id=incident_id)


def test_an_existing_trail_is_resealed_where_its_old_chain_holds(home, tmp_path):
    """A database from before the keyed chain: its intact trail verifies after the upgrade; an
    event edited before the upgrade stays detected (nothing after it is resealed)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{home / 'breachflow.db'}"
    home.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0005")  # the schema before the keyed chain
        for incident_id in ("intact", "edited"):
            connection.execute(text(
                "INSERT INTO incident (id, external_id, title, detected_at, aware_at, "
                "aware_at_source, determined_at, breach_types, data_categories, encrypted, "
                "key_compromised, systems, law_enforcement_delay, sources, settings, org, status, "
                "triage_reasons, rules_snapshot, quality, created_at) VALUES (:id, :id, 't', "
                "'2026-01-01', '2026-01-01', 'x', '2026-01-01', '[]', '[]', 0, 0, '[]', 0, '{}', "
                "'{}', '{}', 'open', '[]', '{}', '{}', '2026-01-01')"), {"id": incident_id})
            previous = audit.GENESIS
            for n in range(3):
                at = f"2026-01-0{n + 1}T00:00:00+00:00"
                body = json.dumps([incident_id, at, "cli", f"step.{n}", {"n": n}, previous],
                                  sort_keys=True, separators=(",", ":"), default=str).encode()
                value = hashlib.sha256(body).hexdigest()  # the old, unkeyed chain
                connection.execute(text(
                    "INSERT INTO auditevent (incident_id, at, actor, action, detail, prev_hash, "
                    "hash) VALUES (:i, :at, 'cli', :a, :d, :p, :h)"),
                    {"i": incident_id, "at": at[:19].replace("T", " "), "a": f"step.{n}",
                     "d": json.dumps({"n": n}), "p": previous, "h": value})
                previous = value
        connection.execute(text("UPDATE auditevent SET actor = 'mallory' "
                                "WHERE incident_id = 'edited' AND action = 'step.1'"))
    engine.dispose()
    db.reset()
    with db.session() as s:  # opening the database upgrades it
        assert audit.verify(s, incident_id="intact") == []
        problems = audit.verify(s, incident_id="edited")
    assert problems and "step.1" in problems[0]
