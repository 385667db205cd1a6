"""Database faults: a locked SQLite file and a PostgreSQL connection dropped in the middle of
a batch. The write waits or is retried; nothing is corrupted and no update is lost."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from incidents import db, org, payload, pipeline, service, steps
from incidents.channels.base import Outcome, Result
from incidents.delivery import ledger
from incidents.models import Delivery, IncidentCreate, IncidentSources, RunSettings


def _planned(demo_files, out_dir) -> str:
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test",
            sources=IncidentSources(affected=str(demo_files["affected.csv"]),
                                    directory=str(demo_files["directory.csv"])),
            settings=RunSettings(out=str(out_dir)))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    for name, work in (("triage", pipeline.triage_stage),
                       ("identification", pipeline.identification_stage),
                       ("assessment", pipeline.assessment_stage), ("notices", pipeline.notices_stage)):
        steps.run(incident_id, name, work)
    assert ledger.plan(incident_id) > 0
    return incident_id


def _accepted(claimed: list[Delivery]) -> list[Result]:
    return [Result(d.id, Outcome.ACCEPTED, provider_id=f"msg-{n}") for n, d in enumerate(claimed)]


def _states() -> dict[str, str]:
    with db.session() as s:
        return {d.id: d.state for d in s.exec(select(Delivery).where(Delivery.channel == "email"))}


def test_sqlite_lock_is_waited_out_without_corruption(home, demo_files, tmp_path):
    incident_id = _planned(demo_files, tmp_path / "out")
    token, claimed = ledger.claim(incident_id, "email", 50)
    assert claimed
    released = threading.Event()

    def hold_the_lock() -> None:
        locker = sqlite3.connect(home / "breachflow.db", timeout=30)
        locker.execute("BEGIN EXCLUSIVE")
        time.sleep(1.5)
        locker.rollback()
        locker.close()
        released.set()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    time.sleep(0.2)
    counts = ledger.record(_accepted(claimed), token=token)  # waits for the lock, then writes
    holder.join()
    assert released.is_set()
    assert counts == {"accepted": len(claimed)}
    states = _states()
    assert sum(1 for d in claimed if states[d.id] == "accepted") == len(claimed)
    with sqlite3.connect(home / "breachflow.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.postgres
def test_postgres_connection_dropped_mid_batch_is_retried(home, demo_files, tmp_path, monkeypatch,
                                                          postgres_url):
    monkeypatch.setenv("BREACHFLOW_DATABASE_URL", postgres_url)
    incident_id = _planned(demo_files, tmp_path / "out")
    token, claimed = ledger.claim(incident_id, "email", 50)
    assert len(claimed) >= 10
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    updates = {"n": 0}

    def drop_on_first_update(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE DELIVERY"):
            updates["n"] += 1
            if updates["n"] == 1:
                pid = conn.connection.dbapi_connection.info.backend_pid
                with admin.connect() as killer:
                    killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", drop_on_first_update)
    try:
        with pytest.raises(DBAPIError):
            ledger.record(_accepted(claimed), token=token)
    finally:
        event.remove(engine, "before_cursor_execute", drop_on_first_update)
        admin.dispose()
    # The batch's transaction was rolled back whole: no row moved, none half-written.
    states = _states()
    assert {states[d.id] for d in claimed} == {"claimed"}
    # The retry (as the batch task's retry does) reconnects and records every outcome once.
    assert ledger.record(_accepted(claimed), token=token) == {"accepted": len(claimed)}
    states = _states()
    assert {states[d.id] for d in claimed} == {"accepted"}
