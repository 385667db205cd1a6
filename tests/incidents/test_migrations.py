from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, event, inspect, text
from sqlmodel import SQLModel

from incidents import db


def _upgrade_to(connection: Connection, revision: str) -> None:
    """The schema as it stood at `revision`: a database of an earlier release."""
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def test_migrations_match_the_models(tmp_path):
    """A model change without a migration would silently never reach existing databases."""
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_upgrade_keeps_existing_rows(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO incident (id, external_id, title, detected_at, aware_at, aware_at_source,"
            " determined_at, breach_types, data_categories, encrypted, key_compromised, systems,"
            " law_enforcement_delay, sources, org, status, triage_reasons, rules_snapshot, quality,"
            " created_at) VALUES ('i1', 'E-1', 't', '2026-01-01', '2026-01-01', 'x', '2026-01-01',"
            " '[]', '[]', 0, 0, '[]', 0, '{}', '{}', 'open', '[]', '{}', '{}', '2026-01-01')"))
    db.upgrade(engine)  # a second start applies nothing and loses nothing
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM incident")).scalar() == 1
        assert "alembic_version" in inspect(connection).get_table_names()


def test_processes_starting_together_on_a_new_database_take_turns(tmp_path):
    """Several processes migrating a brand-new SQLite file at once: none fails."""
    import subprocess
    import sys

    code = ("import sys; from incidents import db; from sqlmodel import create_engine;"
            "db.upgrade(create_engine(sys.argv[1]))")
    url = f"sqlite:///{tmp_path / 'race.db'}"
    runs = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
            for _ in range(4)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], errors


def test_run_settings_leave_the_sources_column_on_upgrade(tmp_path):
    """Before 0003 one JSON column held where the people are and how the run behaves."""
    from sqlmodel import Session

    from incidents.models import Incident, IncidentSources, RunSettings

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as connection:
        _upgrade_to(connection, "0002")
        connection.execute(text(
            "INSERT INTO incident (id, external_id, title, detected_at, aware_at, aware_at_source,"
            " determined_at, breach_types, data_categories, encrypted, key_compromised, systems,"
            " law_enforcement_delay, sources, org, status, triage_reasons, rules_snapshot, quality,"
            " created_at) VALUES ('i1', 'E-1', 't', '2026-01-01', '2026-01-01', 'x', '2026-01-01',"
            " '[]', '[]', 0, 0, '[]', 0, :sources, '{}', 'open', '[]', '{}', '{}', '2026-01-01')"),
            {"sources": '{"affected": "/f/a.csv", "directory": "/f/d.csv", "directory_table": null,'
                        ' "out": "/out/E-1", "auto_approve": true, "opened_by": "intake-api"}'})
    db.upgrade(engine)
    with Session(engine) as s:
        incident = s.get(Incident, "i1")
        assert incident is not None
        assert incident.sources == IncidentSources(affected="/f/a.csv", directory="/f/d.csv")
        assert incident.settings == RunSettings(out="/out/E-1", auto_approve=True,
                                                opened_by="intake-api")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT sources FROM incident")).scalar()
        assert "out" not in stored and "auto_approve" not in stored


def test_a_database_of_the_last_release_upgrades_with_its_references(tmp_path):
    """A database at 0007 (the last landed schema) holding an incident that other rows refer
    to: SQLite rebuilds `incident` to add its columns, which enforced foreign keys forbade."""
    from incidents.db import _sqlite_pragmas

    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    event.listen(engine, "connect", _sqlite_pragmas)  # foreign keys on, as breachflow runs
    with engine.begin() as connection:
        _upgrade_to(connection, "0007_report_filing_and_phase")
        connection.execute(text(
            "INSERT INTO incident (id, external_id, title, detected_at, aware_at, aware_at_source,"
            " determined_at, breach_types, data_categories, encrypted, key_compromised, systems,"
            " law_enforcement_delay, sources, org, status, triage_reasons, rules_snapshot, quality,"
            " created_at, settings, records_of_care) VALUES ('i1', 'E-1', 't', '2026-01-01',"
            " '2026-01-01', 'x', '2026-01-01', '[]', '[]', 0, 0, '[]', 0, '{}', '{}', 'open', '[]',"
            " '{}', '{}', '2026-01-01', '{}', 0)"))
        connection.execute(text(
            "INSERT INTO step (incident_id, name, state, outcome, attempts)"
            " VALUES ('i1', 'triage', 'done', '{}', 1)"))
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM step")).scalar() == 1
        assert connection.execute(text("SELECT external_id FROM incident")).scalar() == "E-1"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_revision_ids_fit_the_version_column():
    """Alembic's version table holds at most 32 characters: PostgreSQL refuses a longer id."""
    from alembic.script import ScriptDirectory

    revisions = [script.revision for script in ScriptDirectory(str(db.MIGRATIONS)).walk_revisions()]
    assert len(revisions) >= 11
    assert [r for r in revisions if len(r) > 32] == []
