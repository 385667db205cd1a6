"""Two tracks after assessment: the regulator reports do not wait for the notices to go out."""

from __future__ import annotations

from datetime import datetime

import pytest

from incidents import demo

pytestmark = pytest.mark.prefect


def _steps(workspace) -> dict[str, tuple[datetime, datetime]]:
    return {name: (datetime.fromisoformat(started), datetime.fromisoformat(finished))
            for name, started, finished in workspace.query(
                "SELECT name, started_at, finished_at FROM step WHERE state = 'done'")}


def test_while_delivery_is_slow_the_initial_reports_are_drafted_and_their_gate_reached(
        workspace, sandbox_process, tmp_path):
    files = demo.write(tmp_path / "inputs", count=200, seed=5, strangers=0)
    # A throttled provider: two e-mails per request, two requests a second.
    workspace.env.update({"BREACHFLOW_EMAIL_BATCH": "2", "BREACHFLOW_RATE_EMAIL": "2"})
    done = workspace.run("run", str(files["incident.json"]), "--affected",
                         str(files["affected.csv"]), "--directory", str(files["directory.csv"]),
                         "--auto-approve")
    assert "Traceback" not in done.stderr, done.stderr
    steps = _steps(workspace)
    _, delivery_ended = steps["notification"]
    # The regulator track drafted its reports and passed its filing gate while notices went out.
    assert steps["reports"][1] < delivery_ended
    assert steps["gate:filing"][1] < delivery_ended
    # The later phases come after delivery, with its counts.
    assert steps["reports:later"][0] >= delivery_ended
    phases = dict(workspace.query(
        "SELECT o.phase, count(*) FROM regulatorreport r JOIN obligation o "
        "ON o.id = r.obligation_id GROUP BY o.phase"))
    assert {"initial", "supplementary"} <= set(phases)
    # One report per obligation, never two.
    assert max(n for (n,) in workspace.query(
        "SELECT count(*) FROM regulatorreport GROUP BY obligation_id")) == 1


def test_initial_reports_wait_for_a_long_writer_on_sqlite(home, demo_files, tmp_path,
                                                           monkeypatch):
    """The notices step may hold SQLite's only writer for minutes: the reports step beside it
    waits (past the busy timeout, and past its task's one retry) and drafts each report once."""
    import sqlite3
    import threading

    from flows import tracks
    from incidents import db, org, payload, pipeline, service, steps
    from incidents.models import IncidentCreate, IncidentSources, RunSettings

    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0.1)
    monkeypatch.setattr(db, "WRITER_RETRY_FIRST_SECONDS", 0.2)
    warned: list[str] = []

    class Warnings:  # the task's run logger, as the reports step uses it
        def warning(self, message: str, *args: object) -> None:
            warned.append(message % args)

        def info(self, message: str, *args: object) -> None:
            pass

    monkeypatch.setattr(tracks, "get_run_logger", Warnings)
    db.reset()
    with db.session() as s:
        incident_in = IncidentCreate.from_payload(
            payload.load(demo_files["incident.json"]), org=org.load(None), actor="test",
            sources=IncidentSources(affected=str(demo_files["affected.csv"]),
                                    directory=str(demo_files["directory.csv"])),
            settings=RunSettings(out=str(tmp_path / "out")))
        incident, _ = service.create_incident(session=s, incident_in=incident_in, actor="test")
        incident_id = incident.id
    for name, work in (("triage", pipeline.triage_stage),
                       ("identification", pipeline.identification_stage),
                       ("assessment", pipeline.assessment_stage)):
        steps.run(incident_id, name, work)

    holding, released = threading.Event(), threading.Event()

    def long_writer() -> None:  # the notices step's transaction, in another connection
        connection = sqlite3.connect(home / "breachflow.db")
        connection.execute("BEGIN IMMEDIATE")
        holding.set()
        released.wait(30)
        connection.rollback()
        connection.close()

    writer = threading.Thread(target=long_writer)
    writer.start()
    holding.wait(10)
    # Release only once the reports step met the lock (and waited on it) several times.
    def release_after_retries() -> None:
        while len(warned) < 3:
            if released.wait(0.05):
                return
        released.set()

    timer = threading.Thread(target=release_after_retries)
    timer.start()
    try:
        outcome = tracks.initial_reports_task(incident_id)
    finally:
        released.set()
        timer.join()
        writer.join()
    assert outcome["drafted"] > 0
    assert steps.state(incident_id, "reports") == "done"
    # It met the writer, past the busy timeout and the task's own retry, and waited for it.
    assert len(warned) >= 3 and all("database is locked" in w for w in warned)
    with db.session() as s:
        from sqlmodel import func, select

        from incidents.models import RegulatorReport
        counts = s.exec(select(func.count()).select_from(RegulatorReport)
                        .group_by(RegulatorReport.obligation_id)).all()
    assert counts and max(counts) == 1  # no report drafted twice
