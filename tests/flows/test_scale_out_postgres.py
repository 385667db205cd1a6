"""Beyond one machine: several processes send one incident's notices from a shared PostgreSQL
ledger (claims with FOR UPDATE SKIP LOCKED), and each person gets each notice exactly once.

1. two `deliver_notices` flow runs in two OS processes (as on two hosts), at the same time;
2. the respond flow's fan-out on a Dask cluster of two worker processes (`prefect-dask`)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from incidents import channels, db, demo, org, payload, pipeline, service, steps
from incidents.delivery import ledger
from incidents.models import IncidentCreate, IncidentSources, RunSettings

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]
PEOPLE = 600
BATCH = "5"


@pytest.fixture
def scale_db() -> Iterator[str]:
    """A fresh PostgreSQL database on this machine's server, dropped afterwards."""
    base = os.environ.get("BREACHFLOW_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("BREACHFLOW_TEST_POSTGRES_URL is not set (CI sets it where PostgreSQL runs)")
    name = f"breachflow_scale_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        db.reset()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def planned(scale_db, sandbox_process, tmp_path, monkeypatch) -> dict[str, Any]:
    """An incident whose notices are approved and whose ledger rows exist, ready to send."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BREACHFLOW_", "SENDGRID_", "TWILIO_"))}
    env.update({"BREACHFLOW_HOME": str(tmp_path / "home"), "BREACHFLOW_OUT": str(tmp_path / "out"),
                "BREACHFLOW_DATABASE_URL": scale_db, "SENDGRID_API_KEY": "SG.test-key",
                "BREACHFLOW_SENDGRID_HOST": sandbox_process.url,
                "BREACHFLOW_EMAIL_FROM": "security@example.com", "BREACHFLOW_EMAIL_BATCH": BATCH})
    for key, value in env.items():
        if key.startswith(("BREACHFLOW_", "SENDGRID_")):
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("BREACHFLOW_SANDBOX_URL", raising=False)
    channels.reset()
    db.reset()
    files = demo.write(tmp_path / "inputs", count=PEOPLE, seed=21, strangers=0)
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(files["incident.json"]), org=org.load(None), actor="test",
            sources=IncidentSources(affected=str(files["affected.csv"]),
                                    directory=str(files["directory.csv"])),
            settings=RunSettings(out=str(tmp_path / "out")))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    for name, work in (("triage", pipeline.triage_stage),
                       ("identification", pipeline.identification_stage),
                       ("assessment", pipeline.assessment_stage),
                       ("notices", pipeline.notices_stage)):
        steps.run(incident_id, name, work)
    rows = ledger.plan(incident_id)
    channels.reset()
    return {"incident_id": incident_id, "env": env, "rows": rows}


def _email_ledger(url: str) -> dict[str, tuple[str, str | None]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {d: (state, owner) for d, state, owner in connection.execute(text(
                "SELECT id, state, claimed_by FROM delivery WHERE channel = 'email'"))}
    finally:
        engine.dispose()


def _check_exactly_once(sandbox_process, scale_db) -> set[str]:
    """Every e-mail delivery accepted and seen once at the provider; the owners that sent."""
    emails = sandbox_process.emails()
    ledger_rows = _email_ledger(scale_db)
    assert ledger_rows and {state for state, _ in ledger_rows.values()} == {"accepted"}
    assert max(Counter(m["delivery_id"] for m in emails).values()) == 1, "a notice went twice"
    assert max(Counter(m["recipient"] for m in emails).values()) == 1, "a person got two"
    assert {m["delivery_id"] for m in emails} == set(ledger_rows)
    stats = sandbox_process.get("/sandbox/stats")
    assert stats["duplicates_total"] == 0, stats
    return {owner.split(":")[1] for _, owner in ledger_rows.values() if owner}


def _deliver(env: dict[str, str], incident_id: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "flows.fanout", incident_id], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(log, "wb"))


def test_two_worker_processes_share_the_ledger_and_send_each_notice_once(
        planned, sandbox_process, scale_db, tmp_path):
    workers = [_deliver(planned["env"], planned["incident_id"], tmp_path / f"worker{n}.log")
               for n in range(2)]
    for n, worker in enumerate(workers):
        assert worker.wait(timeout=600) == 0, (tmp_path / f"worker{n}.log").read_text()[-3000:]
    pids = _check_exactly_once(sandbox_process, scale_db)
    assert pids <= {str(w.pid) for w in workers}
    assert len(pids) == 2, "both processes must have claimed part of the work"


def test_the_fan_out_on_a_dask_cluster_of_two_processes_sends_each_notice_once(
        planned, sandbox_process, scale_db, tmp_path):
    pytest.importorskip("prefect_dask")
    # Bigger batches: each task on Dask costs about a second of Prefect overhead here.
    env = {**planned["env"], "BREACHFLOW_DASK_ADDRESS": "local", "BREACHFLOW_DASK_WORKERS": "2",
           "BREACHFLOW_EMAIL_BATCH": "40"}
    run = _deliver(env, planned["incident_id"], tmp_path / "dask.log")
    assert run.wait(timeout=600) == 0, (tmp_path / "dask.log").read_text()[-3000:]
    pids = _check_exactly_once(sandbox_process, scale_db)
    # The batches ran in the Dask workers, not in the flow run's own process.
    assert str(run.pid) not in pids and len(pids) == 2
